#!/usr/bin/python3
"""Reference element listing for reader conformance tests (Debian python3-pydicom).

Usage: pydicom_tags.py FILE...  prints one JSON object per line: {"file", "tags": [top-level tags as 8 hex digits],
"ts": transfer syntax UID or null, "rows", "columns", "frames", "seq_items": {tag: item count}} or {"file", "error"}.
"""
import json
import sys

import pydicom


def describe(path):
    ds = pydicom.dcmread(path, force=True)
    meta = getattr(ds, "file_meta", None)
    ts = str(meta.TransferSyntaxUID) if meta is not None and "TransferSyntaxUID" in meta else None
    seq_items = {f"{int(e.tag):08X}": len(e.value) for e in ds if e.VR == "SQ"}
    return {
        "file": path,
        "tags": [f"{int(e.tag):08X}" for e in ds],
        "ts": ts,
        "rows": int(ds.Rows) if "Rows" in ds else None,
        "columns": int(ds.Columns) if "Columns" in ds else None,
        "seq_items": seq_items,
    }


for p in sys.argv[1:]:
    try:
        print(json.dumps(describe(p)))
    except Exception as exc:
        print(json.dumps({"file": p, "error": f"{type(exc).__name__}: {exc}"}))
