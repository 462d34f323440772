#!/usr/bin/python3
"""Write tests/reference/predictions.json: scikit-learn / scipy reference values for the predictions
and splits stages, computed from the committed fixtures.

Run with the Debian python (python3-sklearn, python3-scipy):
    /usr/bin/python3 tests/reference/make_prediction_reference.py
The TypeScript tests read only the committed JSON.
"""
import csv
import json
import math
import os

import numpy as np
import scipy
import sklearn
from scipy import stats
from sklearn.metrics import (accuracy_score, f1_score, mean_absolute_error, mean_squared_error,
                             precision_score, recall_score, roc_auc_score)

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "fixtures")


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def num(v):
    return float("nan") if v in ("", "NaN") else float(v)


def classification(rows, score="proba", truth="y", label=None, threshold=0.5):
    y = np.array([int(r[truth]) for r in rows])
    if label:
        pred = np.array([int(r[label]) for r in rows])
        out = {}
    else:
        s = np.array([num(r[score]) for r in rows])
        ok = np.isfinite(s)
        y, s = y[ok], s[ok]
        pred = (s >= threshold).astype(int)
        out = {"rocAuc": float(roc_auc_score(y, s))}
    out.update({
        "accuracy": float(accuracy_score(y, pred)),
        "precision": float(precision_score(y, pred, zero_division=0)),
        "recall": float(recall_score(y, pred, zero_division=0)),
        "f1": float(f1_score(y, pred, zero_division=0)),
    })
    return out


def regression(rows, score="prediction", truth="target"):
    s = np.array([num(r[score]) for r in rows])
    t = np.array([num(r[truth]) for r in rows])
    return {"rmse": float(math.sqrt(mean_squared_error(t, s))), "mae": float(mean_absolute_error(t, s))}


def keyed_scores(case, score="proba"):
    a = {r["id"]: num(r[score]) for r in read(os.path.join(FIX, "predictions", case, "research.csv"))}
    b = {r["id"]: num(r[score]) for r in read(os.path.join(FIX, "predictions", case, "production.csv"))}
    ids = sorted(set(a) & set(b), key=int)
    pairs = [(int(i), a[i], b[i]) for i in ids if math.isfinite(a[i]) and math.isfinite(b[i])]
    return pairs


def rank_agreement(pairs):
    ids = np.array([p[0] for p in pairs])
    sa = np.array([p[1] for p in pairs])
    sb = np.array([p[2] for p in pairs])
    rho = stats.spearmanr(sa, sb).statistic
    n = len(pairs)
    out = {"spearman": float(rho), "topK": []}
    for k in sorted({max(1, math.ceil(0.01 * n)), min(100, n)}):
        # Top k by score (descending), ties broken by id ascending, as reprodiff does.
        ta = set(ids[np.lexsort((ids, -sa))][:k])
        tb = set(ids[np.lexsort((ids, -sb))][:k])
        out["topK"].append({"k": k, "overlap": len(ta & tb) / k})
    d = sb - sa
    out["maxAbsDiff"] = float(np.max(np.abs(d)))
    out["meanAbsDiff"] = float(np.mean(np.abs(d)))
    return out


def split_sizes_chi2(case):
    def sizes(side):
        rows = read(os.path.join(FIX, "splits", case, f"{side}.csv"))
        return {s: sum(1 for r in rows if r["split"] == s) for s in ("train", "val", "test")}, rows
    (a, ra), (b, rb) = sizes("research"), sizes("production")
    table = np.array([[a[s] for s in ("train", "val", "test")], [b[s] for s in ("train", "val", "test")]])
    chi = stats.chi2_contingency(table, correction=False)
    out = {"proportions": {"statistic": float(chi.statistic), "pvalue": float(chi.pvalue), "dof": int(chi.dof)}}
    la = [sum(1 for r in ra if r["split"] == "test" and r["y"] == v) for v in ("0", "1")]
    lb = [sum(1 for r in rb if r["split"] == "test" and r["y"] == v) for v in ("0", "1")]
    chi = stats.chi2_contingency(np.array([la, lb]), correction=False)
    out["labelTest"] = {"statistic": float(chi.statistic), "pvalue": float(chi.pvalue), "dof": int(chi.dof)}
    return out


def jaccard_transitions(case):
    a = {r["id"]: r["split"] for r in read(os.path.join(FIX, "splits", case, "research.csv"))}
    b = {r["id"]: r["split"] for r in read(os.path.join(FIX, "splits", case, "production.csv"))}
    names = ["train", "val", "test"]
    counts = [[sum(1 for i in a if a[i] == x and b.get(i) == y) for y in names] for x in names]
    jac = {}
    for s in names:
        ra = {i for i in a if a[i] == s}
        rb = {i for i in b if b[i] == s}
        jac[s] = len(ra & rb) / len(ra | rb)
    return {"counts": counts, "jaccard": jac}


def main():
    p = lambda case, side: read(os.path.join(FIX, "predictions", case, f"{side}.csv"))
    ref = {
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__},
        "metrics": {
            "equal": {"research": classification(p("equal", "research")), "production": classification(p("equal", "production"))},
            "nondeterminism": {"research": classification(p("nondeterminism", "research")), "production": classification(p("nondeterminism", "production"))},
            "nan-unseen": {"production": classification(p("nan-unseen", "production"))},
            "label-flip": {
                "research": classification(p("label-flip", "research"), label="y_pred"),
                "production": classification(p("label-flip", "production"), label="y_pred"),
            },
            "regression": {"research": regression(p("regression", "research")), "production": regression(p("regression", "production"))},
        },
        "rank": {case: rank_agreement(keyed_scores(case)) for case in ("nondeterminism", "subset-feature", "noise")},
        "splits": {
            "proportions": split_sizes_chi2("proportions"),
            "unseeded": jaccard_transitions("unseeded"),
        },
    }
    with open(os.path.join(HERE, "predictions.json"), "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
