"""Executes the teaching notebooks headlessly (nbclient) on the bolmo4j kernel and checks their outputs: no cell
may fail, cells tagged "table" must show an HTML table, cells tagged "chart" a Plotly chart, cells tagged "widget" a
widget. Executed copies go to
OUT_DIR. Run by the DSL module's tests (NotebooksTest); by hand:

    ./bolmo4j kernel install && /usr/bin/python3 notebooks/run_notebooks.py [--jobs N] OUT_DIR notebooks/*.ipynb

With --jobs N, N notebooks run at once, each kernel on cores/N intra-op threads (BOLMO4J_THREADS): at these model
sizes much of a training step is per-op overhead on one thread, so two kernels side by side finish sooner than two
in a row. The largest notebook files start first, a rough stand-in for the longest.
"""
import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import nbformat
from nbclient import NotebookClient

KERNEL = os.environ.get("BOLMO4J_KERNEL_NAME", "bolmo4j")


def check(path, out_dir, cell_timeout=1200):
    nb = nbformat.read(path, as_version=4)
    start = time.time()
    NotebookClient(nb, kernel_name=KERNEL, timeout=cell_timeout, startup_timeout=120,
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
        if "widget" in tags:
            assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.outputs), \
                "%s cell %d: no widget" % (path, i)
    print("%-28s ok in %5.1f s" % (os.path.basename(path), time.time() - start), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--cell-timeout", type=int, default=1200, help="seconds a cell may take (more on a busy machine)")
    ap.add_argument("out_dir")
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    if args.jobs <= 1:
        for p in args.paths:
            check(p, args.out_dir, args.cell_timeout)
        return
    os.environ.setdefault("BOLMO4J_THREADS", str(max(1, (os.cpu_count() or 1) // args.jobs)))
    paths = sorted(args.paths, key=os.path.getsize, reverse=True)
    start = time.time()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for f in [pool.submit(check, p, args.out_dir, args.cell_timeout) for p in paths]:
            f.result()  # re-raises the first failure
    print("%d notebooks in %.1f s (%d at a time)" % (len(paths), time.time() - start, args.jobs), flush=True)


if __name__ == "__main__":
    main()
