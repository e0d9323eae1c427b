"""Benchmark of the exact convex program: the fast solver against cvxpy + Clarabel.

Run:  python bench/solver.py              (n = 50, 100, 200: a few minutes on 2 cores)
      python bench/solver.py --sizes 400  (one large size; ~1 GB of patterns and cones)
      python bench/solver.py --full       (adds Clarabel at n = 100: ~10 more minutes)

Everything runs with one BLAS thread and is timed in CPU seconds of this process
(``time.process_time``); wall seconds and the load average are printed beside them, since a
shared machine stretches wall time. Data: the spiral of ``convexnn.data.datasets.spiral`` with n
points (2-D + bias), *all* arrangement patterns, beta = 1e-3 and 1e-2 times ||X~^T y||_inf
(the issue's convention), squared loss unless stated. The solver's time covers
``fit_convex`` on precomputed patterns (enumeration is listed apart). Clarabel runs through
cvxpy in the same process after a warm-up solve (the first cvxpy solve of a process costs
seconds of imports and compilation, which are not counted). "floor" is one dense pricing pass
X~^T D_i lam over all patterns as a float64 matrix product with the patterns already in
floating point: the physical floor of one pass; "passes" is the solve's CPU time in floors.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

import convexnn as cn
from convexnn.patterns.arrangements import lift
from convexnn.program.convex import fit_convex, prepare_patterns


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


def timed(fn, *args, **kwargs):
    """(result, CPU seconds, wall seconds)."""
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.process_time() - c0, time.perf_counter() - w0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    return " / ".join(f"{v:.1f}" for v in os.getloadavg())


def pricing_floor(cones, Z, lam, min_seconds: float = 0.05) -> float:
    """CPU seconds of one dense pass D @ (Z * lam) with D already float64 (mean over enough
    repeats to be above the clock's resolution)."""
    D = cones.patterns.astype(np.float64)
    G = Z * lam[:, None]
    repeats, c0 = 0, time.process_time()
    while repeats < 3 or time.process_time() - c0 < min_seconds:
        D @ G
        repeats += 1
    return (time.process_time() - c0) / repeats


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


def warm_up_cvxpy() -> None:
    data = cn.datasets.spiral(8)
    fit_convex(data.X, data.y, 0.1, solver="cvxpy")


def all_patterns(sizes, clarabel_max):
    headers = ["n", "patterns", "beta/b0", "method", "CPU s", "wall s", "objective", "rel gap",
               "violation", "certificate", "vs Clarabel", "floor s", "passes", "peak RSS MB"]
    rows = []
    for n in sizes:
        data = cn.datasets.spiral(n)
        X, y = data.X, data.y
        cones, t_enum, _ = timed(prepare_patterns, X, "exact")
        b0 = float(np.abs(lift(X).T @ y).max())
        Z = lift(X) @ cones.basis
        for ratio in (1e-3, 1e-2):
            beta = ratio * b0
            fit, cpu, wall = timed(fit_convex, X, y, beta, cones=cones)
            peak = peak_mb()  # before the floor's float64 copy of the patterns
            floor = pricing_floor(cones, Z, -cn.losses.gradient("squared", fit.fitted(), y))
            got = {"fast": (fit, cpu, wall)}
            if n <= clarabel_max:
                got["clarabel"] = timed(fit_convex, X, y, beta, cones=cones, solver="cvxpy",
                                        time_limit=1800)
            best = min(f.objective for f, _, _ in got.values())
            for m, (f, c, w) in got.items():
                ratio_txt = f"{got['clarabel'][1] / c:.0f}x" if "clarabel" in got and m == "fast" else ""
                rows.append([n, cones.count, f"{ratio:g}", m, f"{c:.3f}", f"{w:.3f}",
                             f"{f.objective:.8f}", f"{(f.objective - best) / best:.1e}",
                             f"{constraint_violation(f):.1e}",
                             f"{f.status}, gap {f.certificate.relative_gap:.0e}", ratio_txt,
                             f"{floor:.2g}" if m == "fast" else "",
                             f"{c / floor:.0f}" if m == "fast" else "", f"{peak:.0f}"])
            print(table(rows[-len(got):], headers), flush=True)
        print(f"(n = {n}: enumeration {t_enum:.3f} s CPU; load average {load()})\n", flush=True)
    return table(rows, headers)


def app_spiral():
    """The 160-point spiral of the app (datasets.spiral()) at the app's beta values."""
    data = cn.datasets.spiral()
    X, y = data.X, data.y
    cones = prepare_patterns(X, "exact")
    rows = []
    for beta in (5e-4, 1e-3, 1e-2):
        fit, cpu, wall = timed(fit_convex, X, y, beta, cones=cones)
        acc = float(np.mean(np.sign(fit.predict(X)) == y))
        rows.append([len(y), cones.count, beta, f"{cpu:.3f}", f"{wall:.3f}", f"{fit.objective:.8f}",
                     f"{fit.status}, gap {fit.certificate.relative_gap:.0e}", f"{acc:.0%}"])
    return table(rows, ["n", "patterns", "beta", "CPU s", "wall s", "objective", "certificate",
                        "train accuracy"])


def other_losses(sizes):
    rows = []
    for n in sizes:
        data = cn.datasets.spiral(n)
        X, y = data.X, data.y
        cones = prepare_patterns(X, "exact")
        b0 = float(np.abs(lift(X).T @ y).max())
        times = {}
        for loss in ("squared", "logistic", "hinge"):
            fit, cpu, wall = timed(fit_convex, X, y, 1e-3 * b0, loss=loss, cones=cones)
            times[loss] = cpu
            rows.append([n, loss, f"{cpu:.3f}", f"{wall:.3f}", f"{cpu / times['squared']:.1f}x",
                         f"{fit.status}, gap {fit.certificate.relative_gap:.0e}"])
    return table(rows, ["n", "loss", "CPU s", "wall s", "vs squared", "certificate"])


def lasso_path(sizes):
    rows = []
    for n in sizes:
        data = cn.datasets.spiral(n)
        X, y = data.X, data.y
        cones = prepare_patterns(X, "exact")
        bmax = cn.beta_max(X, y, cones=cones)
        cold, t_cold, _ = timed(fit_convex, X, y, 1e-3 * bmax, cones=cones)
        fits, t_path, w_path = timed(cn.lasso_path, X, y, n_betas=30, cones=cones)
        ok = sum(f.status == "optimal" for f in fits)
        rows.append([n, f"{t_cold:.3f}", f"{t_path:.3f}", f"{t_path / t_cold:.1f}x", f"{ok}/30",
                     f"{abs(fits[-1].objective - cold.objective) / cold.objective:.1e}"])
    return table(rows, ["n", "cold solve CPU s", "path of 30 CPU s", "path / cold", "certified",
                        "last vs cold"])


def honest_stop(n: int = 200, limits=(0.05, 0.3)):
    """A CPU-time limit that expires mid-solve: the point is feasible and no worse than the zero
    network, and dual bound <= optimum <= objective (optimum from a full solve)."""
    data = cn.datasets.spiral(n)
    X, y = data.X, data.y
    cones = prepare_patterns(X, "exact")
    beta = 1e-3 * float(np.abs(lift(X).T @ y).max())
    full = fit_convex(X, y, beta, cones=cones)
    rows = []
    for limit in limits:
        fit, cpu, _ = timed(fit_convex, X, y, beta, cones=cones, time_limit=limit)
        c = fit.certificate
        rows.append([n, limit, fit.status, f"{cpu:.2f}", f"{fit.objective:.6f}", f"{0.5 * y @ y:.6f}",
                     f"{c.dual:.6f}", f"{full.objective:.6f}", f"{c.relative_gap:.1e}",
                     f"{constraint_violation(fit):.0e}",
                     "yes" if c.dual <= full.objective * (1 + 1e-9) <= fit.objective * (1 + 2e-9) else "NO"])
    return table(rows, ["n", "CPU limit s", "status", "CPU s", "objective", "zero network",
                        "dual bound", "optimum", "rel gap", "violation", "dual <= opt <= obj"])


def sampled_patterns(sizes=(100, 200)):
    """200 sampled Gaussian patterns, exact and gated program, against Clarabel (and pyscnn when
    installed); ratios in CPU time."""
    have_pyscnn = importlib.util.find_spec("scnn") is not None
    rows = []
    for n in sizes:
        data = cn.datasets.spiral(n)
        X, y = data.X, data.y
        G = np.random.default_rng(0).standard_normal((3, 200))
        pats = cn.arrangements.sort_patterns((lift(X, True) @ G >= 0).T)
        pats = pats[pats.any(axis=1)]
        bmax = cn.beta_max(X, y, patterns=pats)
        for relu in ("exact", "gated"):
            got = {}
            for m in ("fast", "cvxpy"):
                fit, cpu, _ = timed(fit_convex, X, y, 1e-2 * bmax, patterns=pats, relu=relu, solver=m)
                got[m] = (fit.objective, constraint_violation(fit), cpu, fit.certificate.summary())
            if have_pyscnn:
                obj, viol, secs = run_pyscnn(X, y, 1e-2 * bmax, G, relu)
                got["pyscnn (wall s)"] = (obj, viol, secs, "-")
            best = min(v[0] for v in got.values())
            for m, (obj, viol, secs, cert) in got.items():
                rows.append([n, len(pats), relu, "clarabel" if m == "cvxpy" else m, f"{secs:.3f}",
                             f"{obj:.8f}", f"{(obj - best) / best:.1e}", f"{viol:.1e}",
                             cert.split(":")[0], f"{got['cvxpy'][2] / secs:.1f}x" if m != "cvxpy" else ""])
    return table(rows, ["n", "patterns", "program", "method", "CPU s", "objective", "rel gap",
                        "violation", "certificate", "vs Clarabel"])


def main() -> None:
    threadpool_limits(1)  # as the app runs (see app.py); OpenBLAS threads only contend on 2 cores
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="also Clarabel at n = 100")
    parser.add_argument("--sizes", type=int, nargs="*", default=[50, 100, 200])
    args = parser.parse_args()
    print(f"# convexnn solver benchmark ({time.strftime('%Y-%m-%d %H:%M')}, python "
          f"{sys.version.split()[0]}, load average {load()})\n")
    warm_up_cvxpy()
    print("## All patterns, spiral data, squared loss\n")
    summary = all_patterns(args.sizes, 100 if args.full else 50)
    print("## Summary\n\n" + summary + "\n")
    if args.sizes != [400]:
        print("## The app's spiral (160 points) at the app's beta values\n\n" + app_spiral() + "\n")
        print("## Logistic and hinge loss (beta = 1e-3 b0)\n\n" + other_losses([50]) + "\n")
        print("## Warm-started Lasso path (30 beta values, beta_max down to 1e-3 beta_max)\n\n"
              + lasso_path([50, 100]) + "\n")
        print("## Honest stops (CPU-time limit)\n\n" + honest_stop() + "\n")
        print("## 200 sampled Gaussian patterns (beta = 1e-2 beta_max)\n\n" + sampled_patterns() + "\n")
    print(f"load average at the end: {load()}; peak RSS {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
