"""Shared by the Python peers of `npm run bench`: read the problem the TypeScript side wrote,
time a callable, report peak memory. Each peer runs one variant per process, so that its peak
resident memory (ru_maxrss) belongs to that variant alone."""
import json
import os
import resource
import sys
import time

import numpy as np


def load(d, dtype):
    meta = json.load(open(os.path.join(d, "meta.json")))
    n, dd, m = meta["n"], meta["d"], meta["m"]
    X = np.fromfile(os.path.join(d, "X.f64"), dtype=np.float64).reshape(n, dd)
    # the file holds W neuron-major (m×d); the peers use docs/theory.md's W = [w_1 … w_m] (d×m)
    W = np.fromfile(os.path.join(d, "W.f64"), dtype=np.float64).reshape(m, dd).T.copy()
    a = np.fromfile(os.path.join(d, "a.f64"), dtype=np.float64)
    y = np.fromfile(os.path.join(d, "y.f64"), dtype=np.float64)
    return meta, X.astype(dtype), W.astype(dtype), a.astype(dtype), y.astype(dtype)


def timeit(fn, reps, warmup=1):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    return ts


def maxrss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def openblas_core(prefixes):
    """Name of the OpenBLAS kernel in use (e.g. SkylakeX), read from the loaded library."""
    import ctypes

    libs = sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.lower() and ".so" in l})
    for lib in libs:
        try:
            h = ctypes.CDLL(lib)
        except OSError:
            continue
        for p in prefixes:
            for name in (p + "get_corename", p + "get_corename64_"):
                f = getattr(h, name, None)
                if f is None:
                    continue
                f.restype = ctypes.c_char_p
                cfg = getattr(h, name.replace("corename", "config"), None)
                info = f().decode()
                if cfg is not None:
                    cfg.restype = ctypes.c_char_p
                    info += " (" + cfg().decode().strip() + ")"
                return os.path.basename(lib) + ": " + info
    return "no OpenBLAS found in the process (" + (", ".join(os.path.basename(l) for l in libs) or "no BLAS library mapped") + ")"


def emit(obj):
    obj["maxrss_kb"] = maxrss_kb()
    sys.stdout.write(json.dumps(obj) + "\n")
