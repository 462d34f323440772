#!/usr/bin/python3
"""The pandas baseline (issue 22): what datacompy does at its core, on the bench's CSV pair.

    /usr/bin/python3 bench/pandas_baseline.py A.csv B.csv [--key id]

read_csv both files, outer merge on the key, then compare each column of the matched rows (equal, or
both missing). Prints one JSON line: differing rows (unmatched + matched with any differing cell), the
differing rows per column and the seconds inside Python. bench/run.js times the process (wall seconds
and peak RSS) and checks the count against the generator's.
"""
import json
import sys
import time


def main(argv):
    key = "id"
    if "--key" in argv:
        i = argv.index("--key")
        key = argv[i + 1]
        del argv[i:i + 2]
    if len(argv) != 2:
        sys.stderr.write("usage: pandas_baseline.py A.csv B.csv [--key id]\n")
        return 2
    import pandas as pd

    started = time.perf_counter()
    a = pd.read_csv(argv[0])
    b = pd.read_csv(argv[1])
    merged = a.merge(b, how="outer", on=key, suffixes=("_a", "_b"), indicator=True)
    matched = merged["_merge"] == "both"
    unmatched = int((~matched).sum())
    any_diff = pd.Series(False, index=merged.index)
    by_column = {}
    for col in a.columns:
        if col == key or col not in b.columns:
            continue
        x = merged[f"{col}_a"]
        y = merged[f"{col}_b"]
        differs = ~((x == y) | (x.isna() & y.isna())) & matched
        by_column[col] = int(differs.sum())
        any_diff |= differs
    out = {
        "differingRows": unmatched + int(any_diff.sum()),
        "onlyResearch": int((merged["_merge"] == "left_only").sum()),
        "onlyProduction": int((merged["_merge"] == "right_only").sum()),
        "byColumn": by_column,
        "pandas": pd.__version__,
        "querySeconds": time.perf_counter() - started,
    }
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
