#!/usr/bin/env bash
# Runs the teaching notebooks on this build and writes them back with their outputs (publish.py: charts as pictures,
# widgets as snapshots), what CI then checks to be current. About 15 minutes on 2 cores; needs kernel/ci-setup.sh's
# Jupyter clients and Chromium. Options go to run_notebooks.py (e.g. --cell-timeout 3600 on a busy machine).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="$PWD/target/regenerate-jupyter"
./bolmo4j kernel install --prefix "$prefix" --name bolmo4j-regenerate
rm -rf target/notebooks-executed
JUPYTER_PATH="$prefix/share/jupyter" BOLMO4J_KERNEL_NAME=bolmo4j-regenerate \
  /usr/bin/python3 notebooks/run_notebooks.py --jobs 2 "$@" target/notebooks-executed notebooks/*.ipynb
/usr/bin/python3 notebooks/publish.py write target/notebooks-executed notebooks
/usr/bin/python3 notebooks/publish.py check target/notebooks-executed notebooks
