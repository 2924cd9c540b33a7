#!/usr/bin/env bash
# Installs Debian's Jupyter: the notebook server with ipywidgets (what the Dockerfile serves), the real clients the
# kernel's integration tests drive, and headless Chromium with a DevTools client (python3-websocket) for the checks that
# an executed notebook's Plotly chart draws offline and that widgets work in the classic Notebook. Used by .ci/run and
# the Dockerfile alike. Idempotent; run as root (CI, Docker) or with sudo.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=(jupyter-notebook jupyter-client jupyter-core python3-nbclient jupyter-nbconvert python3-nbformat python3-ipykernel
      python3-jupyter-kernel-test python3-ipywidgets python3-widgetsnbextension python3-websocket chromium)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
