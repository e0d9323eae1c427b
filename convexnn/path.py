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
from .datasets import as_count, as_number, as_vector


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
    y = as_vector(y, name="y")
    if relu not in ("exact", "gated"):
        raise ValueError(f"relu must be 'exact' or 'gated', not {relu!r}")
    losses.check_loss(loss, y)
    if cones is None:
        cones = prepare_patterns(X, patterns, bias)
    Z = lift(X, bias) @ cones.basis
    g = losses.gradient_at_zero(loss, y)
    return max_dual_value(cones, Z, g, gated=(relu == "gated"))


MAX_PATH_BETAS = 1000
"""Most beta values of one Lasso path."""


def beta_grid(beta_top: float, n_betas: int = 30, ratio: float = 1e-3) -> np.ndarray:
    """A geometric grid from ``beta_top`` down to ``ratio * beta_top`` (n_betas values)."""
    n_betas = as_count(n_betas, "the number of beta values", 2, MAX_PATH_BETAS)
    beta_top = as_number(beta_top, "the largest beta", positive=True)
    ratio = as_number(ratio, "the ratio", positive=True)
    return beta_top * np.geomspace(1.0, ratio, n_betas)


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
    betas = np.sort(as_vector(betas, name="betas"))[::-1]
    if betas.size == 0 or betas.size > MAX_PATH_BETAS or betas[-1] <= 0:
        raise ValueError(f"betas must hold 1 to {MAX_PATH_BETAS} positive values")
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
