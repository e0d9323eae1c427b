"""Benchmark of issue 9: the convex head vs AdamW on digits 3 vs 8, and FISTA at 5,000 x 384.

Run:  python bench/compare.py            (about 3-5 minutes on 2 cores)
      python bench/compare.py --quick    (digits with k = 50 and 3 seeds; 5,000 x 384 once)

1. Digits 3 vs 8 (scikit-learn's 8x8 digits, 357 rows, 64 features, 50/50 stratified split,
   standardised with training statistics, 20% of the training rows validate the
   hyper-parameters): convex gated head with k = 50, 100, 200 Gaussian (and GA) sampled
   patterns, beta in {0.1, 0.03, 0.01} x beta_max, FISTA to a relative duality gap of 1e-4;
   AdamW with width k, lr in {1e-2, 1e-3, 1e-4}, 20 epochs, batch 20, weight decay 1e-3, MSE.
   For each: median final test accuracy, median total time, and the median time at which the
   method's best-so-far-by-validation model first reaches AdamW's median final accuracy.
   Also one exact (cone-constrained) solve with k = 50 at 0.03 beta_max.
2. A 5,000 x 384 embedding-like matrix (unit-norm rows of a low-rank Gaussian mixture, two
   classes), standardised as the page does by default: the gated program with k = 50 Gaussian
   patterns, squared loss, beta = 0.1 and 0.01 x beta_max, relative gap 1e-3: the FISTA of
   this issue (float64 and float32 products) against the previous FISTA (git revision
   7461ced), ``fit_convex`` end to end and one compare run; then the raw unit-norm rows (the
   ones column dominates: a worse-conditioned program).
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time

import numpy as np
from threadpoolctl import threadpool_limits

from convexnn import compare as cmp
from convexnn import realdata as rd
from convexnn.patterns.arrangements import lift
from convexnn.program.convex import fit_convex
from convexnn.program.first_order import fista_gated

OLD_REVISION = "7461ced"


def digits(quick: bool) -> None:
    print("== digits 3 vs 8 ==")
    split = rd.split(rd.digits((3, 8)), 0.5, seed=0)
    print(f"{split.n_train} training rows ({round(0.2 * split.n_train)} of them validation), "
          f"{split.X_test.shape[0]} test rows, {split.dim} features")
    ks = (50,) if quick else (50, 100, 200)
    seeds = tuple(range(3 if quick else 5))
    for sampling in ("gaussian",) if quick else ("gaussian", "geometric"):
        spec = cmp.CompareSpec(ks=ks, seeds=seeds, sampling=sampling)
        t0 = time.perf_counter()
        rows = cmp.run_comparison(split, spec)
        print(f"-- {sampling} sampling, {len(seeds)} seeds ({time.perf_counter() - t0:.0f} s wall in all)")
        print(f"{'method':>13} {'k':>4} {'test acc (min-max)':>22} {'time s':>8} {'neurons':>8} "
              f"{'AdamW final':>11} {'t to reach':>10} {'seeds':>5}")
        for r in cmp.summary(rows):
            if r["method"] == "adamw" and sampling != "gaussian":
                continue  # AdamW does not depend on the sampling
            print(f"{r['method']:>13} {r['k']:>4} {r['test_acc_median']:.4f} ({r['test_acc_min']:.3f}-"
                  f"{r['test_acc_max']:.3f}) {r['time_median']:>8.3f} {r['neurons_median']:>8.0f} "
                  f"{r['adamw_final_median']:>11.4f} {r['time_to_adamw_median']:>10.4f} "
                  f"{r['reached']}/{r['seeds']}")
    # one exact solve
    prob = cmp._problem(split, None, 0, 0.2)
    G, M = cmp.sample_gates(prob.X_fit, 50, "gaussian", 0)
    y = prob.T_fit[:, 0]
    beta = 0.03 * cmp.gated_beta_max(lift(prob.X_fit), M.astype(float), y)
    t0 = time.perf_counter()
    fit = fit_convex(prob.X_fit, y, beta, patterns=M.T, relu="exact", time_limit=300)
    t = time.perf_counter() - t0
    acc = np.mean(rd.predict_labels(fit.network().predict(prob.X_test), split.classes) == prob.lab_test)
    print(f"exact program, k = 50 ({M.shape[1]} patterns), beta = 0.03 beta_max: {t:.1f} s, {fit.status}, "
          f"{fit.n_active} neurons, test accuracy {acc:.4f}")


def embedding_like(n: int = 5000, d: int = 384, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit-norm rows of a rank-32 two-class Gaussian mixture plus isotropic noise."""
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(rng.standard_normal((d, 32)))[0]
    labels = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    centres = rng.standard_normal((2, 32))
    Z = centres[(labels > 0).astype(int)] + rng.standard_normal((n, 32))
    X = Z @ basis.T + 0.3 * rng.standard_normal((n, d))
    # a nonlinear label: the class, flipped in one half-space of another direction
    flip = np.where(Z[:, 1] * Z[:, 2] > 0, 1.0, -1.0)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return X, labels * flip


def load_old_first_order():
    src = subprocess.run(["git", "show", f"{OLD_REVISION}:convexnn/first_order.py"], capture_output=True,
                         text=True, check=False)
    if src.returncode != 0:
        return None
    path = tempfile.NamedTemporaryFile("w", suffix=".py", delete=False)
    path.write(src.stdout.replace("from . import losses", "from convexnn import losses"))
    path.close()
    spec = importlib.util.spec_from_file_location("convexnn_first_order_old", path.name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def big(quick: bool, standardize: bool = True) -> None:
    how = "standardised columns (the page's default)" if standardize else "raw unit-norm rows"
    print(f"== 5,000 x 384, {how}, gated program, k = 50 Gaussian patterns, relative gap 1e-3 ==")
    X, y = embedding_like()
    if standardize:
        X = (X - X.mean(0)) / X.std(0)
    Xt = lift(X)
    t0 = time.perf_counter()
    G, M = cmp.sample_gates(X, 50, "gaussian", 0)
    t_sample = time.perf_counter() - t0
    Mf = M.astype(float)
    lmax = cmp.gated_beta_max(Xt, Mf, y)
    print(f"{M.shape[1]} distinct patterns, sampled in {t_sample:.3f} s; beta_max = {lmax:.4g}")
    old = load_old_first_order()
    for frac in (0.1,) if quick or not standardize else (0.1, 0.01):
        beta = frac * lmax
        runs = [("this FISTA, float64", lambda b=beta: fista_gated(Xt, y, Mf, b, tol=1e-3, time_limit=120)),
                ("this FISTA, float32 products",
                 lambda b=beta: fista_gated(Xt, y, Mf, b, tol=1e-3, time_limit=120, single=True))]
        if old is not None and not quick and standardize:
            runs.append((f"FISTA of {OLD_REVISION}",
                         lambda b=beta: old.fista_gated(Xt, y, Mf, b, tol=1e-3, time_limit=120)))
        for name, run in runs:
            t0 = time.perf_counter()
            res = run()
            t = time.perf_counter() - t0
            acc = np.mean(np.sign(res.pred) == y)
            print(f"beta = {frac:g} beta_max, {name:>30}: {t:6.2f} s, {res.iterations:5d} iterations "
                  f"({1e3 * t / max(res.iterations, 1):.1f} ms each), {res.status}, "
                  f"objective {res.primal:.6g}, train accuracy {acc:.4f}")
    if not standardize:
        return
    t0 = time.perf_counter()
    fit = fit_convex(X, y, 0.1 * lmax, patterns=M.T, relu="gated", tol=1e-3)
    print(f"fit_convex (patterns, cones, FISTA, certificate), beta = 0.1 beta_max: "
          f"{time.perf_counter() - t0:.2f} s, {fit.status}, {fit.n_active} neurons")
    split = rd.split(rd.LabelledData(X, y), 0.5, seed=0)
    spec = cmp.CompareSpec(methods=("convex_gated",), ks=(50,), seeds=(0,), beta_fractions=(0.1,), tol=1e-3)
    t0 = time.perf_counter()
    rows = cmp.run_comparison(split, spec)
    print(f"compare run (2,500 rows: 2,000 fit / 500 validation; beta = 0.1 beta_max): timed "
          f"{rows[-1]['time']:.2f} s, {time.perf_counter() - t0:.2f} s wall with evaluation, "
          f"test accuracy {rows[-1]['test_acc']:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    threadpool_limits(1)
    print("one BLAS thread (as the app and the tests)")
    digits(args.quick)
    big(args.quick)
    big(args.quick, standardize=False)


if __name__ == "__main__":
    main()
