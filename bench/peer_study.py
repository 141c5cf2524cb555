"""numpy peer of `npm run bench -- --only study`: the threshold search of src/experiments/threshold.ts
(the smallest width on the grid m0·2^{j/g} at which every seed reaches ‖F(W,X) − y‖₂ ≤ ε), each probe's
runs spread over WORKERS processes, each run plain full-batch GD in float64 written the natural numpy
way, with the stopping and divergence rules of src/train/train.ts.

Usage: peer_study.py DIR WORKERS
DIR holds what bench/study.ts exported: manifest.json (the protocol, η per activation and n, the grid),
X_n{n}.npy (the unit-normalised inputs the trainer sees), y_n{n}.npy, and init/s{seed}_m{m}_{W,a}.npy
(W(0) neuron-major m×d and a, exactly initialWeights' draws). Prints one JSON line: the wall time of
the whole study (pool start to last probe), every search's probes and m*, every run's outcome."""
import os

# one BLAS / OpenMP thread per process: the cores are used by the processes, not inside them
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_v] = "1"

import json  # noqa: E402
import math  # noqa: E402
import multiprocessing as mp  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from peer_common import maxrss_kb, openblas_core  # noqa: E402

_dir = None
_man = None
_cache = {}


def _init(d):
    global _dir, _man
    _dir = d
    _man = json.load(open(os.path.join(d, "manifest.json")))


def _load(name):
    v = _cache.get(name)
    if v is None:
        v = np.load(os.path.join(_dir, name))
        _cache[name] = v
    return v


def train(X, y, W, a, kappa, eta, eps, max_steps, factor, relu):
    """GD on ½‖κ σ(XW) a − y‖² until ‖r‖ ≤ ε, the budget, or divergence, in train.ts's order of checks.
    Non-finite: the trainer also checks W; a non-finite W makes z = Xw, hence ‖r‖, non-finite (the
    inputs have no zero coordinates), so the residual check alone is the same rule, one numpy call cheaper."""
    ka = kappa * a
    eka = eta * ka  # η κ a_r: the step's per-column factor
    Z = X @ W
    if relu:
        P = Z >= 0  # σ'(z) = 1{z ≥ 0}, as Du et al. and src/activations/relu.ts
        E = np.maximum(Z, 0.0)
    else:
        E = np.exp(Z)  # σ = σ' = exp
    r = E @ ka - y  # u − y, u = κ σ(XW) a
    res = math.sqrt(r @ r)
    res0 = res
    if not math.isfinite(res):
        return {"status": "error", "steps": 0, "initialResidual": None, "residual": None}
    limit = factor * max(res0, eps)
    k = 0
    status = "max-steps"
    while True:
        if res <= eps:
            status = "converged"
            break
        if k >= max_steps:
            break
        # W ← W − η ∇L,  ∇L = κ Xᵀ (diag(r) σ'(Z) diag(a))
        if relu:
            W -= X.T @ (P * (r[:, None] * eka))
            Z = X @ W
            P = Z >= 0
            E = np.maximum(Z, 0.0)
        else:
            W -= X.T @ (E * r[:, None] * eka)
            E = np.exp(X @ W)
        r = E @ ka - y
        nxt = math.sqrt(r @ r)
        k += 1
        if not math.isfinite(nxt):
            status = "diverged"  # the trainer keeps the last finite weights and step count
            k -= 1
            break
        res = nxt
        if res > limit:
            status = "diverged"
            break
    return {"status": status, "steps": k, "initialResidual": res0, "residual": res}


def run_one(job):
    t0 = time.perf_counter()
    act, n, m, seed = job
    X = _load(f"X_n{n}.npy")
    y = _load(f"y_n{n}.npy")
    W0 = np.load(os.path.join(_dir, "init", f"s{seed}_m{m}_W.npy"))  # m×d, neuron-major
    a = np.load(os.path.join(_dir, "init", f"s{seed}_m{m}_a.npy"))
    W = W0.T.copy()  # docs/theory.md's W = [w_1 … w_m], d×m
    p = _man
    out = train(X, y, W, a, 1.0 / math.sqrt(m), p["eta"][f"{act}/{n}"], p["epsilon"], p["maxSteps"], p["divergenceFactor"], act == "relu")
    out.update({"activation": act, "n": n, "m": m, "seed": seed, "timeMs": (time.perf_counter() - t0) * 1e3})
    return out


def grid_width(m0, g, j):
    # gridWidth of threshold.ts: max(2, 2·round(m0·2^{j/g}/2)); Math.round rounds halves up
    return max(2, 2 * math.floor(m0 * 2 ** (j / g) / 2 + 0.5))


def search(m0, m_max, m_min, g, target):
    """searchThreshold of src/experiments/threshold.ts, step for step, as a generator: it yields each
    width to probe and is sent back that width's success rate; its return value is the search's result."""
    probes = []
    cache = {}

    def probe(j):
        if j in cache:
            return cache[j]
        m = grid_width(m0, g, j)
        rate = yield m
        ok = rate >= target
        probes.append({"m": m, "rate": rate, "success": ok})
        cache[j] = ok
        return ok

    j_fail = j_ok = None
    if (yield from probe(0)):
        j_ok = 0
        j = -g
        while grid_width(m0, g, j) >= m_min:
            if (yield from probe(j)):
                j_ok = j
            else:
                j_fail = j
                break
            if grid_width(m0, g, j) == m_min:
                break
            j -= g
    else:
        j_fail = 0
        j = g
        while grid_width(m0, g, j) <= m_max:
            if (yield from probe(j)):
                j_ok = j
                break
            j_fail = j
            j += g
    below = None if j_fail is None else grid_width(m0, g, j_fail)
    if j_ok is None:
        return {"mStar": None, "mBelow": below, "probes": probes}
    if j_fail is not None:
        while j_ok - j_fail > 1:
            mid = (j_ok + j_fail) // 2
            if (yield from probe(mid)):
                j_ok = mid
            else:
                j_fail = mid
        below = grid_width(m0, g, j_fail)
    return {"mStar": grid_width(m0, g, j_ok), "mBelow": below, "probes": probes}


def run_search(rate_at, m0, m_max, m_min, g, target):
    """search driven to its end by a function of the width (one search alone, as the tests run it)."""
    gen = search(m0, m_max, m_min, g, target)
    try:
        m = next(gen)
        while True:
            m = gen.send(rate_at(m))
    except StopIteration as stop:
        return stop.value


def main():
    d, workers = sys.argv[1], int(sys.argv[2])
    _init(d)
    p = _man
    for j, m in p["grid"]:
        if grid_width(p["m0"], p["gridPerDoubling"], j) != m:
            raise SystemExit(f"grid width j={j}: ours {m}, here {grid_width(p['m0'], p['gridPerDoubling'], j)}")
    runs = []
    keys = [(act, n) for act in p["activations"] for n in p["n"]]
    result = {}
    t0 = time.perf_counter()
    # every (activation, n) searched at once, as thresholdStudy does: each round runs the next probe
    # of every unfinished search in one pool.map, so that no core waits on a lone probe's slowest run
    with mp.get_context("fork").Pool(workers, initializer=_init, initargs=(d,)) as pool:
        gens = {k: search(p["m0"], p["mMax"], p["mMin"], p["gridPerDoubling"], p["target"]) for k in keys}
        want = {k: next(gens[k]) for k in keys}
        while want:
            batch = list(want.items())
            out = pool.map(run_one, [(act, n, m, s) for (act, n), m in batch for s in p["seeds"]], chunksize=1)
            runs.extend(out)
            for b, (k, m) in enumerate(batch):
                mine = out[b * len(p["seeds"]):(b + 1) * len(p["seeds"])]
                del want[k]
                bad = [r for r in mine if r["status"] == "error"]
                if bad:
                    gens[k].close()
                    result[k] = {"mStar": None, "mBelow": None, "probes": [], "undetermined": f"{len(bad)} of {len(mine)} run(s) at m = {m}: F(W(0), X) is not finite"}
                    continue
                try:
                    want[k] = gens[k].send(sum(r["status"] == "converged" for r in mine) / len(mine))
                except StopIteration as stop:
                    result[k] = stop.value
    searches = [dict(result[k], activation=k[0], n=k[1]) for k in keys]
    ms = (time.perf_counter() - t0) * 1e3
    sys.stdout.write(json.dumps({
        "peer": "numpy", "ms": ms, "workers": workers, "numpy": np.__version__,
        "blas": openblas_core(["scipy_openblas_", "openblas_"]), "searches": searches, "runs": runs,
        # the largest process: the parent or one of the (reaped) workers
        "maxrss_kb": max(maxrss_kb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss),
    }) + "\n")


if __name__ == "__main__":
    main()
