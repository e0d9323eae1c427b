"""Planted-model recovery (math.md section 6): the min-norm programs, the reference protocol,
NIC-L, Wendel's probability and the phase transition at d = 10."""

import numpy as np
import pytest

from convexnn import recovery as rc


@pytest.mark.parametrize("program", rc.PROGRAMS)
@pytest.mark.parametrize("n,d", [(10, 10), (20, 10), (12, 5)])
def test_direct_clarabel_form_matches_the_cvxpy_reference(program, n, d):
    prob = rc.planted_problem(n, d, seed=[7, n, d, 0])
    fast = rc.solve_min_norm(prob.X, prob.y, prob.patterns, program)
    ref = rc.solve_min_norm(prob.X, prob.y, prob.patterns, program, solver="cvxpy")
    ws = rc.solve_min_norm(prob.X, prob.y, prob.patterns, program, solver="working-set")
    assert fast.status == "optimal" and ws.status == "optimal"
    assert fast.objective == pytest.approx(ref.objective, rel=1e-6)
    assert ws.objective == pytest.approx(ref.objective, rel=1e-6)
    assert ws.residual < 1e-8
    assert fast.residual < 1e-8
    # interpolation and (relu) the cone constraints hold
    S = np.where(prob.patterns, 1.0, -1.0)
    if program == "exact":
        assert np.all(S * (fast.W @ prob.X.T) >= -1e-8)
        assert np.all(S * (fast.W_neg @ prob.X.T) >= -1e-8)
    else:
        assert np.all(fast.W_neg == 0)
    # w* itself is feasible, so the optimum is at most ||w*|| = 1
    assert fast.objective <= 1 + 1e-7


def test_reference_protocol_instance():
    prob = rc.planted_problem(30, 10, seed=3)
    assert prob.X.shape == (30, 10) and np.linalg.norm(prob.w_star) == pytest.approx(1.0)
    assert np.allclose(prob.y, prob.X @ prob.w_star)
    P = prob.patterns
    assert P.dtype == bool and P.shape[1] == 30 and len(np.unique(P, axis=0)) == len(P)
    assert P[:-1].any(axis=1).all() and not P[:-1].all(axis=1).any()
    assert prob.all_ones_added == prob.all_ones_exists == P[-1].all()
    # X_ij ~ N(0, 1/n): rows of squared norm about d/n
    big = rc.planted_problem(400, 10, seed=0)
    assert np.mean(np.sum(big.X**2, axis=1)) == pytest.approx(10 / 400, rel=0.1)
    small = rc.planted_problem(30, 10, seed=3, planted="smallest")
    v = np.linalg.svd(small.X)[2][-1]
    assert abs(abs(v @ small.w_star) - 1) < 1e-12


def test_nonzero_nonnegative_direction_lp():
    assert rc.has_nonzero_nonnegative_direction(np.random.default_rng(0).standard_normal((5, 8)))  # n < d
    assert rc.has_nonzero_nonnegative_direction(np.array([[1.0, 0.2], [0.5, -1.0], [2.0, 3.0]]))
    # three directions that positively span the plane: only u = 0 has X u >= 0
    assert not rc.has_nonzero_nonnegative_direction(np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]))


def test_wendel_probability():
    assert rc.wendel_probability(20, 10) == 0.5
    assert rc.wendel_probability(200, 100) == pytest.approx(0.5)
    assert rc.wendel_probability(10, 10) == 1.0 and rc.wendel_probability(3, 10) == 1.0
    table = {15: 0.91, 18: 0.69, 22: 0.33, 25: 0.15, 30: 0.03}
    for n, p in table.items():
        assert rc.wendel_probability(n, 10) == pytest.approx(p, abs=0.006)
    assert rc.wendel_probability(40, 10) == pytest.approx(0.0005, abs=0.0001)
    # and it is what the LP detects, about half the time at n = 2d
    hits = [rc.has_nonzero_nonnegative_direction(np.random.default_rng(s).standard_normal((8, 4)))
            for s in range(200)]
    assert np.mean(hits) == pytest.approx(0.5, abs=0.1)


def test_success_criterion():
    w = np.array([0.6, 0.8])
    sol = rc.MinNormSolution("gated", w + 5e-5, np.zeros((3, 2)), np.zeros((3, 2)),
                             np.ones((3, 4), bool), 1.0, "optimal", 0.0)
    assert rc.recovered(sol, w)
    sol.W[1, 0] = 2e-4
    assert not rc.recovered(sol, w)


def test_math_md_d10_none_at_n10_all_at_n40_gated():
    spec = rc.GridSpec(ns=[10, 40], ds=[10], trials=5, programs=("gated",))
    rows = rc.recovery_grid(spec)
    assert [(r["n"], r["successes"]) for r in rows] == [(10, 0), (40, 5)]


def test_phase_transition_shape_gated_d10():
    """The gated program's table of math.md section 6 (20 trials): ~0 for n <= 15, about 1/2
    near n = 2d = 20, >= 0.95 for n >= 25; the linear model alone recovers from n = d on."""
    ns = [10, 15, 20, 25, 30, 40]
    spec = rc.GridSpec(ns=ns, ds=[10], trials=20, programs=("gated", "linear"))
    rows = rc.recovery_grid(spec)
    gated = {r["n"]: r["success_rate"] for r in rows if r["program"] == "gated"}
    linear = {r["n"]: r["success_rate"] for r in rows if r["program"] == "linear"}
    assert gated[10] == 0 and gated[15] <= 0.1
    assert 0.3 <= gated[20] <= 0.8
    assert all(gated[n] >= 0.95 for n in (25, 30, 40))
    assert all(v == 1.0 for v in linear.values())


def test_cone_constrained_program_recovers_earlier():
    """math.md's caution: with sampled patterns the cone-constrained program recovers at n = 15."""
    spec = rc.GridSpec(ns=[15], ds=[10], trials=10, programs=("gated", "relu"))
    rows = {r["program"]: r["success_rate"] for r in rc.recovery_grid(spec)}
    assert rows["gated"] <= 0.1 and rows["exact"] >= 0.6  # "relu" is read as "exact"


def test_all_ones_block_ties_with_the_skip_connection_in_the_gated_program():
    """D = I duplicates w0: forcing the all-ones pattern at n = 40 splits w* between them."""
    prob = rc.planted_problem(40, 10, seed=1, all_ones="always")
    sol = rc.solve_min_norm(prob.X, prob.y, prob.patterns, "gated")
    assert sol.objective == pytest.approx(1.0, abs=1e-7)
    split = sol.w0 @ prob.w_star
    assert 0.05 < split < 0.95
    assert np.allclose(sol.w0 + sol.W[-1], prob.w_star, atol=1e-6)
    assert not rc.recovered(sol, prob.w_star)
    without = rc.planted_problem(40, 10, seed=1, all_ones="never")
    assert rc.recovered(rc.solve_min_norm(without.X, without.y, without.patterns, "gated"), without.w_star)


def test_nic_values():
    prob = rc.planted_problem(40, 10, seed=[0, 40, 10, 0], all_ones="always")
    vg, ones = rc.nic_values(prob.X, prob.w_star, prob.patterns, "gated")
    vr, _ = rc.nic_values(prob.X, prob.w_star, prob.patterns, "relu")
    assert ones[-1] and ones.sum() == 1
    assert vg[-1] == pytest.approx(1.0, abs=1e-12)  # the all-ones tie
    # an independent computation of ||X^T D_j lambda||
    lam = prob.X @ np.linalg.solve(prob.X.T @ prob.X, prob.w_star)
    j = 3
    assert vg[j] == pytest.approx(np.linalg.norm(prob.X.T @ (prob.patterns[j] * lam)))
    assert np.all(vr <= vg + 1e-9)  # a projection onto a cone is never longer
    assert rc.nic_holds(vg, ones) and rc.nic_holds(vr, ones)
    assert rc.recovered(rc.solve_min_norm(prob.X, prob.y, prob.patterns[:-1], "gated"), prob.w_star)
    small = rc.planted_problem(10, 10, seed=[0, 10, 10, 0])
    v10, ones10 = rc.nic_values(small.X, small.w_star, small.patterns, "gated")
    assert not rc.nic_holds(v10, ones10)
    assert np.isnan(rc.nic_values(small.X[:5], small.w_star, small.patterns[:, :5])[0]).all()


def test_two_d_illustration():
    two, five = rc.illustration(2), rc.illustration(5)
    assert two.solution.objective < 0.9 and not two.recovered and len(two.relu_neurons()) >= 1
    assert five.recovered and five.relu_neurons() == []
    assert five.solution.objective == pytest.approx(1.0, abs=1e-7)
    grid = np.random.default_rng(0).standard_normal((7, 2))
    assert np.allclose(five.field(grid), grid @ five.w_star, atol=1e-6)
    assert np.allclose(two.field(two.X), two.y, atol=1e-7)


def test_parse_range_and_grid_validation():
    assert rc.parse_range("10:60:5") == list(range(10, 61, 5))
    assert rc.parse_range("10:12") == [10, 11, 12]
    assert rc.parse_range("7") == [7] and rc.parse_range("10,20") == [10, 20]
    for bad in ["5:3", "1:5:0", "a"]:
        with pytest.raises(ValueError):
            rc.parse_range(bad)
    with pytest.raises(ValueError):
        rc.GridSpec(ns=[10], ds=[5], trials=0)
    with pytest.raises(ValueError):
        rc.GridSpec(ns=[10], ds=[5], trials=1, programs=("leaky",))
    with pytest.raises(ValueError):
        rc.solve_min_norm(np.eye(3), np.ones(2), np.ones((1, 3), bool))


def test_grid_csv_columns():
    spec = rc.GridSpec(ns=[6, 8], ds=[3], trials=2, programs=("gated", "relu", "linear"))
    rows = rc.recovery_grid(spec)
    text = rc.grid_csv(rows)
    lines = text.strip().splitlines()
    header = lines[0].split(",")
    assert header == list(rc.GRID_COLUMNS)
    assert {"program", "n", "d", "trials", "success_rate"} <= set(header)
    assert len(lines) == 1 + 3 * 2
    assert {ln.split(",")[0] for ln in lines[1:]} == {"gated", "exact", "linear"}


def test_working_set_gives_the_whole_programs_outcomes_for_relu():
    """Column generation is exact: same objective and the same recovery outcome as one interior-point
    solve of the whole cone-constrained program."""
    for n, d, t in [(8, 6, 0), (12, 10, 1), (16, 10, 2), (24, 8, 0), (30, 12, 3), (20, 4, 1)]:
        prob = rc.planted_problem(n, d, seed=[5, n, d, t])
        whole = rc.solve_min_norm(prob.X, prob.y, prob.patterns, "relu", solver="clarabel")
        ws = rc.solve_min_norm(prob.X, prob.y, prob.patterns, "relu", solver="working-set")
        assert ws.objective == pytest.approx(whole.objective, rel=1e-6, abs=1e-8)
        assert rc.recovered(ws, prob.w_star) == rc.recovered(whole, prob.w_star)
        assert ws.info["blocks_solved"] <= 1 + 2 * prob.patterns.shape[0]
        # the dual vector certifies: every block's dual value at most 1
        masks, signs, constrained = rc._program_blocks(n, prob.patterns, "exact")
        values = rc.block_dual_values(prob.X, ws.info["lambda"], masks, signs, constrained)
        assert values.max() <= 1 + 1e-5


def test_gated_failures_near_2d_are_ties_with_the_all_ones_block():
    """With the all-ones pattern present, w* is still optimal in the gated program but not the only
    optimum: a working-set solve (which keeps w0) reports recovery, the whole interior-point solve
    (the reference) splits w* and does not."""
    prob = rc.planted_problem(20, 10, seed=[1, 20, 10, 0])
    assert prob.all_ones_added
    whole = rc.solve_min_norm(prob.X, prob.y, prob.patterns, "gated")
    ws = rc.solve_min_norm(prob.X, prob.y, prob.patterns, "gated", solver="working-set")
    assert whole.objective == pytest.approx(1.0, abs=1e-7) and ws.objective == pytest.approx(1.0, abs=1e-7)
    assert rc.recovered(ws, prob.w_star) and not rc.recovered(whole, prob.w_star)
