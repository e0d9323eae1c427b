"""The theory pages (neural recovery, deep networks, complexity) driven by AppTest."""

import pytest
from conftest import chart_specs
from streamlit.testing.v1 import AppTest

RECOVERY, DEEP, COMPLEXITY = "views/recovery.py", "views/deep_networks.py", "views/complexity.py"


def open_page(page: str, **state) -> AppTest:
    app = AppTest.from_file("../../app.py", default_timeout=240)
    app.run()
    for key, value in state.items():
        app.session_state[key] = value
    app.switch_page(page).run()
    assert not app.exception, app.exception
    return app


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def metrics(app) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def table_with(app, column: str):
    """The first dataframe with this column."""
    tables = [d.value for d in app.dataframe if column in d.value.columns]
    assert tables, f"no table with a column {column!r}"
    return tables[0]


def charts(app) -> int:
    return len(chart_specs(app))


def status_labels(app) -> list[str]:
    return [e.label for e in app.get("status")]


def test_recovery_page_small_grid():
    app = open_page(RECOVERY, recovery_ds=[3, 5], recovery_n_range=(4, 12), recovery_n_step=4,
                    recovery_trials=2, recovery_nic_n=20, recovery_nic_d=5)
    assert not app.error, texts(app.error)
    assert any("Grid solved: 6 cells, 12 instances" in s for s in status_labels(app)), status_labels(app)
    # the first tab: the programs' heatmaps (one figure) and the slice; the others are built when opened
    assert charts(app) == 2 and not metrics(app)
    app.session_state["recovery_section"] = "Pictures in the plane"
    app.run()
    assert not app.exception and charts(app) == 1
    assert not app.get("status")  # no grid solved for this tab
    app.session_state["recovery_section"] = "Certificate NIC-L"
    app.run()
    assert not app.exception and charts(app) == 1  # the NIC-L bars
    m = metrics(app)
    assert m["NIC-L"] in ("holds", "fails")
    assert "gated program" in m
    # the cone-constrained program's certificate
    app.radio(key="recovery_nic_program").set_value("exact").run()
    assert not app.exception
    assert "cone-constrained (ReLU) program" in metrics(app)
    # which program ran is said on the page (the phase transition's tab)
    app.session_state["recovery_section"] = "Phase transition"
    app.run()
    assert [b.proto.label for b in app.get("download_button")] == ["Download the grid (CSV)"]
    body = " ".join(texts(app.caption) + texts(app.markdown) + texts(app.info))
    assert "gated" in body and "cone-constrained" in body and "high-probability" in body


def test_recovery_page_without_the_all_ones_pattern():
    app = open_page(RECOVERY, recovery_ds=[4], recovery_n_range=(8, 8), recovery_trials=3,
                    recovery_all_ones="never", recovery_nic_n=20, recovery_nic_d=5)
    assert not app.error, texts(app.error)
    assert any("Grid solved: 1 cell, 3 instances" in s for s in status_labels(app)), status_labels(app)


def test_recovery_page_needs_a_dimension():
    app = open_page(RECOVERY, recovery_ds=[])
    assert any("at least one dimension" in w for w in texts(app.warning))


def test_recovery_nic_undefined_below_d():
    app = open_page(RECOVERY, recovery_ds=[3], recovery_n_range=(4, 4), recovery_trials=1,
                    recovery_nic_n=6, recovery_nic_d=10, recovery_section="Certificate NIC-L")
    assert metrics(app)["largest value (all-ones excluded)"] == "undefined"
    assert any("n < d" in w for w in texts(app.warning))


def test_deep_networks_page():
    app = open_page(DEEP)
    assert not app.error, texts(app.error)
    m = metrics(app)
    assert m["primal P (standard network)"] == "5.279763"  # diag(4, 1), L = 3 (math.md)
    assert m["dual D (convex)"] == "4.386027"
    assert m["parallel network (convex value, gap 0)"] == "4.386027"
    assert any("iff rank" in w for w in texts(app.warning))
    # the GD check at L = 4: scale 0.5 stalls at rank one, scale 1 reaches the optimum
    pd_table = table_with(app, "gap")  # the verification table of math.md section 7
    assert len(pd_table) == 7 and pd_table["P"].iloc[0] == pytest.approx(3.0)
    assert charts(app) == 1  # the first tab: the gap curve; each tab is built when opened
    app.session_state["deep_section"] = "Gradient descent"
    app.run()
    table = table_with(app, "outcome")
    outcomes = dict(zip(table["run"], table["outcome"], strict=True))
    assert outcomes == {"init scale 0.5": "stalls at a rank-deficient point",
                        "init scale 1": "reaches the optimum"}
    assert list(table["final objective"]) == ["0.754143", "0.446191"]
    app.session_state["deep_section"] = "The parallel architecture"
    app.run()
    assert table_with(app, "reached")["reached"].all()
    assert charts(app) == 1
    app.session_state["deep_section"] = "Primal, dual and the gap"
    app.run()
    # equal singular values: still a gap
    app.slider(key="deep_s2").set_value(4.0).run()
    assert any("even though the nonzero singular values are equal" in w for w in texts(app.warning))
    # rank one: no gap
    app.slider(key="deep_s2").set_value(0.0).run()
    assert any("gap is zero" in s for s in texts(app.success))
    assert metrics(app)["gap P − D"] == "0.000000"


def test_complexity_page():
    app = open_page(COMPLEXITY)
    assert not app.error, texts(app.error)
    # the first tab: counts, their times, the CNN bound; the other tabs are built when opened
    assert charts(app) == 3 and not metrics(app)
    counts = table_with(app, "patterns (exact)")  # Gaussian points are in general position: n² − n + 2
    assert (counts["patterns (exact)"] == counts["n"] ** 2 - counts["n"] + 2).all()
    app.session_state["complexity_section"] = "Which data are easy"
    app.run()
    assert not app.error, texts(app.error)
    body = " ".join(texts(app.markdown))
    assert "orthogonally separable" in body
    table = table_with(app, "two patterns")
    exact = table[table["loss"].isin(["logistic", "hinge"])]
    assert (exact["all patterns"] == exact["two patterns"]).all()
    squared = table[table["loss"] == "squared"]
    assert (squared["all patterns"] != squared["two patterns"]).any()
    # the current data (moons) are general
    app.radio(key="complexity_source").set_value(app.radio(key="complexity_source").options[1]).run()
    assert not app.exception
    assert "general" in " ".join(texts(app.markdown))
    app.session_state["complexity_section"] = "Max-Cut and hardness"
    app.run()
    assert not app.error, texts(app.error)
    m = metrics(app)
    assert float(m["SDP bound"]) >= float(m["brute force max_δ ‖X̃ᵀDλ‖"]) - 1e-5
    assert charts(app) == 2  # the Max-Cut values and the hardness ladder
    assert any("0.006006" in c for c in texts(app.caption))


@pytest.mark.parametrize("page", [RECOVERY, DEEP, COMPLEXITY])
def test_pages_are_listed_in_app_py(page):
    from pathlib import Path

    app = (Path(__file__).resolve().parents[2] / "app.py").read_text()
    assert f'st.Page("{page}"' in app
