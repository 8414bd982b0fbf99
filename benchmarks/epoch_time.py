"""Seconds per training epoch on MNIST: mlp_lab against PyTorch, in the same run.

The network is 784-256-128-10 with ReLU, trained with Adam (lr 1e-3), batch 128, float32, on the
60,000 training images. Each thread count runs in its own process, because BLAS reads its thread
count (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS) once, when NumPy is imported. In that process both
libraries train for one warm-up epoch, then for ``--epochs`` epochs taken in turn (mlp_lab, torch,
mlp_lab, torch, ...), so that a disturbance from other programs hits both alike; the script prints
the median seconds per epoch of each and their ratio (below 1 means mlp_lab is faster).

    python benchmarks/epoch_time.py                  # 1 and 2 threads, 5 epochs each (make benchmark)
    python benchmarks/epoch_time.py --threads 1 --epochs 3

PyTorch is optional (``pip install torch==2.13.0``, the CPU build; it is not a project dependency):
without it, only mlp_lab's times are printed. MNIST is read with ``mlp_lab.data.load_mnist``, so
offline machines set MLP_LAB_MNIST_DIR (the Makefile does).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

SIZES = [784, 256, 128, 10]
BATCH, LR = 128, 1e-3
RESULT_TAG = "RESULT "


# --- one process per thread count ------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="BLAS thread counts (default: 1 2)")
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs per library, after one warm-up (default: 5)")
    parser.add_argument("--no-torch", action="store_true", help="time mlp_lab only")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)  # internal: run in this process
    args = parser.parse_args()
    if args.epochs < 1 or any(n < 1 for n in args.threads):
        parser.error("--epochs and --threads must be positive integers")
    if args.worker:
        return worker(args.worker, args.epochs, not args.no_torch)

    results = []
    for n in args.threads:
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(n), OMP_NUM_THREADS=str(n), MKL_NUM_THREADS=str(n))
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", str(n), "--epochs", str(args.epochs)]
        if args.no_torch:
            cmd.append("--no-torch")
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


def print_summary(results: list[dict], epochs: int) -> None:
    print(f"\nmedian seconds per epoch over {epochs} epochs (784-256-128-10 ReLU, Adam, batch {BATCH}, float32)")
    print(f"{'threads':>7}  {'mlp_lab':>8}  {'torch':>8}  {'ratio mlp_lab/torch':>19}")
    for r in results:
        torch_s = f"{r['torch']:8.3f}" if r.get("torch") else f"{'-':>8}"
        ratio = f"{r['mlp_lab'] / r['torch']:19.2f}" if r.get("torch") else f"{'-':>19}"
        print(f"{r['threads']:>7}  {r['mlp_lab']:8.3f}  {torch_s}  {ratio}")


# --- the worker: BLAS threads are already fixed by the environment ---------------------------

def worker(threads: int, epochs: int, with_torch: bool) -> int:
    import numpy as np

    import mlp_lab as ml
    from mlp_lab.data import load_mnist

    X, y = load_mnist("train")
    runners = {"mlp_lab": mlp_lab_epoch(ml, X, y)}
    if with_torch:
        torch_runner = torch_epoch(X, y, threads)
        if torch_runner:
            runners["torch"] = torch_runner

    times = {name: [] for name in runners}
    accuracy = {}
    print(f"threads {threads}: warm-up, then {epochs} timed epochs of {', '.join(runners)} in turn", flush=True)
    for epoch in range(epochs + 1):
        for name, run_epoch in runners.items():
            seconds, accuracy[name] = run_epoch(epoch)
            if epoch:  # epoch 0 is the warm-up
                times[name].append(seconds)
    result = {"threads": threads}
    for name, ts in times.items():
        result[name] = statistics.median(ts)
        print(f"  {name:8s} median {result[name]:.3f} s/epoch  (epochs: {' '.join(f'{t:.3f}' for t in ts)};"
              f" train accuracy after {epochs + 1} epochs {accuracy[name]:.2%})", flush=True)
    if "torch" in result:
        print(f"  ratio mlp_lab / torch = {result['mlp_lab'] / result['torch']:.2f}", flush=True)
    print(RESULT_TAG + json.dumps(result), flush=True)
    return 0


def mlp_lab_epoch(ml, X, y):
    """One epoch of ``ml.fit`` (the very loop a learner runs); returns (seconds, train accuracy)."""
    model = ml.MLP(SIZES, activation="relu", rng=0)
    optimizer = ml.Adam(model.parameters(), lr=LR)

    def run(epoch):
        history = ml.fit(model, X, y, optimizer, epochs=1, batch_size=BATCH, rng=epoch, verbose=False)
        return history["seconds"][0], history["acc"][0]
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
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), "
          f"Adam {'fused' if optimizer.defaults.get('fused') else 'foreach'}", flush=True)

    def run(epoch):
        order = torch.from_numpy(np.random.default_rng(epoch).permutation(len(X)))
        start = time.perf_counter()
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
        return time.perf_counter() - start, correct / len(X)
    return run


if __name__ == "__main__":
    sys.exit(main())
