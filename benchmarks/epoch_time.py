"""Seconds per training epoch on MNIST: mlp_lab against PyTorch and against its own matrix products.

The network is 784-256-128-10 with ReLU, trained with Adam (lr 1e-3), batch 128, float32, on the
60,000 training images. Each thread count runs in its own process, because BLAS reads its thread
count (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS) once, when NumPy is imported. In that process, after
one warm-up round, it runs ``--epochs`` rounds; each round times one epoch of each configuration
in turn, so that a disturbance from other programs hits all of them alike:

- ``mlp_lab``: one epoch of ``mlp_lab.fit``, the loop a learner runs;
- ``torch``: the same network and loop in PyTorch (fused Adam), when torch is installed;
- ``gemm``: only the epoch's matrix products (the same shapes, BLAS and threads, outputs
  preallocated), the floor for any NumPy implementation: "GEMM-bound" = gemm / mlp_lab;
- ``floor`` (with ``--floor``): the same epoch written as lean as NumPy allows, every array
  preallocated, no checks, no layers, the same Adam: gemm / floor is the highest GEMM-bound
  fraction a NumPy loop reaches on this machine, and floor - gemm the least non-GEMM work;
- ``floor-adam`` (with ``--floor``): the floor without its Adam steps, so floor - floor-adam is
  what Adam costs inside a lean epoch, where the matrix products take its arrays out of the caches;
- ``adam`` (with ``--floor``): only the epoch's optimizer steps, ``mlp_lab.Adam`` over the model's
  flat buffers with its caches warm: gemm / (gemm + adam) is the GEMM-bound fraction an epoch
  would reach if everything but its matrix products and its Adam steps were free.

It prints min / median / max seconds per epoch of each, and of the ratios taken within a round
(mlp_lab / torch, gemm / mlp_lab), next to the machine's load average and the BLAS in use.
Compare ratios measured in one run: absolute seconds follow the load of a shared machine
(``--cpu-time`` counts the worker's CPU seconds instead, which follow it much less).

    python benchmarks/epoch_time.py                       # 1 thread, 7 rounds (make benchmark)
    python benchmarks/epoch_time.py --threads 1 2 --epochs 5
    python benchmarks/epoch_time.py --floor --no-torch      # mlp_lab against the leanest NumPy epoch
    python benchmarks/epoch_time.py --cpu-time              # CPU seconds of the process: on a busy machine

Needs threadpoolctl (``pip install -r benchmarks/requirements.txt``, which ``make benchmark``
does). PyTorch is optional (``pip install torch==2.13.0``, the CPU build; not a project
dependency). MNIST is read with ``mlp_lab.data.load_mnist``: offline, set MLP_LAB_MNIST_DIR.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

SIZES = [784, 256, 128, 10]
BATCH, LR = 128, 1e-3
RESULT_TAG = "RESULT "
clock = time.perf_counter   # time.process_time with --cpu-time


# --- one process per thread count ------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1], help="BLAS thread counts (default: 1)")
    parser.add_argument("--epochs", type=int, default=7, help="timed rounds, after one warm-up (default: 7)")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument("--floor", action="store_true", help="add the leanest NumPy epoch (see above)")
    parser.add_argument("--cpu-time", action="store_true",
                        help="time by the process's CPU seconds instead of wall-clock (steadier on a loaded machine)")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)  # internal: run in this process
    args = parser.parse_args()
    if args.epochs < 1 or any(n < 1 for n in args.threads):
        parser.error("--epochs and --threads must be positive integers")
    try:
        import threadpoolctl  # noqa: F401  (only to fail early, before any process starts)
    except ImportError:
        parser.error("threadpoolctl is missing: pip install -r benchmarks/requirements.txt")
    if args.worker:
        global clock
        clock = time.process_time if args.cpu_time else time.perf_counter
        return worker(args.worker, args.epochs, not args.no_torch, args.floor)

    print(f"machine: {os.cpu_count()} CPUs, load average {load()} (1, 5, 15 min) at the start; "
          f"{'CPU' if args.cpu_time else 'wall-clock'} seconds", flush=True)
    results = []
    for n in args.threads:
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(n), OMP_NUM_THREADS=str(n), MKL_NUM_THREADS=str(n))
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", str(n), "--epochs", str(args.epochs)]
        cmd += ["--no-torch"] * args.no_torch + ["--floor"] * args.floor + ["--cpu-time"] * args.cpu_time
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
        for line in proc.stdout.splitlines():
            if line.startswith(RESULT_TAG):
                results.append(json.loads(line[len(RESULT_TAG):]))
            else:
                print(line, flush=True)
        if proc.returncode:
            print(f"the {n}-thread run failed (exit status {proc.returncode}); see the messages above.", file=sys.stderr)
            return proc.returncode
    print_summary(results, args.epochs)
    return 0


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def spread(values: list[float], fmt: str = "{:.3f}") -> str:
    """'min / median / max' of values."""
    return " / ".join(fmt.format(v) for v in (min(values), statistics.median(values), max(values)))


def print_summary(results: list[dict], epochs: int) -> None:
    print(f"\nsummary: 784-256-128-10 ReLU, Adam, batch {BATCH}, float32; {epochs} rounds; min / median / max")
    for r in results:
        print(f"  {r['threads']} BLAS thread(s), load {r['load_start']} -> {r['load_end']}:")
        print(f"    mlp_lab  s/epoch        {spread(r['mlp_lab'])}")
        if "torch" in r:
            print(f"    torch    s/epoch        {spread(r['torch'])}")
            print(f"    mlp_lab / torch         {spread(r['mlp_lab / torch'], '{:.2f}')}")
        print(f"    gemm     s/epoch        {spread(r['gemm'])}   ({r['gflop']:.1f} GFLOP per epoch)")
        print(f"    GEMM-bound (gemm / mlp_lab) {spread(r['gemm / mlp_lab'], '{:.0%}')}")
        if "floor" in r:
            print(f"    floor    s/epoch        {spread(r['floor'])}")
            print(f"    GEMM-bound (gemm / floor)   {spread(r['gemm / floor'], '{:.0%}')}")
            print(f"    mlp_lab / floor         {spread(r['mlp_lab / floor'], '{:.2f}')}")
            print(f"    floor-adam s/epoch      {spread(r['floor-adam'])}   (the floor without its Adam steps)")
            print(f"    Adam in the floor s/epoch {spread(r['floor - (floor-adam)'])}   (floor - floor-adam, same round)")
            print(f"    adam     s/epoch        {spread(r['adam'])}   (the optimizer steps alone, caches warm)")
            print(f"    GEMM-bound with only the GEMMs and Adam (gemm / (gemm + adam)) "
                  f"{spread(r['gemm / (gemm + adam)'], '{:.0%}')}")


# --- the worker: BLAS threads are already fixed by the environment ---------------------------

def worker(threads: int, epochs: int, with_torch: bool, with_floor: bool) -> int:
    from threadpoolctl import threadpool_info

    import mlp_lab as ml
    from mlp_lab.data import load_mnist

    X, y = load_mnist("train")
    load_start = load()
    runners = {"mlp_lab": mlp_lab_epoch(ml, X, y)}
    if with_torch:
        torch_runner = torch_epoch(X, y, threads)
        if torch_runner:
            runners["torch"] = torch_runner
    gflop, runners["gemm"] = gemm_epoch(len(X))
    if with_floor:
        runners["floor"] = floor_epoch(X, y)
        runners["floor-adam"] = floor_epoch(X, y, with_adam=False)
        runners["adam"] = adam_epoch(ml, len(X))
    for lib in threadpool_info():
        print(f"  {lib['internal_api']} {lib.get('version') or ''} ({lib['user_api']}"
              f"{', ' + lib['architecture'] + ' kernel' if lib.get('architecture') else ''}),"
              f" {lib['num_threads']} thread(s): {os.path.basename(lib['filepath'])}", flush=True)

    times = {name: [] for name in runners}
    print(f"threads {threads}: warm-up, then {epochs} rounds of {', '.join(runners)}; load {load_start}", flush=True)
    for epoch in range(epochs + 1):
        for name, run_epoch in runners.items():
            seconds = run_epoch(epoch)
            if epoch:  # round 0 is the warm-up
                times[name].append(seconds)
        if epoch:
            print(f"  round {epoch}: " + "  ".join(f"{name} {ts[-1]:.3f} s" for name, ts in times.items())
                  + f"  (load {load()})", flush=True)
    result = {"threads": threads, "gflop": gflop, "load_start": load_start, "load_end": load(), **times}
    result["gemm / mlp_lab"] = [g / m for g, m in zip(times["gemm"], times["mlp_lab"])]
    if "torch" in times:
        result["mlp_lab / torch"] = [m / t for m, t in zip(times["mlp_lab"], times["torch"])]
    if "floor" in times:
        result["gemm / floor"] = [g / f for g, f in zip(times["gemm"], times["floor"])]
        result["mlp_lab / floor"] = [m / f for m, f in zip(times["mlp_lab"], times["floor"])]
        result["gemm / (gemm + adam)"] = [g / (g + a) for g, a in zip(times["gemm"], times["adam"])]
        result["floor - (floor-adam)"] = [f - n for f, n in zip(times["floor"], times["floor-adam"])]
    print(RESULT_TAG + json.dumps(result), flush=True)
    return 0


def mlp_lab_epoch(ml, X, y):
    """One epoch of ``ml.fit`` (the very loop a learner runs); returns its seconds."""
    model = ml.MLP(SIZES, activation="relu", rng=0)
    optimizer = ml.Adam(model.parameters(), lr=LR)

    def run(epoch):
        start = clock()
        ml.fit(model, X, y, optimizer, epochs=1, batch_size=BATCH, rng=epoch, verbose=False)
        return clock() - start
    return run


def gemm_epoch(n: int):
    """(GFLOP per epoch, a runner timing only the epoch's matrix products) for n examples.

    Per batch of m rows, each layer (n_in -> n_out) computes Y = X W (m x n_in x n_out),
    dW = X^T dY, and, except the first layer, dX = dY W^T: 2 m n_in n_out flops each.
    """
    import numpy as np

    rng = np.random.default_rng(0)
    layers = list(zip(SIZES[:-1], SIZES[1:]))
    batch_sizes = [min(BATCH, n - start) for start in range(0, n, BATCH)]
    gflop = sum(2 * m * a * b * (2 if i == 0 else 3) for m in batch_sizes for i, (a, b) in enumerate(layers)) / 1e9

    def arrays(m):
        X = [rng.standard_normal((m, a), dtype=np.float32) for a, _ in layers]
        W = [rng.standard_normal((a, b), dtype=np.float32) for a, b in layers]
        dY = [rng.standard_normal((m, b), dtype=np.float32) for _, b in layers]
        out = ([np.empty((m, b), np.float32) for _, b in layers], [np.empty_like(w) for w in W],
               [np.empty((m, a), np.float32) for a, _ in layers])
        return X, W, dY, out
    shapes = {m: arrays(m) for m in set(batch_sizes)}

    def run(epoch):
        start = clock()
        for m in batch_sizes:
            X, W, dY, (Y, dW, dX) = shapes[m]
            for i in range(len(layers)):
                np.matmul(X[i], W[i], out=Y[i])
                np.matmul(X[i].T, dY[i], out=dW[i])
                if i:
                    np.matmul(dY[i], W[i].T, out=dX[i])
        return clock() - start
    return gflop, run


def adam_epoch(ml, n: int):
    """A runner timing only an epoch's optimizer steps: ``ml.Adam`` on a fresh model's flat buffers,
    once per batch of n examples, the gradients held fixed; nothing runs in between to evict its
    arrays from the caches, so this is the least an epoch's Adam costs."""
    import numpy as np

    model = ml.MLP(SIZES, activation="relu", rng=0)
    rng = np.random.default_rng(0)
    for _, _, grad in model.parameters():
        grad[...] = rng.standard_normal(grad.shape, dtype=np.float32) * np.float32(1e-2)
    optimizer = ml.Adam(model.parameters(), lr=LR)
    steps = math.ceil(n / BATCH)

    def run(epoch):
        start = clock()
        for _ in range(steps):
            optimizer.step()
        return clock() - start
    return run


def floor_epoch(X, y, with_adam: bool = True):
    """A runner timing the same epoch with the least NumPy work: no layers, checks or allocations.

    Per batch: gather rows, Z = A W + b and A = max(Z, 0) for each layer, the fused softmax
    cross-entropy and its gradient (P - Y) / m, dW = A^T dZ, db = sum dZ, dA = dZ W^T and
    dZ = dA where Z > 0 (no dX for the first layer), then Adam over one flat buffer in ten passes
    (mlp_lab's rule). Every result but the gathered batch goes into a preallocated array. Without
    Adam (``with_adam=False``) the weights never change: what the rest of the epoch costs.
    """
    import numpy as np

    f32 = np.float32
    rng = np.random.default_rng(0)
    layers = list(zip(SIZES[:-1], SIZES[1:]))
    shapes = [s for a, b in layers for s in ((a, b), (b,))]
    offsets = np.cumsum([0] + [int(np.prod(s)) for s in shapes])
    flat = {key: np.zeros(offsets[-1], f32) for key in ("p", "g", "M", "V", "tmp")}

    def views(buf):
        return [buf[offsets[i]:offsets[i + 1]].reshape(s) for i, s in enumerate(shapes)]
    params, grads = views(flat["p"]), views(flat["g"])
    W, b, dW, db = params[0::2], params[1::2], grads[0::2], grads[1::2]
    for (n_in, _), w in zip(layers, W):
        w[...] = rng.standard_normal(w.shape, dtype=f32) * f32(np.sqrt(2.0 / n_in))

    def buffers(m):
        Z = [np.empty((m, n_out), f32) for _, n_out in layers]
        return {"Z": Z, "A": [np.empty_like(z) for z in Z[:-1]], "dZ": [np.empty_like(z) for z in Z],
                "zero": [np.zeros_like(z) for z in Z[:-1]], "mask": [np.empty(z.shape, bool) for z in Z[:-1]],
                "rows": np.arange(m), "max": np.empty((m, 1), f32),
                "sum": np.empty((m, 1), f32)}
    by_size = {}
    b1, b2, lr, eps = 0.9, 0.999, LR, 1e-8
    state = {"t": 0}

    def step(order):
        m = len(order)
        buf = by_size.get(m) or by_size.setdefault(m, buffers(m))
        Z, A, dZ, zero, mask = buf["Z"], buf["A"], buf["dZ"], buf["zero"], buf["mask"]
        xb, yb = X[order], y[order]   # faster than np.take(..., out=) into a buffer here
        inputs = [xb] + A
        for i in range(len(layers)):
            np.matmul(inputs[i], W[i], out=Z[i])
            Z[i] += b[i]
            if i < len(A):
                np.maximum(Z[i], zero[i], out=A[i])
        scores, d = Z[-1], dZ[-1]
        np.max(scores, axis=1, keepdims=True, out=buf["max"])
        np.subtract(scores, buf["max"], out=d)
        np.exp(d, out=d)
        np.sum(d, axis=1, keepdims=True, out=buf["sum"])
        loss = float(np.log(buf["sum"]).sum() - (scores[buf["rows"], yb] - buf["max"][:, 0]).sum()) / m
        d /= buf["sum"]
        d[buf["rows"], yb] -= 1.0
        d *= f32(1.0 / m)
        for i in reversed(range(len(layers))):
            np.matmul(inputs[i].T, dZ[i], out=dW[i])
            np.sum(dZ[i], axis=0, out=db[i])
            if i:
                np.matmul(dZ[i], W[i].T, out=dZ[i - 1])
                np.greater(Z[i - 1], 0, out=mask[i - 1])
                np.multiply(dZ[i - 1], mask[i - 1], out=dZ[i - 1])
        if not with_adam:
            return loss
        state["t"] += 1
        t = state["t"]
        c = math.sqrt((1.0 - b2) / (1.0 - b2 ** t))
        p, g, M, V, tmp = (flat[k] for k in ("p", "g", "M", "V", "tmp"))
        M *= b1
        M += g
        np.multiply(g, g, out=tmp)
        V *= b2
        V += tmp
        np.sqrt(V, out=tmp)
        tmp += eps / c
        np.divide(M, tmp, out=tmp)
        tmp *= lr * (1.0 - b1) / ((1.0 - b1 ** t) * c)
        p -= tmp
        return loss

    def run(epoch):
        order = np.random.default_rng(epoch).permutation(len(X))
        start = clock()
        for i in range(0, len(X), BATCH):
            step(order[i:i + BATCH])
        return clock() - start
    return run


def torch_epoch(X, y, threads):
    """The same network and loop in PyTorch (default init), or None when torch is not installed."""
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed, so there is nothing to compare with: "
              "pip install torch==2.13.0 (the CPU build) to add it.", flush=True)
        return None
    import numpy as np

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(torch.nn.Linear(n_in, n_out))
        if i < len(SIZES) - 2:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    try:
        optimizer = torch.optim.Adam(net.parameters(), lr=LR, fused=True)
    except (RuntimeError, TypeError, ValueError):  # fused Adam needs a recent torch
        optimizer = torch.optim.Adam(net.parameters(), lr=LR, foreach=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)  # no copies: the same float32 and int64 arrays
    print(f"  torch {torch.__version__}, {torch.get_num_threads()} thread(s), "
          f"Adam {'fused' if optimizer.defaults.get('fused') else 'foreach'}, MKL {torch.backends.mkl.is_available()}, "
          f"CPU capability {torch.backends.cpu.get_cpu_capability()}", flush=True)

    def run(epoch):
        order = torch.from_numpy(np.random.default_rng(epoch).permutation(len(X)))
        start = clock()
        total, correct = 0.0, 0
        for i in range(0, len(X), BATCH):  # the same bookkeeping as mlp_lab's fit
            idx = order[i:i + BATCH]
            xb, yb = X_t[idx], y_t[idx]
            scores = net(xb)
            loss = loss_fn(scores, yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
            correct += int((scores.argmax(dim=1) == yb).sum())
        return clock() - start
    return run


if __name__ == "__main__":
    sys.exit(main())
