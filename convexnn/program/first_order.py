"""A first-order solver for the gated program of many points and high-dimensional features.

With k patterns (gates g_i, D_i = diag(1[X~ g_i >= 0])) and the blocks as columns of W (d~, k),
the prediction is f = rowsum(M * (X~ W)) with M = [diag(D_i)] (n, k), and its adjoint
X~^T (M * r) costs one matrix product: each iteration is two BLAS products of size n d~ k.

- Gated program: min l(f) + beta sum_i ||w_i|| by FISTA with adaptive restart (O'Donoghue &
  Candes 2015) and the group soft-threshold prox, as in scnn's R-FISTA (Mishkin et al., ICML 2022).

Certificates use lam = -grad l(f): the gated dual constraint ||X~^T D_i lam|| <= beta is checked
exactly (one product). The exact program of such data goes to the working-set solver
(docs/solvers.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import losses


def _forward(Xt: np.ndarray, M: np.ndarray, W: np.ndarray) -> np.ndarray:
    return np.einsum("nk,nk->n", M, Xt @ W)


def _adjoint(Xt: np.ndarray, M: np.ndarray, r: np.ndarray) -> np.ndarray:
    return Xt.T @ (M * r[:, None])


def lipschitz_estimate(Xt: np.ndarray, M: np.ndarray, iters: int = 50, seed: int = 0,
                       rtol: float = 1e-3) -> float:
    """||A||^2 for A: W -> rowsum(M * X~ W), by power iteration on A^T A.

    Stops when the estimate changes by less than ``rtol`` (relative); the top eigenvalue is well
    separated here (the direction shared by all blocks is about k/2 times the others), so this
    takes a handful of products. The 1.05 margin covers the remaining underestimate; the solver
    also backtracks if a step ever increases the objective.
    """
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((Xt.shape[1], M.shape[1]))
    W /= np.linalg.norm(W)
    val = prev = 0.0
    for _ in range(iters):
        W = _adjoint(Xt, M, _forward(Xt, M, W))
        val = float(np.linalg.norm(W))
        if val == 0:
            return 1.0
        W /= val
        if abs(val - prev) <= rtol * val:
            break
        prev = val
    return 1.05 * val


def _curvature(loss: str) -> float:
    """An upper bound on the second derivative of the loss (squared 1, logistic 1/4)."""
    return {"squared": 1.0, "logistic": 0.25}[loss]


def _group_shrink(W: np.ndarray, t: float) -> np.ndarray:
    norms = np.linalg.norm(W, axis=0)
    scale = np.maximum(0.0, 1.0 - t / np.maximum(norms, 1e-300))
    return W * scale


@dataclass
class FirstOrderResult:
    W: np.ndarray  # (d~, k) gated blocks, or u - u' stacked as (d~, 2k) for the exact program
    pred: np.ndarray
    lam: np.ndarray
    primal: float
    dual: float
    max_dual_value: float
    iterations: int
    status: str
    message: str


def _gated_certificate(Xt, M, y, loss, beta, W, tol, pred=None):
    if pred is None:
        pred = _forward(Xt, M, W)
    lam = losses.project_dual(loss, -losses.gradient(loss, pred, y), y)
    vmax = float(np.linalg.norm(_adjoint(Xt, M, lam), axis=0).max(initial=0.0))
    primal = losses.value(loss, pred, y) + beta * float(np.linalg.norm(W, axis=0).sum())
    scale = min(1.0, beta / vmax) if vmax > 0 else 1.0
    dual = losses.dual_value(loss, scale * lam, y)
    return pred, lam, primal, dual, vmax


def fista_gated(Xt: np.ndarray, y: np.ndarray, M: np.ndarray, beta: float, loss: str = "squared",
                W0: np.ndarray | None = None, tol: float = 1e-6, max_iter: int = 10000,
                time_limit: float = 60.0, check_every: int = 10,
                callback: Callable[[np.ndarray, float], bool | None] | None = None,
                lipschitz: float | None = None, single: bool = False) -> FirstOrderResult:
    """The gated program min l(rowsum(M * X~ W)) + beta sum_i ||W[:, i]|| by restarted FISTA.

    Each iteration costs one product X~ W (the prediction at the new iterate; the prediction at
    the extrapolated point is the same linear combination of the last two, so it needs no
    product) and one product X~^T (M * g) (the gradient). With the objective of every iterate
    at hand, momentum restarts when the objective increases (O'Donoghue & Candes 2015), and a
    step that increases it even after a restart doubles the Lipschitz estimate (backtracking).

    Stops when the relative duality gap is below ``tol`` (a KKT test: lam = -grad l(f) scaled
    to satisfy ||X~^T D_i lam|| <= beta, checked every ``check_every`` iterations at the cost
    of one more product), or at ``max_iter`` / ``time_limit`` (CPU seconds of this process,
    ``time.process_time``: a busy machine does not eat the budget). ``callback(W, seconds)``
    (wall seconds since the start, for progress displays and time axes) is called at every
    check (and at the end); returning True stops the solve ("stopped").

    Honest stops: the result is the iterate of lowest objective seen (the zero network if a
    warm start was worse), and ``lam`` the dual point of highest dual value over all checks, so
    that dual <= optimum <= primal whatever stopped the solve.
    ``lipschitz`` reuses a known ||A||^2 (for the same X~ and M). ``single`` does the two
    products in float32 (about 1.7x faster at n = 5000, d = 384; the iterates, losses and the
    certificate stay in float64) until rounding shows (a failed decrease test, or a gap that
    stopped shrinking), then continues in float64.
    """
    if loss not in ("squared", "logistic"):
        raise ValueError("the first-order solver handles the squared and logistic losses")
    t0, wall0 = time.process_time(), time.perf_counter()
    Xt = np.ascontiguousarray(Xt, dtype=float)
    M = np.ascontiguousarray(M, dtype=float)
    y = np.asarray(y, dtype=float)
    d, k = Xt.shape[1], M.shape[1]
    L = _curvature(loss) * (lipschitz if lipschitz is not None else lipschitz_estimate(Xt, M))
    op = _GatedOperator(Xt, M, single)
    W = np.zeros((d, k)) if W0 is None else np.array(W0, dtype=float)
    pred_W = op.forward(W)
    F_W = losses.value(loss, pred_W, y) + _penalty(W, beta)
    zero_value = losses.value(loss, np.zeros_like(y), y)
    if F_W > zero_value:  # a warm start worse than the zero network: start from zero
        W, pred_W, F_W = np.zeros((d, k)), np.zeros_like(y), zero_value
    best_W, best_F = W, F_W  # the iterate of lowest objective (the one returned)
    best_dual: tuple[float, np.ndarray, float] | None = None  # (value, lam, vmax) of highest value
    Yk, pred_Y, theta = W, pred_W, 1.0
    status, it = "iteration_limit", 0
    gaps: list[float] = []
    for it in range(1, max_iter + 1):
        W_new, pred_new, L, pred_Y, switched = _prox_step(op, loss, y, beta, Yk, pred_Y, L)
        if switched:  # continued in float64: the last prediction too
            pred_W = op.forward(W)
        F_new = losses.value(loss, pred_new, y) + _penalty(W_new, beta)
        if F_new > F_W:  # function-value restart: drop the momentum
            theta_new = 1.0
            Yk, pred_Y = W_new, pred_new
        else:
            theta_new = 0.5 * (1 + np.sqrt(1 + 4 * theta**2))
            a = (theta - 1) / theta_new
            Yk = W_new + a * (W_new - W)
            pred_Y = pred_new + a * (pred_new - pred_W)
        W, pred_W, F_W, theta = W_new, pred_new, F_new, theta_new
        if F_W < best_F:
            best_W, best_F = W, F_W
        if it % check_every == 0:
            _, lam_c, primal, dual, vmax_c = _gated_certificate(Xt, M, y, loss, beta, W, tol, pred=pred_W)
            if best_dual is None or dual > best_dual[0]:  # valid for any lam (vmax is float64)
                best_dual = (dual, lam_c, vmax_c)
            gaps.append((primal - dual) / max(abs(primal), 1e-12))
            if op.single and len(gaps) > 20 and min(gaps[-10:]) > 0.95 * min(gaps[:-10]):
                op.single = False  # float32 progress stalled for 10 checks: continue in float64
                pred_W, pred_Y = op.forward(W), op.forward(Yk)
            if callback is not None and callback(W, time.perf_counter() - wall0):
                status = "stopped"
                break
            if gaps[-1] <= tol:
                status = "optimal"
                break
        if time.process_time() - t0 > time_limit:
            status = "time_limit"
            break
    result = _honest_result(Xt, M, y, loss, beta, tol, best_W, best_dual, zero_value, status, it,
                            time.process_time() - t0, single, op.single)
    if callback is not None and it % check_every != 0:
        callback(result.W, time.perf_counter() - wall0)
    return result


class _GatedOperator:
    """A: W -> rowsum(M * X~ W) and its adjoint r -> X~^T (M * r), with the two products in
    float32 while ``single`` is set (the caller clears it when rounding shows)."""

    def __init__(self, Xt: np.ndarray, M: np.ndarray, single: bool) -> None:
        self.Xt, self.M, self.single = Xt, M, bool(single)
        self.Xs, self.Ms = (Xt.astype(np.float32), M.astype(np.float32)) if single else (None, None)

    def forward(self, W: np.ndarray) -> np.ndarray:
        if self.single:
            return np.einsum("nk,nk->n", self.Ms, self.Xs @ W.astype(np.float32)).astype(float)
        return _forward(self.Xt, self.M, W)

    def adjoint(self, r: np.ndarray) -> np.ndarray:
        if self.single:
            return (self.Xs.T @ (self.Ms * r.astype(np.float32)[:, None])).astype(float)
        return _adjoint(self.Xt, self.M, r)


def _penalty(W: np.ndarray, beta: float) -> float:
    """beta sum_i ||W[:, i]||."""
    return beta * float(np.sqrt(np.einsum("dk,dk->k", W, W)).sum())


def _prox_step(op: _GatedOperator, loss: str, y: np.ndarray, beta: float, Yk: np.ndarray,
               pred_Y: np.ndarray, L: float):
    """One proximal gradient step from the extrapolated point Yk, W+ = shrink(Yk - grad/L, beta/L),
    with backtracking: L doubles until the smooth part's quadratic upper bound holds at W+. A
    failed test in float32 switches the operator to float64 instead (rounding, not the step).
    Returns W+, its prediction, L, the prediction at Yk and whether the operator switched."""
    grad = op.adjoint(losses.gradient(loss, pred_Y, y))
    f_Y = losses.value(loss, pred_Y, y)
    switched = False
    for _ in range(30):
        step = 1.0 / L
        W_new = _group_shrink(Yk - step * grad, step * beta)
        pred_new = op.forward(W_new)
        diff = W_new - Yk
        # sufficient decrease of the smooth part (guards an underestimated Lipschitz constant)
        if losses.value(loss, pred_new, y) <= f_Y + float(np.sum(grad * diff)) + 0.5 * L * float(
                np.sum(diff * diff)) + 1e-12 * max(abs(f_Y), 1.0):
            break
        if op.single:  # float32 rounding, not the step: continue in float64
            op.single, switched = False, True
            pred_Y = op.forward(Yk)
            grad = op.adjoint(losses.gradient(loss, pred_Y, y))
            f_Y = losses.value(loss, pred_Y, y)
            continue
        L *= 2.0
    return W_new, pred_new, L, pred_Y, switched


def _honest_result(Xt, M, y, loss, beta, tol, W, best_dual, zero_value, status, iterations, seconds,
                   single, still_single) -> FirstOrderResult:
    """The returned point: the best iterate (or the zero network if rounding misjudged it worse),
    its float64 certificate, and the best dual point over all checks, so dual <= optimum <= primal."""
    pred, lam, primal, dual, vmax = _gated_certificate(Xt, M, y, loss, beta, W, tol)
    if primal > zero_value:  # float32 objectives can misjudge it by rounding: the exact test
        W = np.zeros_like(W)
        pred, lam, primal, dual, vmax = _gated_certificate(Xt, M, y, loss, beta, W, tol)
    if best_dual is not None and best_dual[0] > dual:
        dual, lam, vmax = best_dual
    if single and not still_single:
        precision = ", float32 then float64 products"
    else:
        precision = ", float32 products" if single else ""
    gap = (primal - dual) / max(abs(primal), 1e-12)
    if status != "optimal" and gap <= tol:
        status = "optimal"
    stop = f", stopped after {seconds:.1f} s of CPU time" if status == "time_limit" else ""
    message = f"FISTA, {iterations} iterations{stop}, relative gap {gap:.1e}{precision}"
    return FirstOrderResult(W, pred, lam, primal, dual, vmax, iterations, status, message)


