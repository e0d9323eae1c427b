"""beta_max and the Lasso (regularization) path of networks (math.md section 5).

beta_max = max_i max_{s=+-1} ||Pi_{K_i}(s X~^T D_i g)|| with g = -grad l(0) (y for the squared
and hinge losses, y/2 for logistic): the zero network is optimal iff beta >= beta_max. The gated
relaxation uses ||X~^T D_i g||, an upper bound of the exact value.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from . import losses
from .arrangements import Arrangement, lift
from .cones import max_dual_value
from .convex import ConvexFit, fit_convex, prepare_patterns


def beta_max(
    X: np.ndarray,
    y: np.ndarray,
    patterns="auto",
    loss: str = "squared",
    bias: bool = True,
    relu: str = "exact",
    cones: Arrangement | None = None,
) -> float:
    """The smallest beta for which the zero network is optimal (math.md section 5)."""
    y = np.asarray(y, dtype=float).reshape(-1)
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or infinite values")
    if relu not in ("exact", "gated"):
        raise ValueError(f"relu must be 'exact' or 'gated', not {relu!r}")
    losses.check_loss(loss, y)
    if cones is None:
        cones = prepare_patterns(X, patterns, bias)
    Z = lift(X, bias) @ cones.basis
    g = losses.gradient_at_zero(loss, y)
    return max_dual_value(cones, Z, g, gated=(relu == "gated"))


def beta_grid(beta_top: float, n_betas: int = 30, ratio: float = 1e-3) -> np.ndarray:
    """A geometric grid from ``beta_top`` down to ``ratio * beta_top`` (n_betas values)."""
    if n_betas < 2:
        raise ValueError("the path needs at least two beta values")
    return beta_top * np.geomspace(1.0, ratio, int(n_betas))


def lasso_path(
    X: np.ndarray,
    y: np.ndarray,
    betas: np.ndarray | None = None,
    n_betas: int = 30,
    loss: str = "squared",
    ratio: float = 1e-3,
    progress: Callable[[int, int, ConvexFit], None] | None = None,
    **fit_options,
) -> list[ConvexFit]:
    """Solve along a decreasing beta grid with warm starts; return the fits, each with ``.beta``.

    Without ``betas`` the grid runs geometrically from beta_max down to ``ratio * beta_max``.
    ``progress(k, total, fit)`` is called after each solve (for progress bars).
    ``fit_options`` go to :func:`convexnn.fit_convex` (patterns, bias, relu, solver, ...).
    """
    bias = fit_options.get("bias", True)
    cones = fit_options.pop("cones", None)
    if cones is None:
        cones = prepare_patterns(
            X, fit_options.pop("patterns", "auto"), bias,
            fit_options.pop("n_samples", 200), fit_options.pop("seed", 0),
        )
    else:
        fit_options.pop("patterns", None)
    if betas is None:
        top = beta_max(X, y, loss=loss, bias=bias, relu=fit_options.get("relu", "exact"), cones=cones)
        betas = beta_grid(top, n_betas, ratio)
    betas = np.sort(np.asarray(betas, dtype=float))[::-1]
    fits: list[ConvexFit] = []
    previous = None
    t0 = time.perf_counter()
    for k, beta in enumerate(betas):
        fit = fit_convex(X, y, beta, loss=loss, cones=cones, warm_start=previous, **fit_options)
        fit.info["path_time"] = time.perf_counter() - t0
        fits.append(fit)
        previous = fit
        if progress is not None:
            progress(k + 1, len(betas), fit)
    return fits
