"""Seeded data sets and the CSV format convexnn reads and writes.

Every generator returns a :class:`Dataset`: ``X`` of shape (n, 2) for the 2-D classification
and regression sets and (n, 1) for the 1-D regression sets, targets ``y`` (labels in {-1, +1}
for classification) and the task name. The spiral is exactly the generator of the
Randomized-Geometric-Algebra notebook (docs/experiments.md).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .validate import (  # noqa: F401  (re-exported: users import the validators from here too)
    MAX_ABS,
    MAX_ENTRIES,
    MIN_SCALE,
    as_count,
    as_matrix,
    as_number,
    as_vector,
    check_magnitude,
)

CLASSIFICATION = "classification"
REGRESSION = "regression"
TASKS = (CLASSIFICATION, REGRESSION)


@dataclass(frozen=True)
class Dataset:
    """A data set: inputs ``X`` (n, d), targets ``y`` (n,), the task and, optionally, a test mask.

    ``is_test[k]`` marks point k as held out (drawn hollow, never used for training).
    """

    X: np.ndarray
    y: np.ndarray
    task: str
    name: str = "custom"
    is_test: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        X, y = check_data(self.X, self.y, self.task)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        if self.is_test is not None:
            mask = np.asarray(self.is_test, dtype=bool).reshape(-1)
            if mask.shape[0] != X.shape[0]:
                raise ValueError("is_test must have one entry per point")
            object.__setattr__(self, "is_test", mask)

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def dim(self) -> int:
        return int(self.X.shape[1])

    def train(self) -> Dataset:
        """The training part (all points when there is no test mask)."""
        if self.is_test is None:
            return self
        keep = ~self.is_test
        return Dataset(self.X[keep], self.y[keep], self.task, self.name)

    def test(self) -> Dataset | None:
        """The held-out part, or None when there is none."""
        if self.is_test is None or not self.is_test.any():
            return None
        return Dataset(self.X[self.is_test], self.y[self.is_test], self.task, self.name)

    def with_split(self, test_fraction: float, seed: int = 0) -> Dataset:
        """A copy with a seeded random test mask holding ``test_fraction`` of the points."""
        if not 0.0 <= test_fraction < 1.0:
            raise ValueError("the test fraction must lie in [0, 1)")
        n_test = int(round(test_fraction * self.n))
        mask = np.zeros(self.n, dtype=bool)
        if n_test:
            mask[np.random.default_rng(seed).choice(self.n, n_test, replace=False)] = True
        return Dataset(self.X, self.y, self.task, self.name, mask if n_test else None)


# --------------------------------------------------------------------------------------------
# Data-set validation (the generic validators live in convexnn.data.validate)
# --------------------------------------------------------------------------------------------

def check_data(X, y, task: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate inputs and targets; return them as float arrays or raise ``ValueError``.

    Rules: at least two points, finite values, one target per point, labels in {-1, +1} with
    both classes present for classification.
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, not {task!r}")
    try:
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"inputs and targets must be numbers ({exc})") from None
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    if X.ndim != 2 or X.shape[1] == 0:
        raise ValueError("X must be a 2-D array with one row per point")
    if X.shape[0] == 0:
        raise ValueError("the data set is empty: add at least two points")
    if X.shape[0] < 2:
        raise ValueError("the data set has a single point: add at least one more")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} entries")
    if not np.all(np.isfinite(X)) or not np.all(np.isfinite(y)):
        raise ValueError("the data contain NaN or infinite values: remove or fix those rows")
    check_magnitude(X, "X")
    check_magnitude(y, "y")
    if task == CLASSIFICATION:
        labels = set(np.unique(y).tolist())
        if not labels <= {-1.0, 1.0}:
            raise ValueError(
                f"classification labels must be -1 or +1, found {sorted(labels)[:5]}: "
                "map your classes to -1/+1"
            )
        if len(labels) < 2:
            raise ValueError("only one class is present: add points of the other class")
    return X, y


def duplicate_rows(X: np.ndarray) -> np.ndarray:
    """Boolean mask of rows that repeat an earlier row exactly."""
    X = np.asarray(X, dtype=float)
    _, first = np.unique(X, axis=0, return_index=True)
    mask = np.ones(X.shape[0], dtype=bool)
    mask[first] = False
    return mask


def drop_duplicates(data: Dataset) -> tuple[Dataset, int]:
    """Remove repeated points (keeping the first), returning the data and how many were dropped."""
    dup = duplicate_rows(data.X)
    if not dup.any():
        return data, 0
    keep = ~dup
    mask = None if data.is_test is None else data.is_test[keep]
    return Dataset(data.X[keep], data.y[keep], data.task, data.name, mask), int(dup.sum())


# --------------------------------------------------------------------------------------------
# Generators
# --------------------------------------------------------------------------------------------


def _noisy(X: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    return X + noise * rng.standard_normal(X.shape) if noise > 0 else X


def _check_size(n: int, minimum: int = 2) -> int:
    n = int(n)
    if n < minimum:
        raise ValueError(f"n must be at least {minimum}")
    return n


def spiral(n: int = 160, noise: float = 0.0, seed: int = 1) -> Dataset:
    """Two interleaved spirals, exactly as in ``Illustration_spiral.ipynb`` (docs/experiments.md).

    For arm s = +1 (label +1) and s = -1 (label -1), point i = 0..n/2-1 has
    phi = t*pi/16 and r = 6.5*(104 - t)/104 with t = 80*i/(n/2) (t = i for the default n = 160);
    the point is (r cos(phi) s/13 + 1/2, r sin(phi) s/13 + 1/2), mapped by X = 2X - 1, and the
    points are shuffled with seed ``seed`` (1 in the notebook).
    """
    n = _check_size(n, 4)
    per_arm = (n + 1) // 2  # for odd n the last point of the second arm is dropped
    t = np.arange(per_arm) * (80.0 / per_arm)
    phi = t * np.pi / 16.0
    r = 6.5 * (104.0 - t) / 104.0
    arms, labels = [], []
    for s in (1.0, -1.0):
        pts = np.column_stack([r * np.cos(phi) * s / 13.0 + 0.5, r * np.sin(phi) * s / 13.0 + 0.5])
        arms.append(2.0 * pts - 1.0)
        labels.append(np.full(per_arm, s))
    X, y = np.vstack(arms)[:n], np.concatenate(labels)[:n]
    rng = np.random.RandomState(seed)
    order = rng.permutation(X.shape[0])
    X = _noisy(X, noise, np.random.default_rng(seed))
    return Dataset(X[order], y[order], CLASSIFICATION, "spiral")


def moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles, scaled into [-1, 1]^2."""
    n = _check_size(n, 4)
    rng = np.random.default_rng(seed)
    n_top = n // 2
    a = np.linspace(0, np.pi, n_top)
    b = np.linspace(0, np.pi, n - n_top)
    top = np.column_stack([np.cos(a), np.sin(a)])
    bottom = np.column_stack([1 - np.cos(b), 0.5 - np.sin(b)])
    X = (np.vstack([top, bottom]) - [0.5, 0.25]) / 1.6
    y = np.concatenate([np.ones(n_top), -np.ones(n - n_top)])
    return Dataset(_noisy(X, noise, rng), y, CLASSIFICATION, "moons")


def circles(n: int = 100, noise: float = 0.05, seed: int = 0, factor: float = 0.5) -> Dataset:
    """An inner disc (label +1) inside an outer ring (label -1)."""
    n = _check_size(n, 4)
    rng = np.random.default_rng(seed)
    n_in = n // 2
    a_in = rng.uniform(0, 2 * np.pi, n_in)
    a_out = rng.uniform(0, 2 * np.pi, n - n_in)
    inner = factor * 0.9 * np.column_stack([np.cos(a_in), np.sin(a_in)])
    outer = 0.9 * np.column_stack([np.cos(a_out), np.sin(a_out)])
    y = np.concatenate([np.ones(n_in), -np.ones(n - n_in)])
    return Dataset(_noisy(np.vstack([inner, outer]), noise, rng), y, CLASSIFICATION, "circles")


def xor(n: int = 100, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Uniform points in [-1, 1]^2 labelled by the sign of x1*x2 (the XOR pattern)."""
    n = _check_size(n, 4)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    X[np.abs(X) < 0.05] += 0.1 * np.sign(X[np.abs(X) < 0.05] + 1e-12)
    y = np.where(X[:, 0] * X[:, 1] >= 0, 1.0, -1.0)
    if np.unique(y).size < 2:
        y[0] = -y[0]
    return Dataset(_noisy(X, noise, rng), y, CLASSIFICATION, "xor")


def gaussians(n: int = 100, noise: float = 0.3, seed: int = 0) -> Dataset:
    """Two Gaussian blobs centred at (-0.5, -0.5) (label -1) and (0.5, 0.5) (label +1)."""
    n = _check_size(n, 2)
    rng = np.random.default_rng(seed)
    n_pos = n // 2
    y = np.concatenate([np.ones(n_pos), -np.ones(n - n_pos)])
    X = 0.5 * y[:, None] + max(noise, 1e-3) * rng.standard_normal((n, 2))
    return Dataset(X, y, CLASSIFICATION, "gaussians")


def linear(n: int = 100, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Uniform points in [-1, 1]^2 labelled by a random line through the square."""
    n = _check_size(n, 2)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    angle = rng.uniform(0, 2 * np.pi)
    w = np.array([np.cos(angle), np.sin(angle)])
    score = X @ w + rng.uniform(-0.2, 0.2)
    y = np.where(score >= 0, 1.0, -1.0)
    y[np.argmax(score)], y[np.argmin(score)] = 1.0, -1.0
    return Dataset(_noisy(X, noise, rng), y, CLASSIFICATION, "linear")


def _grid_1d(n: int, noise: float, seed: int, f: Callable[[np.ndarray], np.ndarray], name: str):
    n = _check_size(n, 2)
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1, 1, n))
    y = f(x) + (noise * rng.standard_normal(n) if noise > 0 else 0.0)
    return Dataset(x[:, None], y, REGRESSION, name)


def sine(n: int = 20, noise: float = 0.05, seed: int = 0) -> Dataset:
    """1-D regression: y = sin(pi x) on uniform x in [-1, 1]."""
    return _grid_1d(n, noise, seed, lambda x: np.sin(np.pi * x), "sine")


def abs_(n: int = 20, noise: float = 0.02, seed: int = 0) -> Dataset:
    """1-D regression: y = |x| (one kink, fitted by two ReLU neurons)."""
    return _grid_1d(n, noise, seed, np.abs, "abs")


def steps(n: int = 20, noise: float = 0.02, seed: int = 0) -> Dataset:
    """1-D regression: a staircase with three steps."""
    return _grid_1d(n, noise, seed, lambda x: np.floor(1.5 * (x + 1)) / 1.5 - 1.0, "steps")


def plane(n: int = 50, noise: float = 0.05, seed: int = 0) -> Dataset:
    """2-D regression: y = relu(x1 + x2) - 0.5 relu(x1 - x2) on uniform [-1, 1]^2."""
    n = _check_size(n, 2)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    y = np.maximum(X.sum(1), 0) - 0.5 * np.maximum(X[:, 0] - X[:, 1], 0)
    return Dataset(X, y + (noise * rng.standard_normal(n) if noise > 0 else 0), REGRESSION, "plane")


def talk_example(y: tuple[float, float, float] = (3.0, 2.0, 1.0)) -> Dataset:
    """The talk's 3-point example X = [[3,3],[2,2],[1,0]] (use it without bias)."""
    return Dataset(np.array([[3.0, 3.0], [2.0, 2.0], [1.0, 0.0]]), np.array(y), REGRESSION, "talk")



def v41_example() -> Dataset:
    """Example V4.1 of docs/optima-and-stationary-points.md: X = I_2, y = (1, 1), regression
    (use it without bias)."""
    return Dataset(np.eye(2), np.ones(2), REGRESSION, "V4.1: X = I₂")


def v42_example() -> Dataset:
    """Example V4.2 of docs/optima-and-stationary-points.md: 30 points x_i ~ U[-1, 1]^2 from
    ``default_rng(0)``, labels y_i = sign(sin(3 x_i1) + x_i2)."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(30, 2))
    return Dataset(X, np.sign(np.sin(3 * X[:, 0]) + X[:, 1]), CLASSIFICATION, "V4.2 random")

GENERATORS: dict[str, Callable[..., Dataset]] = {
    "spiral": spiral,
    "moons": moons,
    "circles": circles,
    "xor": xor,
    "gaussians": gaussians,
    "linear": linear,
    "sine": sine,
    "abs": abs_,
    "steps": steps,
    "plane": plane,
}
"""Generators by name; each takes ``n``, ``noise`` and ``seed``."""


def generate(name: str, n: int | None = None, noise: float | None = None, seed: int | None = None):
    """Call the generator ``name`` with the given settings (None keeps its default)."""
    if name not in GENERATORS:
        raise ValueError(f"unknown data set {name!r}; choose one of {sorted(GENERATORS)}")
    kwargs = {k: v for k, v in (("n", n), ("noise", noise), ("seed", seed)) if v is not None}
    return GENERATORS[name](**kwargs)


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------

MAX_CSV_ROWS = 100_000


def to_csv(data: Dataset) -> str:
    """CSV text with header ``x1[,x2,...],y[,split]`` (split is train/test when a mask exists)."""
    cols = [f"x{j + 1}" for j in range(data.dim)] + ["y"]
    if data.is_test is not None:
        cols.append("split")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(cols)
    for k in range(data.n):
        row = [repr(float(v)) for v in data.X[k]] + [repr(float(data.y[k]))]
        if data.is_test is not None:
            row.append("test" if data.is_test[k] else "train")
        writer.writerow(row)
    return out.getvalue()


def from_csv(text: str | bytes, task: str | None = None, max_rows: int = MAX_CSV_ROWS) -> Dataset:
    """Parse CSV text written by :func:`to_csv` (or any file with columns x1[,x2..] and y).

    The task is "classification" when every label is -1 or +1 (or given explicitly).
    Raises ``ValueError`` naming the row and column of the first problem.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("the file is not UTF-8 text: upload a CSV file") from None
    rows = list(csv.reader(io.StringIO(text)))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise ValueError("the CSV file is empty: it needs a header x1,x2,y and one row per point")
    header = [h.strip().lower() for h in rows[0]]
    x_cols = [j for j, h in enumerate(header) if h.startswith("x") and h[1:].isdigit()]
    x_cols.sort(key=lambda j: int(header[j][1:]))
    if "y" not in header or not x_cols:
        raise ValueError(
            f"the CSV header must name columns x1[,x2] and y; found {', '.join(header)[:80]!r}"
        )
    if [int(header[j][1:]) for j in x_cols] != list(range(1, len(x_cols) + 1)):
        raise ValueError("input columns must be numbered x1, x2, ... without gaps")
    y_col = header.index("y")
    split_col = header.index("split") if "split" in header else None
    body = rows[1:]
    if len(body) > max_rows:
        raise ValueError(f"the file has {len(body)} rows; the limit here is {max_rows}")
    X = np.empty((len(body), len(x_cols)))
    y = np.empty(len(body))
    is_test = np.zeros(len(body), dtype=bool)
    for k, row in enumerate(body, start=2):
        if len(row) < len(header):
            raise ValueError(f"row {k} has {len(row)} cells but the header has {len(header)}")
        for c, j in enumerate(x_cols + [y_col]):
            cell = row[j].strip()
            try:
                value = float(cell)
            except ValueError:
                raise ValueError(f"row {k}, column {header[j]}: {cell[:20]!r} is not a number") from None
            if c < len(x_cols):
                X[k - 2, c] = value
            else:
                y[k - 2] = value
        if split_col is not None:
            tag = row[split_col].strip().lower()
            if tag not in ("train", "test", ""):
                raise ValueError(f"row {k}, column split: use train or test, not {tag[:20]!r}")
            is_test[k - 2] = tag == "test"
    if task is None:
        finite = y[np.isfinite(y)]
        task = CLASSIFICATION if finite.size and set(np.unique(finite)) <= {-1.0, 1.0} else REGRESSION
    mask = is_test if split_col is not None and is_test.any() else None
    return Dataset(X, y, task, "uploaded", mask)
