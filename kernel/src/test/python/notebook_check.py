"""Executes the fixture notebook headlessly with nbclient on the bolmo4j kernel, asserts its outputs, converts it to
HTML with nbconvert and loads that page in headless Chromium with the network disabled: the Plotly chart must draw
(an <svg class="main-svg"> in the DOM). Writes the executed notebook, the HTML and a screenshot to OUT_DIR. Without
Chromium the drawing is skipped with one line (a failure in CI).

usage: notebook_check.py FIXTURE.ipynb OUT_DIR
"""
import os
import shutil
import subprocess
import sys

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

KERNEL = os.environ.get("BOLMO4J_KERNEL_NAME", "bolmo4j")


def outputs_of(nb, tag):
    for cell in nb.cells:
        if tag in cell.get("metadata", {}).get("tags", []):
            return cell.outputs
    raise AssertionError("no cell tagged " + tag)


def main(fixture, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    nb = nbformat.read(fixture, as_version=4)
    NotebookClient(nb, kernel_name=KERNEL, timeout=120, startup_timeout=90).execute()
    nbformat.write(nb, os.path.join(out_dir, "fixture-executed.ipynb"))

    table = outputs_of(nb, "table")
    assert any("<table" in o.get("data", {}).get("text/html", "") for o in table), table
    figure = outputs_of(nb, "figure")
    html = "".join(o.get("data", {}).get("text/html", "") for o in figure)
    assert "Plotly.newPlot" in html and "id='bolmo4j_plot_" in html, html[:500]
    error = outputs_of(nb, "error")
    assert [o.get("ename") for o in error if o.output_type == "error"] == ["NumberFormatException"], error
    progress = outputs_of(nb, "progress")
    bars = [o for o in progress if o.output_type == "display_data"]
    assert len(bars) == 1 and "3/3" in bars[0]["data"]["text/plain"], progress  # updated in place to the end
    print("notebook outputs: ok")

    body, _ = HTMLExporter().from_notebook_node(nb)
    page = os.path.join(out_dir, "fixture.html")
    with open(page, "w", encoding="utf-8") as f:
        f.write(body)

    draw_offline(page, out_dir)


def draw_offline(page, out_dir):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        if os.environ.get("CI") == "true":
            raise SystemExit("CI must install Chromium (kernel/ci-setup.sh, called by .ci/run)")
        # optional like the Jupyter clients themselves: one line, and the notebook's own checks above still count
        print("SKIPPED drawing the fixture's chart offline: Chromium is not installed (sudo bash kernel/ci-setup.sh)",
              file=sys.stderr)
        return
    offline = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",  # no network at view time
               "--virtual-time-budget=15000", "--window-size=1000,1600"]
    dom = subprocess.run([chromium, *offline, "--dump-dom", "file://" + os.path.abspath(page)],
                         capture_output=True, text=True, timeout=120).stdout
    assert 'class="main-svg"' in dom, "the Plotly chart did not draw offline"
    subprocess.run([chromium, *offline, "--screenshot=" + os.path.join(out_dir, "fixture.png"),
                    "file://" + os.path.abspath(page)], capture_output=True, timeout=120)
    print("chart drawn offline in Chromium: ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
