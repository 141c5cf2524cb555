"""numpy peer: one GD step of the exp network (docs/theory.md §2), "as usually written" and
"hand-optimised in place"; the Gram matrix H = κ²(XXᵀ)∘(EEᵀ); λ_min by eigvalsh.
Usage: peer_numpy.py DIR KIND VARIANT DTYPE REPS THREADS"""
import sys

import numpy as np

from peer_common import emit, load, openblas_core, timeit


def main():
    d, kind, variant, dtype, reps = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    dt = np.float32 if dtype == "f32" else np.float64
    blas = openblas_core(["scipy_openblas_", "openblas_"])
    if kind == "eig":
        H = np.fromfile(d + "/H.f64", dtype=np.float64)
        n = int(round(len(H) ** 0.5))
        H = H.reshape(n, n)
        out = {}
        ts = timeit(lambda: out.__setitem__("v", np.linalg.eigvalsh(H)[0]), reps)
        emit({"peer": "numpy", "variant": "eigvalsh", "ms": ts, "blas": blas, "value": float(out["v"])})
        return
    meta, X, W, a, y = load(d, dt)
    k = dt(meta["kappa"])
    eta = dt(meta["eta"])
    n, m = X.shape[0], W.shape[1]
    if kind == "gram":
        def gram():
            E = np.exp(X @ W)
            return (k * k) * (X @ X.T) * (E @ E.T)
        ts = timeit(gram, reps)
        emit({"peer": "numpy", "variant": "natural", "ms": ts, "blas": blas})
        return
    if variant == "natural":
        def step():
            nonlocal W
            Z = X @ W
            E = np.exp(Z)
            F = (E @ a) * k
            R = F - y
            G = (X.T @ (R[:, None] * E * a)) * k
            W = W - eta * G
    else:
        E = np.empty((n, m), dtype=dt)
        F = np.empty(n, dtype=dt)
        G = np.empty_like(W)
        ak = a * (k * eta)  # folds κ η a_r into one per-column scale of G

        def step():
            np.matmul(X, W, out=E)
            np.exp(E, out=E)
            np.matmul(E, a, out=F)
            np.multiply(F, k, out=F)
            np.subtract(F, y, out=F)  # r = u − y
            np.multiply(E, F[:, None], out=E)
            np.matmul(X.T, E, out=G)
            np.multiply(G, ak, out=G)
            np.subtract(W, G, out=W)
    ts = timeit(step, reps)
    emit({"peer": "numpy", "variant": variant, "ms": ts, "blas": blas})


main()
