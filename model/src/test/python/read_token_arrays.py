"""Independent reader of OLMo-core numpy token arrays for bolmo4j's export tests (Debian's python3-numpy).

usage: read_token_arrays.py DATA_DIR DTYPE EOS
Reads every part-*.npy as a raw little-endian memmap of DTYPE (what OLMo-core's load_array_slice does with
np.frombuffer), splits it into documents with the gzipped CSV beside it, and prints JSON: per file its length,
SHA-256 and end-of-document count, and the ids of every document (EOS included).
"""
import csv
import glob
import gzip
import hashlib
import json
import os
import sys

import numpy as np

data_dir, dtype, eos = sys.argv[1], np.dtype(sys.argv[2]).newbyteorder("<"), int(sys.argv[3])
out = {"files": [], "documents": []}
for path in sorted(glob.glob(os.path.join(data_dir, "part-*.npy"))):
    ids = np.memmap(path, mode="r", dtype=dtype)
    with open(path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    out["files"].append({"path": os.path.basename(path), "tokens": int(ids.shape[0]), "sha256": sha,
                         "eos": int((ids == eos).sum()), "max": int(ids.max()) if ids.shape[0] else -1})
    with gzip.open(path[:-len(".npy")] + ".csv.gz", "rt", newline="") as f:
        for start, end, doc_id, source in csv.reader(f):
            doc = ids[int(start):int(end)]
            out["documents"].append({"id": doc_id, "source": source, "ids": [int(x) for x in doc]})
json.dump(out, sys.stdout)
