"""The cvxpy formulation of the convex program: the reference every faster solver is checked against.

Vectorized so it scales: with M (P, n) the pattern matrix and U, U' (P, d~) the blocks,

    pred = rowsum( X~ * (M^T (U - U')) )                 (n,)
    (2M - 1) * (U X~^T) >= 0,  (2M - 1) * (U' X~^T) >= 0  (two matrix constraints)
    objective l(pred, y) + beta (sum_i ||U_i|| + sum_i ||U'_i||)

so the model has a handful of constraint objects whatever the number of patterns.
"""

from __future__ import annotations

import numpy as np


def solve_cvxpy(
    Xt: np.ndarray,
    y: np.ndarray,
    patterns: np.ndarray,
    beta: float,
    loss: str,
    gated: bool,
    solver: str = "CLARABEL",
    time_limit: float | None = None,
):
    """Solve with cvxpy; return (u, u_neg, lam, status, message) in lifted coordinates."""
    import cvxpy as cp

    P, n = patterns.shape
    d = Xt.shape[1]
    M = patterns.astype(float)
    U = cp.Variable((P, d))
    pred = cp.Variable(n)
    constraints = []
    if gated:
        expr = cp.sum(cp.multiply(Xt, M.T @ U), axis=1)
        penalty = cp.sum(cp.norm(U, 2, axis=1))
        V = None
    else:
        V = cp.Variable((P, d))
        S = 2.0 * M - 1.0
        expr = cp.sum(cp.multiply(Xt, M.T @ (U - V)), axis=1)
        penalty = cp.sum(cp.norm(U, 2, axis=1)) + cp.sum(cp.norm(V, 2, axis=1))
        constraints += [cp.multiply(S, U @ Xt.T) >= 0, cp.multiply(S, V @ Xt.T) >= 0]
    coupling = pred == expr
    constraints.append(coupling)
    if loss == "squared":
        data_term = 0.5 * cp.sum_squares(pred - y)
    elif loss == "logistic":
        data_term = cp.sum(cp.logistic(-cp.multiply(y, pred)))
    else:
        data_term = cp.sum(cp.pos(1 - cp.multiply(y, pred)))
    problem = cp.Problem(cp.Minimize(data_term + beta * penalty), constraints)
    kwargs = {}
    if solver.upper() == "SCS":
        kwargs = {"eps_abs": 1e-7, "eps_rel": 1e-7, "max_iters": 100_000}
        if time_limit:
            kwargs["time_limit_secs"] = float(time_limit)
    elif time_limit:
        kwargs = {"time_limit": float(time_limit)}
    try:
        problem.solve(solver=solver.upper(), **kwargs)
    except cp.error.SolverError as exc:
        if solver.upper() == "SCS":
            z = np.zeros((P, d))
            return z, z.copy(), np.zeros(n), "solver_error", str(exc)
        # Clarabel occasionally fails on exponential cones; SCS is the documented fallback
        u, u_neg, lam, status, message = solve_cvxpy(Xt, y, patterns, beta, loss, gated, "SCS",
                                                     time_limit)
        return u, u_neg, lam, status, f"{message} (Clarabel failed: {exc})"
    if U.value is None:
        z = np.zeros((P, d))
        return z, z.copy(), np.zeros(n), "solver_error", f"cvxpy status {problem.status}"
    u = np.asarray(U.value)
    u_neg = np.zeros_like(u) if V is None else np.asarray(V.value)
    lam = np.asarray(coupling.dual_value).reshape(-1) if coupling.dual_value is not None else None
    return u, u_neg, lam, str(problem.status), f"cvxpy {solver} status {problem.status}"
