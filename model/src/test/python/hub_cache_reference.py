"""huggingface_hub reading and writing the hub cache that bolmo4j shares (HF_HUB_CACHE and HF_ENDPOINT from the
environment).

  read REPO      offline (local_files_only): snapshot_download and hf_hub_download of every file, scan_cache_dir
  download REPO  snapshot_download from HF_ENDPOINT into the cache

Prints one JSON object.
"""
import hashlib
import json
import os
import sys

from huggingface_hub import hf_hub_download, scan_cache_dir, snapshot_download


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def files_of(folder):
    out = {}
    for root, _, names in os.walk(folder):
        for n in names:
            p = os.path.join(root, n)
            out[os.path.relpath(p, folder).replace(os.sep, "/")] = sha256(p)
    return out


mode, repo = sys.argv[1], sys.argv[2]
if mode == "download":
    folder = snapshot_download(repo)
    print(json.dumps({"folder": folder, "files": files_of(folder)}))
else:
    folder = snapshot_download(repo, local_files_only=True)
    files = files_of(folder)
    singles = {f: sha256(hf_hub_download(repo, f, local_files_only=True)) for f in files}
    info = scan_cache_dir()
    repos = [r for r in info.repos if r.repo_id == repo]
    print(json.dumps({
        "folder": folder,
        "files": files,
        "hf_hub_download": singles,
        "scan_warnings": [str(w) for w in info.warnings],
        "refs": sorted(ref for r in repos for rev in r.revisions for ref in rev.refs),
        "commits": sorted(rev.commit_hash for r in repos for rev in r.revisions),
        "blob_bytes": sum(r.size_on_disk for r in repos),
    }))
