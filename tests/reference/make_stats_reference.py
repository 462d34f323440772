#!/usr/bin/python3
"""Write tests/reference/stats.json: scipy/numpy/sklearn reference values for src/stats.

Run with the Debian python (python3-scipy, python3-sklearn, python3-numpy):
    /usr/bin/python3 tests/reference/make_stats_reference.py
The TypeScript tests read only the committed JSON, so the project never depends on Python.
"""
import json
import os
import warnings

import numpy as np
import scipy
import sklearn
from scipy import stats
from scipy.spatial import distance
from scipy.special import smirnov
from scipy.stats._stats_py import _attempt_exact_2kssamp
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score

rng = np.random.default_rng(20240611)
warnings.simplefilter("ignore")


def f(x):
    return float(x)


def aggregate(a, b):
    """Sorted distinct values and per-side counts, as DuckDB would return them."""
    values = np.unique(np.concatenate([a, b]))
    ca = np.searchsorted(np.sort(a), values, side="right") - np.searchsorted(np.sort(a), values, side="left")
    cb = np.searchsorted(np.sort(b), values, side="right") - np.searchsorted(np.sort(b), values, side="left")
    return [f(v) for v in values], [int(c) for c in ca], [int(c) for c in cb]


def ks_pvalue_like_scipy(d, n1, n2):
    """The p-value branch of ks_2samp(method='auto', two-sided) for a given statistic."""
    g = np.gcd(n1, n2)
    if max(n1, n2) <= 10000:
        ok, _, p = _attempt_exact_2kssamp(n1, n2, g, d, "two-sided")
        if ok:
            return f(np.clip(p, 0, 1)), "exact"
    m, n = sorted([float(n1), float(n2)], reverse=True)
    return f(np.clip(stats.kstwo.sf(d, np.round(m * n / (m + n))), 0, 1)), "asymp"


# ---------------------------------------------------------------- KS from samples
ks_cases = []


def ks_case(name, a, b):
    values, ca, cb = aggregate(a, b)
    r = stats.ks_2samp(a, b, method="auto")
    ks_cases.append({"name": name, "values": values, "countsA": ca, "countsB": cb,
                     "n1": int(len(a)), "n2": int(len(b)),
                     "statistic": f(r.statistic), "pvalue": f(r.pvalue),
                     "wasserstein": f(stats.wasserstein_distance(a, b)),
                     # research's population standard deviation (ddof 0): what wassersteinNormed divides by
                     "stdA": f(np.std(a))})


ks_case("equal n=5", rng.normal(size=5), rng.normal(size=5))
ks_case("equal n=20 shifted", rng.normal(size=20), rng.normal(0.8, size=20))
ks_case("equal n=100", rng.normal(size=100), rng.normal(0.1, size=100))
ks_case("unequal 7 vs 13", rng.normal(size=7), rng.normal(size=13))
ks_case("unequal 30 vs 45 shifted", rng.normal(size=30), rng.normal(1.0, size=45))
ks_case("unequal 250 vs 400", rng.normal(size=250), rng.normal(0.15, 1.1, size=400))
ks_case("ties integers 300 vs 500", rng.integers(0, 6, 300).astype(float), rng.integers(0, 7, 500).astype(float))
ks_case("ties rounded 1000 vs 1500", np.round(rng.normal(size=1000), 1), np.round(rng.normal(0.05, size=1500), 1))
ks_case("boundary 9999 vs 10000 exact", np.round(rng.normal(size=9999), 2), np.round(rng.normal(0.03, size=10000), 2))
ks_case("boundary 10000 vs 10000 exact", np.round(rng.normal(size=10000), 2), np.round(rng.normal(0.02, size=10000), 2))
ks_case("boundary 9999 vs 10001 asymptotic", np.round(rng.normal(size=9999), 2), np.round(rng.normal(0.03, size=10001), 2))
ks_case("large 50000 vs 70000 asymptotic", np.round(rng.normal(size=50000), 2), np.round(rng.normal(0.01, size=70000), 2))
ks_case("large 50000 vs 70000 strong drift", np.round(rng.normal(size=50000), 1), np.round(rng.normal(0.2, size=70000), 1))
ks_case("identical samples", np.arange(50.0), np.arange(50.0))
ks_case("tiny D 3000 vs 4000", np.round(rng.normal(size=3000), 2), np.round(rng.normal(size=4000), 2))
ks_case("disjoint 40 vs 60 (D=1)", rng.uniform(0, 1, 40), rng.uniform(2, 3, 60))
ks_case("disjoint 3000 vs 3000 (p underflows)", rng.uniform(0, 1, 3000), rng.uniform(2, 3, 3000))
ks_case("huge D 2000 vs 3000", rng.normal(size=2000), rng.normal(2.5, size=3000))
ks_case("huge D 20000 vs 30000 asymptotic", np.round(rng.normal(size=20000), 1), np.round(rng.normal(1.5, size=30000), 1))
ks_case("single vs many 1 vs 20000", np.array([0.3]), np.round(rng.uniform(size=20000), 3))
ks_case("small vs many 60 vs 20000", rng.uniform(size=60), np.round(rng.uniform(0.1, 1.1, size=20000), 3))
ks_case("small vs many 150 vs 12000", rng.uniform(size=150), np.round(rng.uniform(0.05, 1.05, size=12000), 3))
ks_case("exact unequal 2000 vs 3000, p ~ 1e-100", rng.normal(size=2000), rng.normal(0.75, size=3000))
ks_case("exact unequal 2000 vs 3000, p < 1e-200", rng.normal(size=2000), rng.normal(1.3, size=3000))
ks_case("exact equal 4000 vs 4000, p < 1e-200", rng.normal(size=4000), rng.normal(0.95, size=4000))

# ---------------------------------------------------------------- KS p-value from (D, n1, n2)
ks_p = []
for (n1, n2) in [(5, 5), (10, 15), (100, 100), (64, 96), (1000, 1001), (3000, 4500), (10000, 10000),
                 (9999, 10001), (10001, 10001), (20000, 20000), (50000, 70000), (1, 20001), (3, 30000),
                 (60, 20000), (140, 12000), (500, 200000), (2_500_000, 3_000_000)]:
    lcm = n1 * n2 // np.gcd(n1, n2)
    for d in [0.0, 0.5 / max(n1, n2), 1.0 / min(n1, n2), 0.01, 0.03, 0.1, 0.2, 0.35, 0.5, 0.7, 0.95, 1.0]:
        if max(n1, n2) <= 10000:
            d = np.round(d * lcm) / lcm  # a statistic that can occur
        p, method = ks_pvalue_like_scipy(float(d), n1, n2)
        ks_p.append({"d": f(d), "n1": n1, "n2": n2, "pvalue": p, "method": method})

# ---------------------------------------------------------------- kstwo.sf and smirnov over all regimes
kstwo = []
smirn = []
for n in [1, 2, 3, 5, 10, 37, 100, 140, 141, 500, 1000, 5000, 20000, 100000, 100001, 400000, 1000001, 3000000]:
    xs = set()
    for nx2 in [0.05, 0.3, 0.6, 0.754, 0.76, 1.0, 1.5, 2.19, 2.21, 3.0, 3.99, 4.01, 8.0, 17.9, 18.1, 40.0, 120.0, 369.0]:
        xs.add(np.sqrt(nx2 / n))
    for x in [0.6 / n, 0.9 / n, 1.2 / n, (n - 0.5) / n, 0.45, 0.5, 0.55, 0.8, 0.999]:
        xs.add(x)
    for x in sorted(xs):
        if 0 < x < 1:
            kstwo.append({"n": n, "x": f(x), "sf": f(stats.kstwo.sf(x, n))})
            smirn.append({"n": n, "x": f(x), "sf": f(smirnov(n, x))})

# ---------------------------------------------------------------- PSI (explicit numpy formula)
def psi_ref(e, a, floor=1e-4):
    e = np.asarray(e, float) / np.sum(e)
    a = np.asarray(a, float) / np.sum(a)
    e = np.where(e == 0, floor, e)
    a = np.where(a == 0, floor, a)
    return f(np.sum((a - e) * np.log(a / e)))


psi_cases = []
for k in [2, 5, 10, 20]:
    e = rng.integers(0, 200, k)
    a = rng.integers(0, 200, k)
    e[0] = max(e[0], 1)
    a[-1] = max(a[-1], 1)
    psi_cases.append({"expected": e.tolist(), "actual": a.tolist(), "floor": 1e-4, "psi": psi_ref(e, a)})
psi_cases.append({"expected": [100, 0, 50, 50], "actual": [90, 10, 0, 100], "floor": 1e-4,
                  "psi": psi_ref([100, 0, 50, 50], [90, 10, 0, 100])})
psi_cases.append({"expected": [100, 0, 50, 50], "actual": [90, 10, 0, 100], "floor": 1e-3,
                  "psi": psi_ref([100, 0, 50, 50], [90, 10, 0, 100], 1e-3)})
psi_cases.append({"expected": [1000000, 3, 2000000], "actual": [1000000, 3, 2000000], "floor": 1e-4,
                  "psi": psi_ref([1000000, 3, 2000000], [1000000, 3, 2000000])})

# ---------------------------------------------------------------- Jensen-Shannon distance (natural log, scipy's default) and L-inf
js_cases = []
for k in [2, 3, 8, 30]:
    p = rng.integers(0, 50, k)
    q = rng.integers(0, 50, k)
    p[0] += 1
    q[0] += 1
    js_cases.append({"p": p.tolist(), "q": q.tolist(), "js": f(distance.jensenshannon(p, q)),
                     "linf": f(np.max(np.abs(p / p.sum() - q / q.sum())))})
js_cases.append({"p": [1, 0], "q": [0, 1], "js": f(distance.jensenshannon([1, 0], [0, 1])), "linf": 1.0})
js_cases.append({"p": [5, 0, 5], "q": [0, 10, 0], "js": f(distance.jensenshannon([5, 0, 5], [0, 10, 0])),
                 "linf": 1.0})

# ---------------------------------------------------------------- chi-square homogeneity
chi_cases = []


def chi_case(name, a, b):
    a = np.asarray(a)
    b = np.asarray(b)
    keep = (a + b) > 0
    table = np.array([a[keep], b[keep]])
    stat, p, dof, _ = stats.chi2_contingency(table, correction=False)
    chi_cases.append({"name": name, "countsA": a.tolist(), "countsB": b.tolist(),
                      "statistic": f(stat), "pvalue": f(p), "dof": int(dof)})


chi_case("dof 1 small", [30, 20], [25, 35])
chi_case("dof 1 large N", [500000, 480000], [501000, 479500])
chi_case("dof 2", [10, 20, 30], [15, 15, 35])
chi_case("dof 2 with zero column", [10, 0, 20, 30], [15, 0, 15, 35])
chi_case("dof 30 random", rng.integers(50, 500, 31), rng.integers(50, 500, 31))
chi_case("p about 1e-50", [700, 300], [450, 550])
chi_case("dof 30 p tiny", rng.integers(100, 1000, 31), rng.integers(100, 3000, 31))
chi_case("p near 1e-300", [5000, 1000], [2000, 4000])
chi_case("one side zero in a category", [0, 40, 60], [10, 45, 45])
chi_case("identical", [10, 20, 30], [10, 20, 30])

chi_sf = []
for dof in [1, 2, 3, 5, 10, 30, 100, 1000, 10000, 100000, 1000000]:
    xs = [dof * m for m in [0.001, 0.01, 0.3, 0.9, 1.0, 1.1, 1.5, 2.0, 5.0]]
    for target in [1e-10, 1e-50, 1e-100, 1e-200, 1e-300]:
        xs.append(f(stats.chi2.isf(target, dof)))
    for x in xs:
        chi_sf.append({"x": f(x), "dof": dof, "sf": f(stats.chi2.sf(x, dof))})
for x in [1e-8, 0.5, 2000.0]:
    chi_sf.append({"x": x, "dof": 1, "sf": f(stats.chi2.sf(x, 1))})

# ---------------------------------------------------------------- ROC AUC with ties
auc_cases = []
for (n, levels) in [(50, 5), (1000, 20), (5000, 1000), (300, 2)]:
    y = rng.integers(0, 2, n)
    score = np.round(rng.integers(0, levels, n) + 0.7 * y * rng.uniform(size=n), 1)
    groups = {}
    for s, t in zip(score, y):
        g = groups.setdefault(f(s), [0, 0])
        g[0 if t == 1 else 1] += 1
    order = list(groups.items())
    rng.shuffle(order)
    auc_cases.append({"groups": [{"score": s, "positives": g[0], "negatives": g[1]} for s, g in order],
                      "auc": f(roc_auc_score(y, score))})
auc_cases.append({"groups": [{"score": 0.5, "positives": 10, "negatives": 0}], "auc": None})

# ---------------------------------------------------------------- classification metrics
metric_cases = []
for (tp, fp, tn, fn) in [(50, 10, 30, 10), (0, 0, 10, 5), (0, 5, 10, 0), (7, 0, 0, 0), (123, 45, 678, 90), (0, 3, 0, 4)]:
    y_true = np.array([1] * tp + [0] * fp + [0] * tn + [1] * fn)
    y_pred = np.array([1] * tp + [1] * fp + [0] * tn + [0] * fn)
    metric_cases.append({"tp": tp, "fp": fp, "tn": tn, "fn": fn,
                         "accuracy": f(accuracy_score(y_true, y_pred)),
                         "precision": f(precision_score(y_true, y_pred, zero_division=0)),
                         "recall": f(recall_score(y_true, y_pred, zero_division=0)),
                         "f1": f(f1_score(y_true, y_pred, zero_division=0))})

out = {
    "generator": "tests/reference/make_stats_reference.py",
    "versions": {"scipy": scipy.__version__, "numpy": np.__version__, "sklearn": sklearn.__version__},
    "ks": ks_cases, "ksPValue": ks_p, "kstwoSf": kstwo, "smirnov": smirn,
    "psi": psi_cases, "jensenShannon": js_cases, "chiSquare": chi_cases, "chiSquareSf": chi_sf,
    "rocAuc": auc_cases, "metrics": metric_cases,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stats.json")
with open(path, "w") as fh:
    json.dump(out, fh, sort_keys=True, allow_nan=False, separators=(",", ":"))
    fh.write("\n")
print(f"wrote {path}: {len(ks_cases)} ks, {len(ks_p)} ks p, {len(kstwo)} kstwo, {len(chi_sf)} chi2.sf")
