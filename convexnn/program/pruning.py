"""Pruning a convex optimum to at most n active blocks with the same objective (docs/lasso-path.md).

Let F_k = s_k D_k X~ u_k be the fits of the active blocks. While they are linearly dependent,
take a null vector c (sum_k c_k F_k = 0, max_k c_k > 0), let k* = argmax_k c_k and rescale
u_k <- (1 - c_k / c_k*) u_k: the fit is unchanged, the scales stay non-negative (so each block
stays in its cone) and block k* vanishes. At an optimum the penalty is linear along this
direction with zero slope, so the objective is unchanged too (Mishkin & Pilanci, ICML 2023;
pilancilab/relu_optimal_sets ``pruning.py``).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .convex import ACTIVE_TOL, Certificate, ConvexFit, convex_objective

_RANK_TOL = 1e-9


def _block_fits(fit: ConvexFit, blocks: np.ndarray) -> np.ndarray:
    Xt = fit.problem.Xt
    U = np.where(blocks[:, 1:2] == 0, fit.u[blocks[:, 0]], fit.u_neg[blocks[:, 0]])
    sign = np.where(blocks[:, 1] == 0, 1.0, -1.0)
    return (fit.patterns[blocks[:, 0]] * (U @ Xt.T) * sign[:, None]).T  # (n, k)


def prune_to_minimal(fit: ConvexFit, tol: float = ACTIVE_TOL) -> ConvexFit:
    """A copy of ``fit`` whose active blocks have linearly independent fits (so at most n).

    The prediction is unchanged and, at an optimum, so is the objective.
    """
    pruned = dataclasses.replace(fit, u=fit.u.copy(), u_neg=fit.u_neg.copy(), info=dict(fit.info))
    blocks = pruned.active_blocks(tol)
    # blocks below the threshold are dropped now, so that shrinking the large ones below cannot
    # lift them over a threshold taken relative to the new largest block
    keep_mask = np.zeros_like(pruned.u, dtype=bool)[:, :1].repeat(2, axis=1)
    keep_mask[blocks[:, 0], blocks[:, 1]] = True
    pruned.u[~keep_mask[:, 0]] = 0.0
    pruned.u_neg[~keep_mask[:, 1]] = 0.0
    blocks = _prune_by_null_space(pruned, blocks)
    # safety net: repeat with a fresh SVD until the fits are independent (usually at once)
    scale = np.ones(len(blocks))
    while len(blocks) > 0:
        F = _block_fits(pruned, blocks) * scale
        _, s, vt = np.linalg.svd(F, full_matrices=True)
        if len(blocks) <= len(s) and s[-1] > _RANK_TOL * s[0]:
            break
        c = vt[-1]
        if -c.min() > c.max():
            c = -c  # the entry of largest magnitude is positive, so every 1 - c_k / c_k* >= 0
        k_star = int(np.argmax(c))
        scale = scale * (1.0 - c / c[k_star])
        scale[k_star] = 0.0
        keep = scale > 1e-12
        _apply_scale(pruned, blocks[~keep], 0.0)
        blocks, scale = blocks[keep], scale[keep]
        _apply_scale(pruned, blocks, scale)
        scale = np.ones(len(blocks))
    pruned.objective = convex_objective(pruned)
    if fit.certificate is not None:
        c = fit.certificate
        gap = pruned.objective - c.dual
        pruned.certificate = Certificate(
            pruned.objective, c.dual, gap, gap / max(abs(pruned.objective), 1e-12),
            c.max_violation, c.tolerance,
        )
    pruned.info = dict(fit.info, pruned_from=int(fit.n_active))
    return pruned


def _prune_by_null_space(fit: ConvexFit, blocks: np.ndarray) -> np.ndarray:
    """The same elimination with one SVD: null vectors are updated as blocks are removed.

    After removing block k* with null vector c, the other null vectors n are made to vanish at
    k* (n - c n_k*/c_k*), and since the remaining columns were rescaled by t, they become
    n / t. Each step then costs O(k m) instead of an SVD.
    """
    if len(blocks) == 0:
        return blocks
    F = _block_fits(fit, blocks)
    _, s, vt = np.linalg.svd(F, full_matrices=True)
    rank = int(np.sum(s > _RANK_TOL * s[0])) if s.size and s[0] > 0 else 0
    N = vt[rank:].T  # (k, m) null vectors of the block fits
    while N.shape[1] > 0 and len(blocks) > 0:
        c = N[:, 0]
        if -c.min() > c.max():
            c = -c
        k_star = int(np.argmax(c))
        if c[k_star] <= 1e-14:
            break
        t = 1.0 - c / c[k_star]
        t[k_star] = 0.0
        rest = N[:, 1:] - np.outer(c, N[k_star, 1:] / c[k_star])
        keep = t > 1e-12
        _apply_scale(fit, blocks[~keep], 0.0)
        _apply_scale(fit, blocks[keep], t[keep])
        blocks = blocks[keep]
        rest = rest[keep] / t[keep, None]
        if rest.shape[1] == 0 or rest.shape[0] == 0:
            break
        q, r = np.linalg.qr(rest)
        good = np.abs(np.diag(r)) > 1e-10 * max(np.abs(np.diag(r)).max(initial=0.0), 1e-300)
        N = q[:, good]
    return blocks


def _apply_scale(fit: ConvexFit, blocks: np.ndarray, scale) -> None:
    scale = np.broadcast_to(np.asarray(scale, dtype=float), (len(blocks),))
    for (i, col), t in zip(blocks, scale, strict=True):
        if col == 0:
            fit.u[i] *= t
        else:
            fit.u_neg[i] *= t
