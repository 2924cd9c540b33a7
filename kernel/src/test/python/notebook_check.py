"""The fixture notebook through real clients, in two steps that RealClientTest runs as separate tests:

    notebook_check.py execute FIXTURE.ipynb OUT_DIR   nbclient executes it on the bolmo4j kernel, its outputs are
                                                     asserted, nbconvert writes OUT_DIR/fixture.html
    notebook_check.py draw OUT_DIR/fixture.html      headless Chromium loads that page with the network disabled:
                                                     the Plotly chart must draw (an <svg class="main-svg">)

The executed notebook, the HTML and a screenshot stay in OUT_DIR.
"""
import os
import shutil
import subprocess
import sys

KERNEL = os.environ.get("BOLMO4J_KERNEL_NAME", "bolmo4j")


def outputs_of(nb, tag):
    for cell in nb.cells:
        if tag in cell.get("metadata", {}).get("tags", []):
            return cell.outputs
    raise AssertionError("no cell tagged " + tag)


def execute(fixture, out_dir):
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

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
    with open(os.path.join(out_dir, "fixture.html"), "w", encoding="utf-8") as f:
        f.write(body)


def draw(page):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    offline = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",  # no network at view time
               "--virtual-time-budget=15000", "--window-size=1000,1600"]
    url = "file://" + os.path.abspath(page)
    dom = subprocess.run([chromium, *offline, "--dump-dom", url], capture_output=True, text=True, timeout=120).stdout
    assert 'class="main-svg"' in dom, "the Plotly chart did not draw offline"
    shot = os.path.join(os.path.dirname(os.path.abspath(page)), "fixture.png")
    subprocess.run([chromium, *offline, "--screenshot=" + shot, url], capture_output=True, timeout=120)
    print("chart drawn offline in Chromium: ok")


if __name__ == "__main__":
    if sys.argv[1:2] == ["execute"] and len(sys.argv) == 4:
        execute(sys.argv[2], sys.argv[3])
    elif sys.argv[1:2] == ["draw"] and len(sys.argv) == 3:
        draw(sys.argv[2])
    else:
        raise SystemExit(__doc__)
