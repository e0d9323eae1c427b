"""``python -m convexnn recovery``: the grid as CSV, the same with joblib, serially and on Dask."""

import subprocess
import sys
from pathlib import Path

import pytest

from convexnn import cli, recovery

ROOT = Path(__file__).resolve().parents[2]
GRID = ["recovery", "--d", "3", "5", "--n", "4:10:3", "--trials", "3", "--program", "gated", "relu", "linear"]


def test_joblib_on_stdout_and_dask_localcluster_give_the_same_csv(tmp_path):
    distributed = pytest.importorskip("distributed")
    joblib_run = subprocess.run([sys.executable, "-m", "convexnn", *GRID, "--jobs", "2", "--quiet"],
                                cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert joblib_run.returncode == 0, joblib_run.stderr
    text = joblib_run.stdout
    lines = text.strip().splitlines()
    assert lines[0].startswith("program,n,d,trials,successes,success_rate")
    assert len(lines) == 1 + 3 * 2 * 3  # programs x d values x n values
    out = tmp_path / "grid.csv"
    # worker threads in this process: spawning worker processes under a loaded machine can time
    # out, and the path under test (Client(ADDRESS), map, as_completed) is the same
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://",
                                  dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://")
        assert cli.main([*GRID, "--dask", cluster.scheduler_address, "--out", str(out), "--quiet"]) == 0
    assert out.read_text() == text
    # and serially, in this process
    serial = tmp_path / "serial.csv"
    assert cli.main([*GRID, "--out", str(serial), "--quiet"]) == 0
    assert serial.read_text() == text


def test_csv_values(tmp_path):
    out = tmp_path / "g.csv"
    assert cli.main(["recovery", "--d", "10", "--n", "10,40", "--trials", "5", "--program", "gated",
                     "--out", str(out), "--quiet"]) == 0
    rows = [ln.split(",") for ln in out.read_text().strip().splitlines()]
    header = rows[0]
    table = {int(r[header.index("n")]): r for r in rows[1:]}
    rate = header.index("success_rate")
    assert float(table[10][rate]) == 0.0 and float(table[40][rate]) == 1.0  # math.md section 6
    assert float(table[10][header.index("wendel_probability")]) == 1.0
    assert header == list(recovery.GRID_COLUMNS)


def test_bad_arguments(capsys):
    assert cli.main(["recovery", "--d", "3", "--n", "9:4", "--trials", "2"]) == 2
    assert "start <= stop" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["recovery", "--d", "3", "--n", "4", "--program", "convex"])
    with pytest.raises(SystemExit):
        cli.main([])


def test_parser_is_extensible():
    """Another command (issue 9's ``compare``) is one more entry in COMMANDS."""
    called = {}

    def add(p):
        p.add_argument("--x", type=int, default=1)

    def run(args):
        called["x"] = args.x
        return 0

    cli.COMMANDS["probe"] = (add, run, "a test command")
    try:
        assert cli.main(["probe", "--x", "5"]) == 0 and called == {"x": 5}
    finally:
        del cli.COMMANDS["probe"]


COMPARE = ["compare", "--data", "digits:3,8", "--k", "20", "--seeds", "1", "--betas", "0.1", "0.01",
           "--lrs", "0.01", "--epochs", "3", "--max-train", "80", "--quiet"]


def test_compare_writes_rows_and_summary(tmp_path, capsys):
    from convexnn import compare

    out = tmp_path / "rows.csv"
    assert cli.main([*COMPARE, "--out", str(out)]) == 0
    lines = out.read_text().strip().splitlines()
    assert lines[0] == ",".join(compare.COLUMNS)
    body = [dict(zip(compare.COLUMNS, ln.split(","), strict=True)) for ln in lines[1:]]
    assert {r["method"] for r in body} == {"convex_gated", "adamw"}
    assert sum(r["final"] == "True" for r in body) == 2
    assert len([r for r in body if r["method"] == "adamw"]) == 3  # one lr x three epochs
    final = {r["method"]: float(r["test_acc"]) for r in body if r["final"] == "True"}
    assert final["convex_gated"] >= 0.9 and final["adamw"] >= 0.5
    # the summary to standard output
    assert cli.main([*COMPARE, "--summary"]) == 0
    text = capsys.readouterr().out.strip().splitlines()
    assert text[0].startswith("method,k,n_train,seeds,test_acc_median") and len(text) == 3


def test_compare_bad_input(tmp_path, capsys):
    assert cli.main(["compare", "--data", "digits:3", "--quiet"]) == 2
    assert "two distinct digits" in capsys.readouterr().err
    bad = tmp_path / "pickled.npy"
    import numpy as np

    np.save(bad, np.array([[1, "a"]] * 4, dtype=object), allow_pickle=True)
    assert cli.main(["compare", "--data", str(bad), "--quiet"]) == 2
    assert "pickled" in capsys.readouterr().err
    assert cli.main(["compare", "--data", "digits:3,8", "--betas", "3", "--quiet"]) == 2


def test_compare_on_dask_gives_the_serial_accuracies(tmp_path):
    """``--dask``: the same rows as a serial run except for the measured times."""
    distributed = pytest.importorskip("distributed")
    from convexnn import compare

    serial, remote = tmp_path / "serial.csv", tmp_path / "dask.csv"
    assert cli.main([*COMPARE, "--out", str(serial)]) == 0
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://",
                                  dashboard_address=None) as cluster:
        assert cli.main([*COMPARE, "--dask", cluster.scheduler_address, "--out", str(remote)]) == 0
    time_col = compare.COLUMNS.index("time")
    strip = lambda p: [ln.split(",")[:time_col] + ln.split(",")[time_col + 1:]  # noqa: E731
                       for ln in p.read_text().splitlines()]
    assert strip(serial) == strip(remote) and len(strip(serial)) > 3
