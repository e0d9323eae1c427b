"""The issue-14 target: the n = 1000 spiral, all ~10^6 patterns, certified by the fast solver.

Run:  python bench/large.py                  (n = 1000: enumeration + solve, about a minute of CPU)
      python bench/large.py --sizes 200 400  (other sizes)
      python bench/large.py --check          (adds an independent check of the certificate)

Data: ``convexnn.datasets.spiral(n)`` (2-D + bias), *all* arrangement patterns, squared loss,
beta = 1e-3 ||X~^T y||_inf. One BLAS thread (threadpoolctl), as the app runs. "CPU s" is
``time.process_time`` of enumeration + ``fit_convex`` (the machine is shared: wall time is printed
beside it with the load average), "peak MB" the process high-water mark (``ru_maxrss``), "gap" the
relative duality gap of the fit's certificate.

``--check`` recomputes the certificate without the package's pricing: the fit
f = sum_i D_i X~ (u_i - u'_i) and the primal value from the blocks, the cone constraints
(2 D_i - I) X~ u_i >= 0, the dual point lam = y - f, every pattern's vector X~^T D_i lam by a dense
float64 product (not the sweep), a bound on each projection from the wedge of the two most
violated of all n rows (K lies in it), and, in decreasing order of that bound until it falls below
the largest value found, the projections ||Pi_{K_i}(+-v_i)|| by NNLS on the polar cone with all
n rows (scipy.optimize.nnls; neither the enumeration's facets nor the package's pricing is used).
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np
from scipy.optimize import nnls
from threadpoolctl import threadpool_limits

import convexnn as cn
from convexnn.patterns.arrangements import lift
from convexnn.program.convex import fit_convex, prepare_patterns


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def polar_projection_norm(A: np.ndarray, v: np.ndarray, start: int = 6) -> float:
    """||Pi_K(v)|| for K = {u : A u >= 0}, by NNLS on the polar cone of a growing set of rows R:
    Pi_{K_R}(v) = v + A_R^T mu, mu = argmin_{mu >= 0} ||A_R^T mu + v|| (Moreau), starting from the
    ``start`` most violated rows; K lies in K_R, so once Pi_{K_R}(v) satisfies every row it is
    Pi_K(v); otherwise the violated rows join R."""
    scale = np.linalg.norm(A, axis=1)
    s = A @ v / scale
    rows = np.argsort(s)[:start]
    while True:
        mu, _ = nnls(A[rows].T, -v, maxiter=50 * rows.size)
        u = v + A[rows].T @ mu
        bad = np.flatnonzero(A @ u < -1e-12 * scale * max(np.linalg.norm(u), 1e-300))
        bad = np.setdiff1d(bad, rows)
        if bad.size == 0:
            return float(np.linalg.norm(u))
        rows = np.concatenate([rows, bad])


def wedge_bounds(S: np.ndarray, Xt: np.ndarray, row_norms: np.ndarray, v: np.ndarray) -> np.ndarray:
    """(B, 2) upper bounds of ||Pi_K(+v)|| and ||Pi_K(-v)|| for K = {u : s_k x_k^T u >= 0}.

    K lies in the wedge W of its two most violated rows a, b (unit), so ||Pi_K(v)|| <= ||Pi_W(v)||,
    and Pi_W(v) is the feasible candidate of largest norm among v, its projections onto the planes
    a^perp and b^perp, and onto the line a^perp ∩ b^perp (Moreau; each is a subspace projection)."""
    out = np.empty((v.shape[0], 2))
    A_all = S[:, :, None] * (Xt / row_norms[:, None])[None, :, :]  # (B, n, r) unit rows
    for col, w in enumerate((v, -v)):
        t = np.einsum("bnr,br->bn", A_all, w)
        two = np.argpartition(t, 1, axis=1)[:, :2]
        a = np.take_along_axis(A_all, two[:, :1, None], axis=1)[:, 0]
        b = np.take_along_axis(A_all, two[:, 1:, None], axis=1)[:, 0]
        ta, tb = np.einsum("br,br->b", a, w), np.einsum("br,br->b", b, w)
        tol = 1e-12 * np.linalg.norm(w, axis=1)
        cands = [np.where((ta >= -tol) & (tb >= -tol), np.linalg.norm(w, axis=1), 0.0)]
        for p, q, tp in ((a, b, ta), (b, a, tb)):
            c = w - tp[:, None] * p
            ok = np.einsum("br,br->b", c, q) >= -tol
            cands.append(np.where(ok, np.linalg.norm(c, axis=1), 0.0))
        d = np.cross(a, b)
        dn = np.linalg.norm(d, axis=1)
        line = np.abs(np.einsum("br,br->b", d, w)) / np.maximum(dn, 1e-300)
        # parallel rows: no line; the half-space bound of the most violated row instead
        half = np.sqrt(np.maximum(np.sum(w * w, axis=1) - np.minimum(ta, 0.0) ** 2, 0.0))
        cands.append(np.where(dn > 1e-9, line, half))
        out[:, col] = np.max(cands, axis=0)
    return out * (1 + 1e-9) + 1e-12 * np.linalg.norm(v, axis=1)[:, None]


def check(fit, X: np.ndarray, y: np.ndarray, beta: float, chunk: int = 2048) -> dict:
    """The certificate recomputed independently (see the module docstring)."""
    Xt = lift(X)
    P = fit.patterns
    U = fit.u - fit.u_neg
    norms = np.linalg.norm(fit.u, axis=1) + np.linalg.norm(fit.u_neg, axis=1)
    live = np.flatnonzero(norms > 0)
    S = np.where(P[live], 1.0, -1.0)
    f = np.sum(P[live].T * (Xt @ U[live].T), axis=1)
    violation = 0.0
    for W in (fit.u, fit.u_neg):
        violation = max(violation, float(np.max(-(S * (W[live] @ Xt.T)), initial=0.0)))
    primal = 0.5 * float(np.sum((f - y) ** 2)) + beta * float(norms.sum())
    lam = y - f
    bounds, vecs = np.empty((P.shape[0], 2)), np.empty((P.shape[0], Xt.shape[1]))
    row_norms = np.linalg.norm(Xt, axis=1)
    for lo in range(0, P.shape[0], chunk):
        D = P[lo : lo + chunk]
        v = vecs[lo : lo + chunk] = D.astype(float) @ (Xt * lam[:, None])
        bounds[lo : lo + chunk] = wedge_bounds(np.where(D, 1.0, -1.0), Xt, row_norms, v)
    order = np.argsort(-bounds, axis=None)
    vmax, projected = 0.0, 0
    for flat in order:
        i, col = divmod(int(flat), 2)
        if bounds[i, col] <= vmax:
            break  # every remaining pattern's value is below its bound, below vmax
        A = np.where(P[i], 1.0, -1.0)[:, None] * Xt
        vmax = max(vmax, polar_projection_norm(A, vecs[i] if col == 0 else -vecs[i]))
        projected += 1
    scale = min(1.0, beta / vmax) if vmax > 0 else 1.0
    dual = float(y @ (scale * lam) - 0.5 * np.sum((scale * lam) ** 2))
    return {"primal": primal, "dual": dual, "gap": (primal - dual) / abs(primal),
            "vmax/beta": vmax / beta, "projected": projected, "cone violation": violation,
            "objective difference": abs(primal - fit.objective) / abs(primal)}


def run(n: int, do_check: bool) -> None:
    data = cn.datasets.spiral(n)
    X, y = data.X, data.y
    beta = 1e-3 * float(np.abs(lift(X).T @ y).max())
    c0, w0 = time.process_time(), time.perf_counter()
    cones = prepare_patterns(X, "exact")
    c1 = time.process_time()
    fit = fit_convex(X, y, beta, cones=cones, time_limit=600.0)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    cert = fit.certificate
    print(f"n = {n}: {cones.count} patterns, CPU {cpu:.1f} s (enumeration {c1 - c0:.1f} s, solve "
          f"{cpu - (c1 - c0):.1f} s), wall {wall:.1f} s, load average {load()}, peak {peak_mb():.0f} MB, "
          f"status {fit.status}, objective {fit.objective:.8f}, certificate gap {cert.relative_gap:.1e}",
          flush=True)
    if do_check:
        t = time.process_time()
        got = check(fit, X, y, beta)
        print("  independent check (" + f"{time.process_time() - t:.0f} s CPU): "
              + ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in got.items()),
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--check", action="store_true", help="verify the certificate independently")
    args = parser.parse_args()
    threadpool_limits(1)
    for n in args.sizes:
        run(n, args.check)


if __name__ == "__main__":
    main()
