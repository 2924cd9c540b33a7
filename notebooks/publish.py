"""The teaching notebooks as readers see them: notebooks/*.ipynb are kept with the outputs of an execution
(run_notebooks.py), made small and viewable anywhere, including code hosts that run no scripts:

- a Plotly chart becomes a PNG picture, drawn by headless Chromium from the executed chart (offline, with the
  plotly.js the executed notebook inlined once); the 4.6 MB library itself is not kept;
- a widget becomes a static snapshot of what its output area showed (run the notebook for the live controls); the
  notebook keeps no widget state;
- everything else (tables, boundary views, progress bars, text) is kept as executed.

    publish.py write EXECUTED_DIR NOTEBOOK_DIR   the committed notebooks take the executed outputs, as above
    publish.py check EXECUTED_DIR NOTEBOOK_DIR   exit 1 unless the committed outputs are current

"Current" means what can be checked robustly against a fresh execution on another machine, whose numbers differ with
its thread count and CPU: cell by cell, the same sequence of outputs with the same outline (see outline()): output
kind; a table's name, columns and row count; a chart's titles and trace names; a progress bar's label; a short text
with every number and absolute path masked (of a longer one its line count and first line; of Markdown its headings and line count);
for cells tagged "model-text" (text a model writes, such as a generation or the name of the best variant) only that
there is text. Numbers, generated text and the patches a trained model cuts may
differ. `notebooks/regenerate.sh` runs the notebooks and writes them back (about 15 minutes on 2 cores).
"""
import copy
import os
import re
import sys
import tempfile

import nbformat

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kernel", "src", "test", "python"))

CHART_DIV = "<div id='bolmo4j_plot_"
LIBRARY_TEXT = "(plotly.js for the charts of this session)"
WIDGET = "application/vnd.jupyter.widget-view+json"
NUMBER = re.compile(r"-?\d+(?:[.,]\d+)*(?:[eE][-+]?\d+)?")
PATH = re.compile(r"(?<![\w.~/:])/[\w.+-]+(?:/[\w.+-]+)+")  # absolute paths: the checkout and temp folders differ
LARGEST_NOTEBOOK = 1_500_000  # bytes: a committed notebook above this carries something it should not


def mask(text):
    """Text with every absolute path replaced by '<path>', every number by '#', whitespace runs by one space."""
    return " ".join(NUMBER.sub("#", PATH.sub("<path>", text)).split())


def chart_part(html):
    """A chart output's own HTML, without the plotly.js the first chart of a session carries."""
    return html[html.index(CHART_DIV):]


def chart_outline(html):
    js = chart_part(html)
    titles = re.findall(r"title: '((?:[^'\\]|\\.)*)'", js)
    names = re.findall(r"name: '((?:[^'\\]|\\.)*)'", js)
    return "chart:%s|%s" % (",".join(titles), ",".join(names))


def text_outline(text):
    """A short one-line text with its numbers masked; of a longer one, its line count and masked first line."""
    masked = mask(text)
    if "\n" not in text.strip() and len(masked) <= 200:
        return masked
    return "lines=%d|%s" % (len(text.strip().splitlines()), mask(text.strip().splitlines()[0])[:80])


def table_outline(html):
    caption = re.search(r"<caption>(.*?) \((\d+) rows? × (\d+) columns?\)</caption>", html)
    headers = re.findall(r"<th>(.*?)</th>", html)
    name, rows = (caption.group(1), caption.group(2)) if caption else ("", "?")
    return "table:%s|%s|rows=%s" % (name, ",".join(dict.fromkeys(headers)), rows)


def outline(output, model_text=False):
    """What must stay the same for committed outputs to be current; None for outputs that are not content."""
    kind = output.output_type
    if kind == "stream":  # stderr carries logging (engine notes, warnings), which is no notebook content
        return "stream:stdout" if output.name == "stdout" else None
    if kind == "error":
        return "error:" + output.ename
    kept = output.get("metadata", {}).get("bolmo4j", {}).get("outline")
    if kept:  # a published picture or snapshot keeps the outline of the output it replaced
        return kept
    data = output.get("data", {})
    html, plain = data.get("text/html", ""), data.get("text/plain", "")
    if plain == LIBRARY_TEXT:
        return None
    if WIDGET in data:
        return "widget"
    if CHART_DIV in html and "Plotly.newPlot" in html:
        return chart_outline(html)
    if "bolmo4j-progress" in html:
        label = re.match(r"(.*?)\s+\d+%", plain)
        return "progress:" + (label.group(1) if label else mask(plain))
    if "Bolmo patches:" in html:
        return "boundaries"
    if "<table" in html:
        return table_outline(html)
    if "text/markdown" in data:
        md = data["text/markdown"]
        return "markdown:%s|lines=%d" % (",".join(mask(l) for l in md.splitlines() if l.startswith("#")), len(md.splitlines()))
    if "image/png" in data:
        return "image"
    return "text" if model_text else "text:" + text_outline(plain)


def model_text_cells(nb):
    """Positions of the code cells tagged "model-text"."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    return {i for i, c in enumerate(code) if "model-text" in c.get("metadata", {}).get("tags", [])}


def outlines(nb, model_text):
    """Per code cell: its source and the outlines of its outputs (cells at positions {model_text}: text unread)."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    return [(c.source, [o for o in (outline(x, i in model_text) for x in c.outputs) if o is not None]) for i, c in enumerate(code)]


def check(executed_dir, notebook_dir):
    problems = []
    for name in sorted(f for f in os.listdir(notebook_dir) if f.endswith(".ipynb")):
        path = os.path.join(notebook_dir, name)
        if os.path.getsize(path) > LARGEST_NOTEBOOK:
            problems.append("%s: %d bytes, more than %d (plotly.js or widget state kept?)" % (name, os.path.getsize(path), LARGEST_NOTEBOOK))
        mine = nbformat.read(path, as_version=4)
        tagged = model_text_cells(mine)  # the committed notebook's tags count for both
        committed = outlines(mine, tagged)
        executed = outlines(nbformat.read(os.path.join(executed_dir, name), as_version=4), tagged)
        for i, ((source, mine), (run_source, theirs)) in enumerate(zip(committed, executed)):
            if source != run_source:
                problems.append("%s code cell %d: the executed copy has other code" % (name, i))
            elif mine != theirs:
                problems.append("%s code cell %d:\n    committed %s\n    executed  %s" % (name, i, mine, theirs))
        if len(committed) != len(executed):
            problems.append("%s: %d code cells committed, %d executed" % (name, len(committed), len(executed)))
    if problems:
        print("The committed notebooks' outputs are not current with the code:\n  " + "\n  ".join(problems))
        print("Refresh them with notebooks/regenerate.sh (runs the notebooks, about 15 minutes on 2 cores).")
        sys.exit(1)
    print("committed notebook outputs are current: ok")


def widget_snapshot(output, state):
    """A widget output as the HTML its output areas showed (from the executed notebook's widget state)."""
    models = state.get("state", {})

    def shown(model_id):
        model = models.get(model_id, {})
        s = model.get("state", {})
        if model.get("model_name") == "OutputModel":
            return "".join(o.get("data", {}).get("text/html") or "<pre>%s</pre>" % o.get("data", {}).get("text/plain", o.get("text", ""))
                           for o in s.get("outputs", []))
        return "".join(shown(c[len("IPY_MODEL_"):]) for c in s.get("children", []) if isinstance(c, str) and c.startswith("IPY_MODEL_"))

    html = shown(output["data"][WIDGET]["model_id"])
    return ('<div class="bolmo4j-widget-snapshot">%s<div style="font-size:small;color:#888">(a snapshot of interactive'
            ' controls: run the notebook to use them)</div></div>' % html)


def render_charts(executed_nbs):
    """PNG pictures of every chart, keyed by the chart's div id, drawn by Plotly in headless Chromium."""
    from browser import Chromium

    pictures = {}
    for nb in executed_nbs:
        library, charts = None, []
        for cell in nb.cells:
            for o in cell.get("outputs", []):
                html = o.get("data", {}).get("text/html", "")
                if library is None and "var define, module, exports" in html:
                    library = html[:html.index(CHART_DIV)] if CHART_DIV in html else html
                if CHART_DIV in html and "Plotly.newPlot" in html:
                    charts.append(chart_part(html))
        if not charts:
            continue
        with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False, encoding="utf-8") as page:
            page.write("<html><body>%s%s</body></html>" % (library, "".join(charts)))
        try:
            with Chromium("file://" + page.name) as browser:
                browser.wait_for("typeof Plotly !== 'undefined' && document.querySelectorAll('.main-svg').length > 0", "the charts to draw")
                for html in charts:
                    div = re.match(r"<div id='([^']+)'", html).group(1)
                    url = browser.js("Plotly.toImage(document.getElementById('%s'), {format: 'png'})" % div)
                    pictures[div] = url[url.index(",") + 1:]
        finally:
            os.unlink(page.name)
    return pictures


def published(output, pictures, widget_state):
    """The committed form of one executed output."""
    data = output.get("data", {})
    html = data.get("text/html", "")
    if data.get("text/plain") == LIBRARY_TEXT:
        return None
    o = copy.deepcopy(output)
    if CHART_DIV in html and "Plotly.newPlot" in html:
        div = re.match(r"<div id='([^']+)'", chart_part(html)).group(1)
        titles = re.findall(r"title: '((?:[^'\\]|\\.)*)'", chart_part(html))
        o["data"] = {"image/png": pictures[div], "text/plain": "chart: " + (titles[0] if titles else "")}
        o["metadata"] = {"bolmo4j": {"outline": outline(output)}}
    elif WIDGET in data:
        o["data"] = {"text/html": widget_snapshot(output, widget_state), "text/plain": data.get("text/plain", "")}
        o["metadata"] = {"bolmo4j": {"outline": "widget"}}
    if o.output_type == "display_data" and "transient" in o:
        del o["transient"]
    return o


def write(executed_dir, notebook_dir):
    names = sorted(f for f in os.listdir(notebook_dir) if f.endswith(".ipynb"))
    executed = {n: nbformat.read(os.path.join(executed_dir, n), as_version=4) for n in names}
    pictures = render_charts(executed.values())
    for name in names:
        path = os.path.join(notebook_dir, name)
        nb = nbformat.read(path, as_version=4)
        run = executed[name]
        widget_state = run.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
        run_cells = [c for c in run.cells if c.cell_type == "code"]
        code = [c for c in nb.cells if c.cell_type == "code"]
        if [c.source for c in code] != [c.source for c in run_cells]:
            raise SystemExit("%s: the executed copy has other code; run the notebooks again" % name)
        for cell, ran in zip(code, run_cells):
            cell.outputs = [o for o in (published(x, pictures, widget_state) for x in ran.outputs) if o is not None]
            cell.execution_count = ran.execution_count
        nb.metadata.pop("widgets", None)
        nbformat.write(nb, path)
        print("%-34s %7d bytes" % (name, os.path.getsize(path)))


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("write", "check"):
        raise SystemExit(__doc__)
    (write if sys.argv[1] == "write" else check)(sys.argv[2], sys.argv[3])
