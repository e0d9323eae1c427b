"""The stored default views (assets/first_views.npz, ui/first_view.py).

The file must hold what the pages would compute with their default settings: every stored result is
recomputed here (the same functions, about 6 s of CPU) and compared, field by field; times are the
only values allowed to differ. The pages' default views are checked to use the file, and any other
setting to compute afresh.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from convexnn import ReLUNetwork
from convexnn import datasets as ds
from ui import first_view as fv
from ui import landscape as al

TIMES = {"time", "total_time", "count_seconds", "enumerate_seconds", "train_time", "seconds", "solve_time",
         "prune_time"}
"""Fields measured in seconds: they differ from run to run."""


def same(stored, fresh, where: str = "", rtol: float = 1e-6) -> None:
    """``stored`` equals ``fresh`` (recursively; floats to ``rtol``, float32 frames to 1e-5). On the
    machine that made the file they agree to the last bit; 1e-6 leaves room for another BLAS under
    1,000 epochs of training."""
    if isinstance(fresh, ReLUNetwork):
        rtol = max(rtol, 1e-5) if "snapshots" in where else rtol
        for k in ("W1", "b1", "w2"):
            a, b = getattr(stored, k), getattr(fresh, k)
            assert np.allclose(a, b, rtol=rtol, atol=rtol * max(1.0, np.abs(b).max(initial=0))), where + k
        assert np.array_equal(stored.pattern_index, fresh.pattern_index), where
        assert stored.intercept == pytest.approx(fresh.intercept, rel=rtol, abs=rtol), where
    elif dataclasses.is_dataclass(fresh):
        assert type(stored) is type(fresh), where
        for f in dataclasses.fields(fresh):
            if f.name not in TIMES and f.name != "stored":
                same(getattr(stored, f.name), getattr(fresh, f.name), f"{where}.{f.name}", rtol)
    elif isinstance(fresh, dict):
        assert set(stored) == set(fresh), where
        for k in fresh:
            if k not in TIMES:
                same(stored[k], fresh[k], f"{where}[{k!r}]", rtol)
    elif isinstance(fresh, (list, tuple)):
        assert type(stored) is type(fresh) and len(stored) == len(fresh), where
        for i, (a, b) in enumerate(zip(stored, fresh, strict=True)):
            same(a, b, f"{where}[{i}]", rtol)
    elif isinstance(fresh, np.ndarray):
        assert stored.shape == fresh.shape and stored.dtype.kind == fresh.dtype.kind, where
        assert np.allclose(stored, fresh, rtol=rtol, atol=0, equal_nan=True), where
    elif isinstance(fresh, float):
        assert stored == pytest.approx(fresh, rel=rtol, nan_ok=True), where
    else:
        assert stored == fresh, where


def test_the_file_holds_the_default_calls_and_only_arrays():
    table = fv.stored()
    calls = fv.default_calls()
    # AdamW at 3 rates, 2 convex programs, 2 x gradient descent, the counts, the two-pattern example,
    # Stationary: p* and 8 runs, the critical width and the Lasso path on the default data, the default
    # recovery grid
    assert len(calls) == 21
    assert set(table) == {fv.call_key(fn, args) for fn, args in calls}
    with np.load(fv.ASSET, allow_pickle=False) as f:  # arrays only, no pickled objects
        assert all(f[k].dtype != object for k in f.files)
    assert fv.ASSET.stat().st_size < 500_000


@pytest.mark.parametrize("index", range(21))
def test_each_stored_result_equals_its_recomputation(index):
    fn, args = fv.default_calls()[index]
    fresh = fn(*args)
    stored = fv.lookup(fn, *args)
    assert stored is not None
    same(stored, fresh, fv.call_key(fn, args)[:40])
    if hasattr(fresh, "stored"):
        assert stored.stored and not fresh.stored


def test_other_data_or_settings_are_computed():
    spiral = ds.spiral()
    fn, args = fv.default_calls()[0]
    assert fn is al.adamw_run and fv.adamw_run(*args).stored
    other = (*args[:5], 20, *args[6:])  # 20 epochs
    assert fv.lookup(fn, *other) is None and not fv.adamw_run(*other).stored
    assert fv.lookup(fn, spiral.X, -spiral.y, *args[2:]) is None  # other labels
    assert fv.lookup(fv.deep_runs, False, 4, 0.1, (0.5, 1.0), 5000, 0.05) is None
    assert fv.lookup(fv.count_table, fv.COUNT_NS, 160) is None


def test_encoding_refuses_what_it_cannot_store():
    with pytest.raises(TypeError):
        fv._encode(object(), {})
    with pytest.raises(TypeError):
        fv._encode(np.array([object()]), {})
    arrays: dict = {}
    tree = {"a": (1, 2.5, "x", None), "b": [np.arange(3), np.eye(2), np.arange(4).reshape(2, 2)]}
    encoded = fv._encode(tree, arrays)
    back = fv._decode(encoded, {k: np.concatenate(v) for k, v in arrays.items()})
    assert back["a"] == (1, 2.5, "x", None)
    for a, b in zip(back["b"], tree["b"], strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)


def open_page(page: str) -> AppTest:
    at = AppTest.from_file("../../app.py", default_timeout=120)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_adamw_default_page_shows_the_stored_results():
    at = open_page("views/adamw.py")
    assert any("first_views.npz" in c.value for c in at.caption)
    rows = next(df.value for df in at.dataframe if "method" in df.value.columns)
    adamw_calls = fv.default_calls()[:5]  # the AdamW page's three runs and two solves
    stored = {r.label: r for r in (fv.lookup(fn, *args) for fn, args in adamw_calls)}
    assert set(rows["method"]) == set(stored)  # no run diverged, so no "(diverged)" in a name
    for _, row in rows.iterrows():  # the table's times are the stored ones: nothing was recomputed
        record = stored[row["method"]]
        seconds = record.total_time if isinstance(record, al.TrainRecord) else record.time
        assert row["time (s)"] == round(seconds, 2)


def test_the_complexity_and_deep_default_pages_use_the_file():
    at = open_page("views/complexity.py")
    assert any("first_views.npz" in c.value for c in at.caption)
    table = next(df.value for df in at.dataframe if "count (s)" in df.value.columns)
    rows = fv.lookup(fv.count_table, fv.COUNT_NS, fv.COUNT_LIMIT)
    assert list(table["count (s)"]) == [f"{r['count_seconds']:.3f}" for r in rows]  # the stored times
    at.session_state["complexity_section"] = "Which data are easy"  # its tab, built when opened
    at.run()
    two = next(df.value for df in at.dataframe if "two patterns" in df.value.columns)
    stored = fv.lookup(fv.two_pattern_comparison, *fv.cx.orthogonally_separable_example(), False)
    assert list(two["two patterns"]) == [f"{r.two:.6f}" for r in stored]
    at = open_page("views/deep_networks.py")
    at.session_state["deep_section"] = "Gradient descent"  # its tab, built when opened
    at.run()
    finals = [df.value for df in at.dataframe if "final objective" in df.value.columns]
    stored = fv.lookup(fv.deep_runs, False, 4, 0.1, (0.5, 1.0), 5000, 0.1)
    assert list(finals[0]["final objective"]) == [f"{r.final:.6f}" for r in stored.values()]


def test_the_stationary_default_page_uses_the_file():
    at = open_page("views/stationary.py")
    assert any("first_views.npz" in c.value for c in at.caption)
    table = next(df.value for df in at.dataframe if "train time (s)" in df.value.columns)
    runs = [fv.lookup(fn, *args) for fn, args in fv.default_calls() if fn is al.one_run]
    assert list(table["train time (s)"]) == [round(r.train_time, 2) for r in runs]  # the stored times
    assert np.allclose(table["L"].to_numpy(float), [r.objective for r in runs], rtol=1e-12)


def test_the_all_global_optima_default_page_uses_the_file():
    at = open_page("views/optima.py")
    at.session_state["optima_section"] = "The critical width m*"  # its tab, built when opened
    at.run()
    fn, args = fv.default_calls()[-3]
    assert fn is fv.width_experiment
    cw = fv.lookup(fn, *args)
    metrics = {m.label: m for m in at.metric}
    assert metrics["Training time"].value == f"{cw.seconds:.1f} s"  # the stored time: nothing was trained
    assert metrics["p* (convex)"].value == f"{cw.p_star:.6g}"
    assert any("first_views.npz" in c.value for c in at.caption)


def test_the_lasso_path_default_page_uses_the_file():
    at = open_page("views/lasso_path.py")
    fn, args = fv.default_calls()[-2]
    assert fn is fv.lasso_path
    path = fv.lookup(fn, *args)
    metrics = {m.label: m for m in at.metric}
    assert metrics["Path time"].value == f"{path.solve_time + path.prune_time:.1f} s"  # stored times
    assert "first_views.npz" in metrics["Path time"].help
    assert metrics["Neurons at the smallest β"].value == f"{int(path.n_neurons[-1])}"


def test_each_lookup_is_a_copy():
    fn, args = fv.default_calls()[-2]
    first = fv.lookup(fn, *args)
    first.n_neurons[:] = -1  # a page changing its result
    assert (fv.lookup(fn, *args).n_neurons >= 0).all()


def test_the_recovery_default_grid_is_stored_and_other_grids_are_not():
    fn, args = fv.default_calls()[-1]
    assert fn is fv.recovery_grid and len(args[0]) == 80  # 20 cells x 4 trials
    assert len(fv.lookup(fn, *args)) == 80
    assert fv.lookup(fn, args[0][:4], *args[1:]) is None


def test_the_recovery_default_page_starts_no_solve(monkeypatch):
    """The default grid comes from the file: the page runs with the grid solver switched off."""
    from convexnn import recovery as rc

    def refuse(*args, **kwargs):
        raise AssertionError("the default grid was solved, not read from the file")

    monkeypatch.setattr(rc, "run_tasks", refuse)
    at = open_page("views/recovery.py")
    assert not at.error, [e.value for e in at.error]
    assert any("Grid solved: 20 cells, 80 instances" in s.label for s in at.get("status"))
