"""Seeded data sets, the spiral of math.md section 9, and the CSV format with its validation."""

from __future__ import annotations

import numpy as np
import pytest

from convexnn import datasets as ds
from convexnn.data.datasets import Dataset, from_csv, to_csv
from convexnn.patterns.arrangements import count_patterns

CLASSIFIERS = ["spiral", "moons", "circles", "xor", "gaussians", "linear"]
REGRESSORS_1D = ["sine", "abs", "steps"]


def spiral_generation_order(n_per_arm: int = 80) -> tuple[np.ndarray, np.ndarray]:
    """math.md section 9, written out: phi = i pi/16, r = 6.5(104-i)/104, arms s = +1 then -1."""
    pts, labels = [], []
    for s in (1.0, -1.0):
        for i in range(n_per_arm):
            phi, r = i * np.pi / 16, 6.5 * (104 - i) / 104
            p = np.array([r * np.cos(phi) * s / 13 + 0.5, r * np.sin(phi) * s / 13 + 0.5])
            pts.append(2 * p - 1)
            labels.append(s)
    return np.array(pts), np.array(labels)


def _rows(X, y):
    return sorted(map(tuple, np.round(np.column_stack([X, y]), 12).tolist()))


# --------------------------------------------------------------------------------------------
# Spiral
# --------------------------------------------------------------------------------------------


def test_spiral_point_checks_of_math_md():
    data = ds.spiral()
    assert data.X.shape == (160, 2) and data.n == 160 and data.task == "classification"
    G, labels = spiral_generation_order()
    # the [V] values of math.md section 9 (generation order)
    assert np.allclose(G[0], (1, 0), atol=1e-12) and labels[0] == 1
    assert np.allclose(G[80], (-1, 0), atol=1e-12) and labels[80] == -1
    assert np.allclose(G[79], (-0.235766, 0.046897), atol=1e-6) and labels[79] == 1
    # the generator shuffles: the same multiset of (point, label)
    assert _rows(data.X, data.y) == _rows(G, labels)
    found = {tuple(np.round(r, 6)): lab for r, lab in zip(data.X, data.y, strict=True)}
    assert found[(1.0, 0.0)] == 1 and found[(-1.0, 0.0)] == -1
    assert found[(-0.235766, 0.046897)] == 1
    assert data.X[:, 1].min() == pytest.approx(-0.923, abs=5e-4)
    assert data.X[:, 1].max() == pytest.approx(0.923, abs=5e-4)
    assert data.X[:, 0].min() == pytest.approx(-1.0) and data.X[:, 0].max() == pytest.approx(1.0)
    assert np.sum(data.y == 1) == 80 and np.sum(data.y == -1) == 80


def test_spiral_is_shuffled_with_its_seed():
    a, b = ds.spiral(), ds.spiral(seed=2)
    G, labels = spiral_generation_order()
    assert not np.allclose(a.X, G)  # shuffled
    order = np.random.RandomState(1).permutation(160)
    assert np.allclose(a.X, G[order], atol=1e-12) and np.array_equal(a.y, labels[order])
    assert _rows(a.X, a.y) == _rows(b.X, b.y) and not np.allclose(a.X, b.X)


def test_spiral_noise_is_seeded_and_small():
    a = ds.spiral(noise=0.05)
    assert np.array_equal(a.X, ds.spiral(noise=0.05).X)
    clean = ds.spiral()
    d = a.X - clean.X
    assert np.array_equal(a.y, clean.y)
    assert 0.02 < d.std() < 0.08


def test_spiral_odd_n_returns_n_points():
    # regression: spiral(7) returned 6 points (fixed in 1762441)
    for n in (5, 7, 161):
        data = ds.spiral(n)
        assert data.n == n and set(np.unique(data.y)) == {-1.0, 1.0}


# --------------------------------------------------------------------------------------------
# Every generator
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CLASSIFIERS)
@pytest.mark.parametrize("n", [9, 40])
def test_classification_generators(name, n):
    data = ds.generate(name, n=n, seed=3)
    assert data.X.shape == (n, 2) and data.y.shape == (n,)
    assert data.X.dtype == float and np.all(np.isfinite(data.X))
    assert data.task == "classification" and data.name == name
    assert set(np.unique(data.y)) == {-1.0, 1.0}
    assert np.all(np.abs(data.X) < 3)
    again = ds.generate(name, n=n, seed=3)
    assert np.array_equal(again.X, data.X) and np.array_equal(again.y, data.y)
    other = ds.generate(name, n=n, seed=4)
    assert not np.array_equal(other.X, data.X)


@pytest.mark.parametrize("name", REGRESSORS_1D)
def test_one_dimensional_regression_generators(name):
    data = ds.generate(name, n=25, seed=1)
    assert data.X.shape == (25, 1) and data.y.shape == (25,)
    assert data.task == "regression" and data.dim == 1
    assert np.all(np.abs(data.X) <= 1)
    assert np.all(np.diff(data.X[:, 0]) >= 0)  # sorted inputs
    clean = ds.generate(name, n=25, seed=1, noise=0.0)
    x = clean.X[:, 0]
    target = {"sine": np.sin(np.pi * x), "abs": np.abs(x), "steps": np.floor(1.5 * (x + 1)) / 1.5 - 1}[name]
    assert np.allclose(clean.y, target, atol=1e-12)
    assert np.array_equal(ds.generate(name, n=25, seed=1).y, data.y)
    assert not np.array_equal(ds.generate(name, n=25, seed=2).X, data.X)
    assert 0 < np.std(data.y - target) < 0.2  # default noise is small but present


def test_plane_regression_generator():
    data = ds.generate("plane", n=30, seed=0, noise=0.0)
    x1, x2 = data.X.T
    assert data.X.shape == (30, 2) and data.task == "regression"
    assert np.allclose(data.y, np.maximum(x1 + x2, 0) - 0.5 * np.maximum(x1 - x2, 0), atol=1e-12)


def test_default_sizes_and_talk_example():
    assert ds.spiral().n == 160
    assert ds.moons().n == 100
    assert ds.sine().n == 20
    talk = ds.talk_example()
    assert talk.X.tolist() == [[3, 3], [2, 2], [1, 0]] and talk.y.tolist() == [3, 2, 1]


def test_generator_errors():
    with pytest.raises(ValueError, match="unknown data set"):
        ds.generate("swiss-roll")
    for name in CLASSIFIERS:
        with pytest.raises(ValueError):
            ds.generate(name, n=1)


def test_train_test_split():
    data = ds.moons(50).with_split(0.2, seed=3)
    assert data.is_test.sum() == 10
    assert data.train().n == 40 and data.test().n == 10
    assert np.array_equal(ds.moons(50).with_split(0.2, seed=3).is_test, data.is_test)
    assert ds.moons(50).test() is None and ds.moons(50).train().n == 50
    with pytest.raises(ValueError):
        ds.moons(50).with_split(1.0)


def test_drop_duplicates():
    X = np.array([[0, 0], [1, 1], [0, 0], [2, 2], [1, 1.0]])
    data = Dataset(X, [1, -1, 1, -1, -1], "classification")
    dedup, dropped = ds.drop_duplicates(data)
    assert dropped == 2
    assert dedup.X.tolist() == [[0, 0], [1, 1], [2, 2]]
    assert dedup.y.tolist() == [1, -1, -1]
    same, zero = ds.drop_duplicates(dedup)
    assert zero == 0 and same.n == 3


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [ds.spiral(20), ds.moons(15, seed=2), ds.sine(12), ds.plane(10), ds.moons(20).with_split(0.25, seed=1)],
    ids=["spiral", "moons", "sine 1-D", "plane regression", "with split"],
)
def test_csv_round_trip(data):
    text = to_csv(data)
    header = text.splitlines()[0]
    cols = [f"x{j + 1}" for j in range(data.dim)] + ["y"] + (["split"] if data.is_test is not None else [])
    assert header == ",".join(cols)
    back = from_csv(text)
    assert np.array_equal(back.X, data.X) and np.array_equal(back.y, data.y)  # exact floats
    assert back.task == data.task
    if data.is_test is None:
        assert back.is_test is None
    else:
        assert np.array_equal(back.is_test, data.is_test)
    assert np.array_equal(from_csv(text.encode("utf-8")).X, data.X)


def test_csv_reader_is_lenient_about_layout():
    text = "\ufeffY , X2, x1\n1, 0.5, 2\n\n-1, 1.5, 3\n"
    data = from_csv(text.encode("utf-8"))
    assert data.X.tolist() == [[2, 0.5], [3, 1.5]] and data.y.tolist() == [1, -1]
    assert data.task == "classification"
    assert from_csv("x1,y\n0,0.5\n1,2\n").task == "regression"
    assert from_csv("x1,y\n0,1\n1,-1\n", task="regression").task == "regression"


BAD_CSV = {
    "empty": ("", "empty"),
    "blank lines": ("\n\n  \n", "empty"),
    "header only": ("x1,x2,y\n", "empty"),
    "one point": ("x1,x2,y\n1,2,1\n", "single point"),
    "one class": ("x1,x2,y\n1,2,1\n3,4,1\n5,6,1\n", "one class"),
    "nan": ("x1,x2,y\n1,nan,1\n3,4,-1\n", "NaN"),
    "inf": ("x1,x2,y\n1,2,1\n3,inf,-1\n", "infinite"),
    "nan label": ("x1,x2,y\n1,2,nan\n3,4,-1\n", "NaN"),
    "wrong columns": ("a,b,c\n1,2,1\n3,4,-1\n", "x1"),
    "no y column": ("x1,x2,label\n1,2,1\n3,4,-1\n", "y"),
    "column gap": ("x1,x3,y\n1,2,1\n3,4,-1\n", "x1, x2"),
    "non-numeric": ("x1,x2,y\n1,abc,1\n3,4,-1\n", "row 2, column x2"),
    "non-numeric label": ("x1,x2,y\n1,2,1\n3,4,yes\n", "row 3, column y"),
    "short row": ("x1,x2,y\n1,2\n3,4,-1\n", "row 2"),
    "bad split": ("x1,x2,y,split\n1,2,1,maybe\n3,4,-1,test\n", "train or test"),
    "not utf-8": (b"\xff\xfe\x00\x01", "UTF-8"),
}


@pytest.mark.parametrize("name", sorted(BAD_CSV))
def test_csv_errors_are_value_errors_with_a_helpful_message(name):
    text, words = BAD_CSV[name]
    with pytest.raises(ValueError) as info:
        from_csv(text)
    assert words.lower() in str(info.value).lower(), str(info.value)


def test_csv_wrong_labels_and_row_limit():
    with pytest.raises(ValueError, match=r"-1 or \+1"):
        from_csv("x1,x2,y\n1,2,0\n3,4,1\n", task="classification")
    with pytest.raises(ValueError, match="limit"):
        from_csv("x1,y\n" + "".join(f"{k},{(-1) ** k}\n" for k in range(11)), max_rows=10)
    assert from_csv("x1,y\n" + "".join(f"{k},{(-1) ** k}\n" for k in range(10)), max_rows=10).n == 10


@pytest.mark.parametrize(
    "X, y, task, words",
    [
        (np.zeros((0, 2)), np.zeros(0), "regression", "empty"),
        (np.zeros((1, 2)), np.zeros(1), "regression", "single point"),
        (np.zeros((3, 2)), np.zeros(2), "regression", "3 rows"),
        (np.array([[0, np.nan], [1, 1]]), [1, -1], "classification", "NaN"),
        (np.array([[0, 0], [1, 1]]), [1, 2], "classification", "-1 or +1"),
        (np.array([[0, 0], [1, 1]]), [-1, -1], "classification", "one class"),
        (np.array([[0, 0], [1, 1]]), [1, -1], "clustering", "task"),
        ([["a", "b"], ["c", "d"]], [1, -1], "classification", "number"),
        (np.zeros((2, 2, 2)), [1, -1], "classification", "2-D"),
    ],
    ids=["empty", "one point", "length", "nan", "labels", "one class", "task", "strings", "3-D"],
)
def test_dataset_validation(X, y, task, words):
    with pytest.raises(ValueError) as info:
        Dataset(X, y, task)
    assert words.lower() in str(info.value).lower(), str(info.value)


def test_v41_example_is_the_identity_with_unit_targets():
    data = ds.v41_example()
    assert np.array_equal(data.X, [[1.0, 0.0], [0.0, 1.0]]) and np.array_equal(data.y, [1.0, 1.0])
    assert data.task == ds.REGRESSION


def test_v42_example_is_the_documented_random_data():
    data = ds.v42_example()
    rng = np.random.default_rng(0)  # docs: 30 points U[-1,1]^2 from default_rng(0)
    X = rng.uniform(-1, 1, 60).reshape(30, 2)
    assert np.array_equal(data.X, X)
    assert np.array_equal(data.y, np.where(np.sin(3 * X[:, 0]) + X[:, 1] > 0, 1.0, -1.0))
    assert data.task == ds.CLASSIFICATION and set(np.unique(data.y)) == {-1.0, 1.0}
    assert count_patterns(data.X) == 872  # the documented pattern count
