"""The AdamW page's stored first view (assets/adamw_first_view.npz, ui/first_view.py).

The file must hold what the page would compute with its default settings: every stored record is
recomputed here (the same functions, about 3 s of CPU) and compared, and the page's default view is
checked to use it while any other setting computes afresh.
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from convexnn import datasets as ds
from ui import first_view as fv
from ui import landscape as al


def same_network(a, b, X, rtol=1e-6) -> None:
    """Equal weights (to float32 for the stored animation frames) and equal outputs on the data."""
    assert a.W1.shape == b.W1.shape
    assert np.allclose(a.W1, b.W1, rtol=rtol, atol=rtol * max(1.0, np.abs(b.W1).max()))
    fa, fb = a.predict(X), b.predict(X)
    assert np.allclose(fa, fb, rtol=rtol, atol=rtol * max(1.0, np.abs(fb).max()))
    assert a.intercept == pytest.approx(b.intercept, rel=rtol, abs=rtol)


def test_the_file_holds_the_pages_default_calls_on_the_spiral():
    table = fv.stored()
    data = ds.spiral()
    assert table["data"] == fv.data_key(data.X, data.y)
    calls = fv.default_calls()
    assert len(calls) == 5  # three learning rates, the Gaussian and geometric-algebra programs
    assert set(table) - {"data"} == {fv.call_key(*c) for c in calls}
    with np.load(fv.ASSET, allow_pickle=False) as f:  # arrays and strings only
        assert all(f[k].dtype != object for k in f.files)


@pytest.mark.parametrize("index", range(5))
def test_each_stored_record_equals_its_recomputation(index):
    kind, args = fv.default_calls()[index]
    data = ds.spiral()
    X, y = data.X, data.y
    fresh = (al.adamw_run if kind == "adamw" else al.convex_solve)(X, y, *args)
    stored = fv.stored()[fv.call_key(kind, args)]
    assert stored.stored and not fresh.stored and fresh.error is None
    assert stored.label == fresh.label
    same_network(stored.network, fresh.network, X)
    if kind == "adamw":
        assert stored.final_objective == pytest.approx(fresh.final_objective, rel=1e-9)
        assert stored.final_accuracy == fresh.final_accuracy
        assert np.allclose(stored.objective, fresh.objective, rtol=1e-9)
        assert stored.epochs == fresh.epochs and stored.snapshot_epochs == fresh.snapshot_epochs
        assert len(stored.snapshots) == len(fresh.snapshots)
        for a, b in zip(stored.snapshots, fresh.snapshots, strict=True):
            same_network(a, b, X, rtol=1e-5)  # frames are stored as float32
    else:
        assert stored.objective == pytest.approx(fresh.objective, rel=1e-9)
        assert stored.certified == fresh.certified
        assert stored.relative_gap == pytest.approx(fresh.relative_gap, rel=1e-6)
        assert (stored.n_patterns, stored.n_active, stored.status) == (fresh.n_patterns, fresh.n_active,
                                                                      fresh.status)
        assert stored.accuracy == fresh.accuracy
        same_network(stored.minimal, fresh.minimal, X)


def test_other_data_or_settings_are_computed():
    data = ds.spiral()
    kind, args = fv.default_calls()[0]
    assert fv.adamw_run(data.X, data.y, *args).stored
    other = (args[0], args[1], args[2], 20) + args[4:]  # 20 epochs
    assert not fv.adamw_run(data.X, data.y, *other).stored
    assert not fv.adamw_run(data.X, -data.y, *args[:3], 20, *args[4:]).stored


def test_the_default_page_shows_the_stored_results():
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.run()
    at.switch_page("views/adamw.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("adamw_first_view.npz" in c.value for c in at.caption)
    rows = next(df.value for df in at.dataframe if "method" in df.value.columns)
    assert len(rows) == 5
    stored = {r.label: r for k, r in fv.stored().items() if k != "data"}
    assert set(rows["method"]) == set(stored)  # no run diverged, so no "(diverged)" in a name
    for _, row in rows.iterrows():  # the table's times are the stored ones: nothing was recomputed
        record = stored[row["method"]]
        seconds = record.total_time if isinstance(record, al.TrainRecord) else record.time
        assert row["time (s)"] == round(seconds, 2)
