"""PyTorch peer (Debian python3-torch on /usr/bin/python3): one GD step "as usually written"
(natural tensor code, and autograd) and "hand-optimised in place"; the Gram matrix; λ_min.
Usage: peer_torch.py DIR KIND VARIANT DTYPE REPS THREADS"""
import sys

import numpy as np
import torch

from peer_common import emit, load, openblas_core, timeit


def main():
    d, kind, variant, dtype, reps, threads = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
    torch.set_num_threads(threads)
    dt = np.float32 if dtype == "f32" else np.float64
    torch.zeros(4, 4) @ torch.zeros(4, 4)  # load the BLAS before asking which it is
    blas = openblas_core(["openblas_"]) + "; torch " + torch.__version__ + ", " + str(torch.get_num_threads()) + " threads"
    if kind == "eig":
        H = np.fromfile(d + "/H.f64", dtype=np.float64)
        n = int(round(len(H) ** 0.5))
        Ht = torch.from_numpy(H.reshape(n, n))
        out = {}
        ts = timeit(lambda: out.__setitem__("v", torch.linalg.eigvalsh(Ht)[0].item()), reps)
        emit({"peer": "torch", "variant": "eigvalsh", "ms": ts, "blas": blas, "value": out["v"]})
        return
    meta, X, W, a, y = load(d, dt)
    X, W, a, y = (torch.from_numpy(v) for v in (X, W, a, y))
    k = float(meta["kappa"])
    eta = float(meta["eta"])
    n, m = X.shape[0], W.shape[1]
    if kind == "gram":
        def gram():
            with torch.no_grad():
                E = torch.exp(X @ W)
                return (k * k) * (X @ X.T) * (E @ E.T)
        ts = timeit(gram, reps)
        emit({"peer": "torch", "variant": "natural", "ms": ts, "blas": blas})
        return
    if variant == "natural":
        def step():
            nonlocal W
            with torch.no_grad():
                E = torch.exp(X @ W)
                R = (E @ a) * k - y
                G = (X.T @ (R[:, None] * E * a)) * k
                W = W - eta * G
    elif variant == "autograd":
        Wg = W.clone().requires_grad_(True)

        def step():
            u = k * (torch.exp(X @ Wg) @ a)
            loss = 0.5 * ((u - y) ** 2).sum()
            loss.backward()
            with torch.no_grad():
                Wg.sub_(eta * Wg.grad)
            Wg.grad = None
    else:
        E = torch.empty((n, m), dtype=X.dtype)
        F = torch.empty(n, dtype=X.dtype)
        G = torch.empty_like(W)
        XT = X.T.contiguous()
        ak = a * (k * eta)

        def step():
            with torch.no_grad():
                torch.matmul(X, W, out=E)
                E.exp_()
                torch.mv(E, a, out=F)
                F.mul_(k).sub_(y)
                E.mul_(F[:, None])
                torch.matmul(XT, E, out=G)
                G.mul_(ak)
                W.sub_(G)
    ts = timeit(step, reps)
    emit({"peer": "torch", "variant": variant, "ms": ts, "blas": blas})


main()
