"""Executes the teaching notebooks headlessly (nbclient) on the bolmo4j kernel and checks their outputs: no cell
may fail, cells tagged "table" must show an HTML table, cells tagged "chart" a Plotly chart. Executed copies go to
OUT_DIR. Run by the kernel module's tests (NotebooksTest); by hand:

    ./bolmo4j kernel install && /usr/bin/python3 notebooks/run_notebooks.py OUT_DIR notebooks/*.ipynb
"""
import os
import sys
import time

import nbformat
from nbclient import NotebookClient

KERNEL = os.environ.get("BOLMO4J_KERNEL_NAME", "bolmo4j")


def check(path, out_dir):
    nb = nbformat.read(path, as_version=4)
    start = time.time()
    NotebookClient(nb, kernel_name=KERNEL, timeout=1200, startup_timeout=120,
                   resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}}).execute()
    nbformat.write(nb, os.path.join(out_dir, os.path.basename(path)))
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, "%s cell %d failed: %s" % (path, i, errors[0].get("evalue"))
        html = "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)
        if "table" in tags:
            assert "<table" in html, "%s cell %d: no table" % (path, i)
        if "chart" in tags:
            assert "Plotly.newPlot" in html, "%s cell %d: no chart" % (path, i)
    print("%-28s ok in %5.1f s" % (os.path.basename(path), time.time() - start), flush=True)


def main(out_dir, paths):
    os.makedirs(out_dir, exist_ok=True)
    for p in paths:
        check(p, out_dir)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
