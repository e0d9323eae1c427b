"""The fast solver's ray pricing: float32 features with float64 rechecks near the threshold give
exactly the violation decisions of a float64 pass (the reference: max(H Z^T, 0) lam in float64)."""

from __future__ import annotations

import numpy as np
import pytest

import convexnn as cn
from convexnn import fast
from convexnn.patterns.arrangements import lift
from convexnn.program.convex import fit_convex, prepare_patterns


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_float32_ray_pricing_decides_like_float64(seed):
    data = cn.datasets.spiral(60)
    cones = prepare_patterns(data.X, "exact")
    Z = lift(data.X) @ cones.basis
    H = fast.ray_directions(Z)
    beta = 1e-3 * float(np.abs(Z.T @ data.y).max())
    fit = fit_convex(data.X, data.y, beta, cones=cones)
    lam = -cn.losses.gradient("squared", fit.fitted(), data.y)
    lam = lam + 1e-7 * np.random.default_rng(seed).standard_normal(lam.shape)  # near-threshold rows
    exact = np.maximum(H @ Z.T, 0.0) @ lam
    threshold = beta * (1 + 1e-6)
    pricing = fast._RayPricing(H, Z, threshold)
    assert pricing.features is not None and pricing.features.dtype == np.float32
    assert pricing.features.shape[0] == len(H) // 2  # one feature row per pair h, -h
    g = pricing.correlations(lam)
    assert np.array_equal(np.abs(g) > threshold, np.abs(exact) > threshold)
    # the float32 error bound the rechecks rely on: (n + 2) eps_32 ||(Z u)_+||_1 ||lam||_inf for
    # the kept ray u of each pair h, -h, at most (n + 2) eps_32 ||Z h||_1 ||lam||_inf
    bound = (len(lam) + 2) * np.finfo(np.float32).eps * np.abs(H @ Z.T).sum(axis=1) * np.abs(lam).max()
    assert np.all(np.abs(g - exact) <= bound)
