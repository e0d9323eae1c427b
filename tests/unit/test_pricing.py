"""The pricing pass of the working-set solver and the certificate (convexnn.program.pricing):
the cap bound never falls below a cone's value, and the screened pass returns exactly the values
above the threshold. Reference: ||Pi_K(v)|| from the Moreau decomposition with all n rows of the
cone, Pi_K(v) = v + A^T mu with mu = argmin_{mu >= 0} ||v + A^T mu|| (scipy's NNLS), independent
of the facet lists and rays the package uses."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import nnls

import convexnn as cn
from convexnn.patterns.arrangements import lift
from convexnn.program.pricing import cap_bounds, cone_caps, price
from convexnn.program.problem import prepare_patterns


def _reference_values(cones, Z, v):
    """(P, 2) ||Pi_{K_i}(+-v_i)|| with K_i = {w : (2 D_i - I) Z w >= 0}, all rows."""
    out = np.zeros((cones.count, 2))
    for i, pattern in enumerate(cones.patterns):
        A = np.where(pattern, 1.0, -1.0)[:, None] * Z
        for col, s in enumerate((1.0, -1.0)):
            mu, _ = nnls(A.T, -s * v[i])
            out[i, col] = np.linalg.norm(s * v[i] + A.T @ mu)
    return out


def _cases():
    rng = np.random.default_rng(3)
    spiral = cn.datasets.spiral(24)
    line = np.sort(rng.uniform(-1, 1, (15, 1)), axis=0)
    sampled = (lift(spiral.X) @ rng.standard_normal((3, 60)) >= 0).T
    return [
        ("rank 3, all patterns", spiral.X, "exact"),
        ("rank 2, all patterns", line, "exact"),
        ("rank 3, sampled patterns", spiral.X, np.unique(sampled[sampled.any(axis=1)], axis=0)),
        ("three points: wedges", spiral.X[:3], "exact"),
    ]


@pytest.mark.parametrize("name, X, patterns", _cases(), ids=[c[0] for c in _cases()])
def test_cap_bound_and_screened_pricing_match_the_reference(name, X, patterns):
    cones = prepare_patterns(X, patterns)
    Z = lift(X) @ cones.basis
    rng = np.random.default_rng(0)
    caps = cone_caps(cones)
    for _ in range(4):
        lam = rng.standard_normal(len(X))
        v = cn.cones.pattern_vectors(cones.patterns, Z, lam)
        ref = _reference_values(cones, Z, v)
        if caps is not None:
            assert np.all(cap_bounds(caps, v) >= ref * (1 - 1e-9) - 1e-12)
        # a pass at a nearby dual point, whose values screen this one (prior)
        near = lam + 0.05 * rng.standard_normal(len(X))
        prior_values, prior_v = price(cones, Z, near, gated=False, threshold=float(np.median(ref)))
        for q, prior in [(q, p) for q in (0.3, 0.6, 0.9, 0.99) for p in (None, (prior_v, prior_values))]:
            threshold = float(np.quantile(ref, q))
            values, _ = price(cones, Z, lam, gated=False, threshold=threshold, prior=prior)
            above = ref > threshold * (1 + 1e-9)
            assert np.allclose(values[above], ref[above], rtol=1e-8, atol=1e-12)
            assert np.all(values >= ref * (1 - 1e-8) - 1e-12)  # below the threshold: upper bounds
            clear = np.abs(ref - threshold) > 1e-8 * ref.max()
            assert np.array_equal((values > threshold)[clear], (ref > threshold)[clear])


def test_caps_exist_for_arrangements_and_not_for_wedges():
    assert cone_caps(prepare_patterns(cn.datasets.spiral(24).X, "exact")) is not None
    # three points in the plane (with bias): every cell of the 3 planes in R^3 is a pointed
    # octant-like cone; two points: wedges that hold a line, whose rays do not bound them
    two = prepare_patterns(cn.datasets.spiral(24).X[:2], "exact")
    caps = cone_caps(two)
    assert caps is None or np.all(caps[1][two.patterns.any(axis=1)] == -1.0)
