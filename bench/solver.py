"""Benchmark of the exact convex program: the fast solver against cvxpy (Clarabel, SCS) and pyscnn.

Run:  python bench/solver.py            (a few minutes on 2 cores)
      python bench/solver.py --full     (adds Clarabel at n = 100 and SCS at n = 50: ~5 more minutes)

Data: the spiral of math.md section 9 with n points, 2-D + bias, *all* arrangement patterns, squared
loss, beta = 1e-2 and 1e-3 times beta_max. Times include pattern enumeration and problem
construction. Every method's objective is compared with the best one of the same problem
("rel gap"), the constraint violation is max_i -min((2 D_i - I) X~ u_i) over the blocks,
and speed ratios are taken against Clarabel in the same run. Also: 200 sampled patterns (exact
and gated program), a warm-started Lasso path of 30 beta values against one cold solve, and the
peak memory of the n = 400 solve.
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

import convexnn as cn
from convexnn.arrangements import lift
from convexnn.convex import fit_convex, prepare_patterns


def constraint_violation(fit) -> float:
    """max over blocks of -min((2 D_i - I) X~ u_i) (0 when feasible; the gated program has none)."""
    if fit.relu == "gated":
        return 0.0
    Xt = lift(fit.X, fit.bias)
    worst = 0.0
    for U in (fit.u, fit.u_neg):
        norms = np.linalg.norm(U, axis=1)
        live = np.flatnonzero(norms > 1e-9 * max(norms.max(initial=0.0), 1e-300))
        if live.size:
            S = np.where(fit.patterns[live], 1.0, -1.0) * (U[live] @ Xt.T)
            worst = max(worst, float(np.max(-S.min(axis=1))))
    return max(worst, 0.0)


def run(method, X, y, beta, patterns="exact", relu="exact"):
    t0 = time.perf_counter()
    if method == "fast":
        fit = fit_convex(X, y, beta, patterns=patterns, relu=relu, solver="fast")
    elif method in ("clarabel", "scs"):
        fit = fit_convex(X, y, beta, patterns=patterns, relu=relu, solver="cvxpy",
                         cvxpy_solver=method.upper(), time_limit=900)
    else:
        raise ValueError(method)
    return fit, time.perf_counter() - t0


def run_pyscnn(X, y, beta, G, relu):
    """pyscnn (the authors' library) on the patterns of the gate vectors G (d~, p).

    Its objective is ||f - y||^2 / (2n) + lam sum ||v_i||, i.e. ours divided by n, so lam = beta / n.
    Data are passed with the ones column and ``unitize_data=False`` so the problem is the same;
    the returned blocks are evaluated on our objective.
    """
    from scnn.metrics import Metrics
    from scnn.models import ConvexGatedReLU, ConvexReLU
    from scnn.optimize import optimize_model
    from scnn.regularizers import NeuronGL1
    from scnn.solvers import AL, RFISTA

    Xt = lift(X, True)
    n = len(y)
    model = ConvexReLU(G, c=1) if relu == "exact" else ConvexGatedReLU(G, c=1)
    solver = AL(model) if relu == "exact" else RFISTA(model)
    t0 = time.perf_counter()
    cvx, _ = optimize_model(model, solver, Metrics(), Xt, y, regularizer=NeuronGL1(beta / n),
                            return_convex=True, unitize_data=False, dtype="float64")
    secs = time.perf_counter() - t0
    G_used = np.asarray(cvx.G)  # pyscnn drops gates with repeated patterns
    D = (Xt @ G_used >= 0).T.astype(float)
    U = np.asarray(cvx.parameters[0]).reshape(G_used.shape[1], -1)
    V = np.asarray(cvx.parameters[1]).reshape(G_used.shape[1], -1) if relu == "exact" else 0 * U
    f = np.einsum("pk,pk->k", D, (U - V) @ Xt.T)
    objective = 0.5 * np.sum((f - y) ** 2) + beta * (np.linalg.norm(U, axis=1).sum()
                                                     + np.linalg.norm(V, axis=1).sum())
    S = 2 * D - 1
    violation = 0.0
    for B in (U, V):
        norms = np.linalg.norm(B, axis=1)
        live = norms > 1e-9 * max(norms.max(initial=0.0), 1e-300)
        if relu == "exact" and live.any():
            violation = max(violation, float(np.max(-(S[live] * (B[live] @ Xt.T)).min(1))))
    return objective, max(violation, 0.0), secs


def table(rows, headers):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    line = "| " + " | ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    out = [line, sep]
    for r in rows:
        out.append("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
    return "\n".join(out)


def main() -> None:
    threadpool_limits(1)  # as the app runs (see app.py); OpenBLAS threads only contend on 2 cores
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="also Clarabel at n=100, SCS at n=50")
    parser.add_argument("--sizes", type=int, nargs="*", default=[25, 50, 100, 200, 400])
    args = parser.parse_args()
    clarabel_max = 100 if args.full else 50
    have_pyscnn = importlib.util.find_spec("scnn") is not None
    scs_max = 50 if args.full else 25

    print(f"# convexnn solver benchmark ({time.strftime('%Y-%m-%d')}, python {sys.version.split()[0]})\n")
    print("## All patterns, spiral data, squared loss\n")
    rows = []
    for n in args.sizes:
        data = cn.datasets.spiral(n)
        X, y = data.X, data.y
        t0 = time.perf_counter()
        cones = prepare_patterns(X, "exact")
        t_enum = time.perf_counter() - t0
        bmax = cn.beta_max(X, y, cones=cones)
        for ratio in (1e-2, 1e-3):
            beta = ratio * bmax
            methods = ["fast"]
            if n <= clarabel_max:
                methods.append("clarabel")
            if n <= scs_max:
                methods.append("scs")
            results = {}
            for m in methods:
                fit, secs = run(m, X, y, beta)
                if m == "fast":
                    secs += t_enum  # the fast solver needs the enumeration; cvxpy builds it inside
                results[m] = (fit, secs)
            best = min(f.objective for f, _ in results.values())
            ref = results.get("clarabel", (None, None))[1]
            for m, (fit, secs) in results.items():
                rows.append([
                    n, cones.count, f"{ratio:g}", m, f"{secs:.2f}", f"{fit.objective:.8f}",
                    f"{(fit.objective - best) / best:.1e}", f"{constraint_violation(fit):.1e}",
                    fit.n_active, fit.certificate.summary().split(":")[0],
                    f"{ref / secs:.2g}x" if ref and m != "clarabel" else "",
                ])
            print(table(rows[-len(results):], ["n", "patterns", "beta/bmax", "method", "time s",
                                                "objective", "rel gap", "violation", "active",
                                                "certificate", "vs Clarabel"]), flush=True)
            print()
            if n == max(args.sizes) and ratio == 1e-3:
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                print(f"peak memory after n = {n}: {peak:.0f} MB\n")
    print("## Summary (all patterns)\n")
    print(table(rows, ["n", "patterns", "beta/bmax", "method", "time s", "objective", "rel gap",
                       "violation", "active", "certificate", "vs Clarabel"]))
    print()

    print("## 200 sampled Gaussian patterns\n")
    srows = []
    for n in (100, 200):
        data = cn.datasets.spiral(n)
        X, y = data.X, data.y
        G = np.random.default_rng(0).standard_normal((3, 200))
        pats = cn.arrangements.sort_patterns((lift(X, True) @ G >= 0).T)
        pats = pats[pats.any(axis=1)]
        bmax = cn.beta_max(X, y, patterns=pats)
        for relu in ("exact", "gated"):
            got = {}
            for m in ("fast", "clarabel"):
                fit, secs = run(m, X, y, 1e-2 * bmax, patterns=pats, relu=relu)
                got[m] = (fit.objective, constraint_violation(fit), secs, fit.certificate.summary())
            if have_pyscnn:
                obj, viol, secs = run_pyscnn(X, y, 1e-2 * bmax, G, relu)
                got["pyscnn"] = (obj, viol, secs, "-")
            best = min(v[0] for v in got.values())
            for m, (obj, viol, secs, cert) in got.items():
                srows.append([n, len(pats), relu, m, f"{secs:.3f}", f"{obj:.8f}",
                              f"{(obj - best) / best:.1e}", f"{viol:.1e}", cert.split(":")[0],
                              f"{got['clarabel'][2] / secs:.1f}x" if m != "clarabel" else ""])
    print(table(srows, ["n", "patterns", "program", "method", "time s", "objective", "rel gap",
                        "violation", "certificate", "vs Clarabel"]))
    print()

    print("## Warm-started Lasso path (30 beta values, beta_max down to 1e-3 beta_max)\n")
    prow = []
    for n in (50, 100):
        data = cn.datasets.spiral(n)
        X, y = data.X, data.y
        cones = prepare_patterns(X, "exact")
        bmax = cn.beta_max(X, y, cones=cones)
        t0 = time.perf_counter()
        cold = fit_convex(X, y, 1e-3 * bmax, cones=cones)
        t_cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        fits = cn.lasso_path(X, y, n_betas=30, cones=cones)
        t_path = time.perf_counter() - t0
        ok = sum(f.status == "optimal" for f in fits)
        prow.append([n, f"{t_cold:.2f}", f"{t_path:.2f}", f"{t_path / t_cold:.1f}x", f"{ok}/30",
                     f"{abs(fits[-1].objective - cold.objective) / cold.objective:.1e}"])
    print(table(prow, ["n", "cold solve s", "path of 30 s", "path / cold", "certified",
                       "last vs cold"]))
    print()
    if not have_pyscnn:
        print("pyscnn is not installed: `pip install pyscnn` (with torch) adds its rows.")


if __name__ == "__main__":
    main()
