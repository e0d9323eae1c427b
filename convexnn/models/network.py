"""The two-layer ReLU network f(x) = sum_j (x^T w1_j + b1_j)_+ w2_j (+ an optional intercept).

Training objective (docs/convex-program.md): l(f(X), y) + (beta/2)(||W1||_F^2 + ||b1||^2 + ||w2||^2);
the bias b1 is regularized with its neuron (mode (a)), the intercept is free (0 unless set).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from ..program import losses

FORMAT = "convexnn.relu_network.v1"
GATED_FORMAT = "convexnn.gated_relu_model.v1"
MAX_JSON_BYTES = 20_000_000
"""Largest network file :meth:`ReLUNetwork.from_json` reads."""
MAX_NEURONS = 100_000
"""Most neurons a network file may have (the same cap as nonconvex training)."""
MAX_INPUT_DIM = 1_000
"""Most inputs a network file may take (the feature-column cap of real data)."""
EVAL_BLOCK_BYTES = 32_000_000
"""Evaluation works on blocks of rows whose (rows x width) hidden layer fits in this many bytes."""


def row_blocks(n: int, width: int, block_bytes: int = EVAL_BLOCK_BYTES):
    """Slices of ``range(n)`` such that a (rows, width) float64 block takes at most ``block_bytes``.

    Evaluating a wide network on many points block by block keeps memory at O(block_bytes)
    instead of 8 n m bytes (a 20,000-neuron network on a 120 x 120 grid: 2.3 GB at once).
    """
    step = max(1, int(block_bytes) // (8 * max(int(width), 1)))
    for start in range(0, int(n), step):
        yield slice(start, min(start + step, int(n)))


@dataclass
class ReLUNetwork:
    """Weights ``W1`` (d, m), ``b1`` (m,), ``w2`` (m,) and a free output ``intercept``.

    ``pattern_index[j]`` records which arrangement pattern neuron j came from (-1 if unknown).
    """

    W1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    intercept: float = 0.0
    pattern_index: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        self.W1 = np.atleast_2d(np.asarray(self.W1, dtype=float))
        m = self.W1.shape[1]
        self.b1 = np.asarray(self.b1, dtype=float).reshape(m)
        self.w2 = np.asarray(self.w2, dtype=float).reshape(m)
        self.intercept = float(self.intercept)
        if self.pattern_index is None:
            self.pattern_index = np.full(m, -1)
        self.pattern_index = np.asarray(self.pattern_index, dtype=int).reshape(m)
        if not (np.all(np.isfinite(self.W1)) and np.all(np.isfinite(self.b1))):
            raise ValueError("network weights must be finite")
        if not (np.all(np.isfinite(self.w2)) and np.isfinite(self.intercept)):
            raise ValueError("network weights must be finite")

    # ---- shape --------------------------------------------------------------------------------
    @property
    def width(self) -> int:
        return int(self.W1.shape[1])

    @property
    def input_dim(self) -> int:
        return int(self.W1.shape[0])

    # ---- evaluation ---------------------------------------------------------------------------
    def _inputs(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            X = X[:, None] if self.input_dim == 1 else X[None, :]
        if X.shape[1] != self.input_dim:
            raise ValueError(f"the network takes {self.input_dim} inputs, the data have {X.shape[1]}")
        return X

    def preactivations(self, X: np.ndarray) -> np.ndarray:
        """X W1 + b1, shape (n, m)."""
        return self._inputs(X) @ self.W1 + self.b1

    def hidden(self, X: np.ndarray) -> np.ndarray:
        """The ReLU features (X W1 + b1)_+, shape (n, m)."""
        return np.maximum(self.preactivations(X), 0.0)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """f(X) = (X W1 + b1)_+ w2 + intercept, shape (n,), in blocks of rows (:func:`row_blocks`)."""
        X = self._inputs(X)
        out = np.empty(X.shape[0])
        for rows in row_blocks(X.shape[0], self.width):
            Z = X[rows] @ self.W1
            Z += self.b1
            out[rows] = np.maximum(Z, 0.0, out=Z) @ self.w2
        return out + self.intercept

    def hyperplanes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each neuron's hyperplane x^T w1 + b1 = 0 and output sign: (W1 (d, m), b1 (m,), sign(w2))."""
        return self.W1, self.b1, np.sign(self.w2).astype(int)

    def penalty(self) -> float:
        """(1/2)(||W1||_F^2 + ||b1||^2 + ||w2||^2); the objective multiplies it by beta."""
        return 0.5 * float(np.sum(self.W1**2) + np.sum(self.b1**2) + np.sum(self.w2**2))

    def objective(self, X: np.ndarray, y: np.ndarray, beta: float, loss: str = "squared") -> float:
        """l(f(X), y) + (beta/2)(||W1||^2 + ||b1||^2 + ||w2||^2)."""
        losses.check_loss(loss)
        if not np.isfinite(beta) or beta < 0:
            raise ValueError("beta must be a non-negative number")
        return losses.value(loss, self.predict(X), np.asarray(y, dtype=float)) + beta * self.penalty()

    def patterns(self, X: np.ndarray, strict: bool = False) -> np.ndarray:
        """Activation pattern of each neuron, (m, n) bool: 1[x^T w1 + b1 >= 0] (> 0 if strict)."""
        z = self.preactivations(X).T
        return z > 0 if strict else z >= 0

    # ---- transformations that keep the function -------------------------------------------------
    def neuron_norms(self) -> np.ndarray:
        """||(w1_j, b1_j)|| * |w2_j|, the cost of neuron j in the convex program."""
        return np.sqrt(np.sum(self.W1**2, 0) + self.b1**2) * np.abs(self.w2)

    def balanced(self) -> ReLUNetwork:
        """Rescale every neuron to ||(w1, b1)|| = |w2| (f unchanged, penalty minimal)."""
        inner = np.sqrt(np.sum(self.W1**2, 0) + self.b1**2)
        t = np.sqrt(np.divide(np.abs(self.w2), inner, out=np.zeros_like(inner), where=inner > 0))
        alive = (inner > 0) & (self.w2 != 0)
        t = np.where(alive, t, 0.0)
        w2 = np.divide(self.w2, t, out=np.zeros_like(t), where=alive)
        return ReLUNetwork(self.W1 * t, self.b1 * t, w2, self.intercept, self.pattern_index)

    def split(self, j: int, alphas) -> ReLUNetwork:
        """Split neuron j into parallel copies (sqrt(a) w1, sqrt(a) b1, sqrt(a) w2), sum(a) = 1.

        f and the penalty stay the same (docs/optima-and-stationary-points.md, step 2).
        """
        alphas = np.asarray(alphas, dtype=float).reshape(-1)
        if not 0 <= j < self.width:
            raise ValueError(f"neuron {j} does not exist (width {self.width})")
        if alphas.size == 0 or np.any(alphas < 0) or not np.isclose(alphas.sum(), 1.0, atol=1e-9):
            raise ValueError("split weights must be nonnegative and sum to 1")
        s = np.sqrt(alphas)
        keep = [k for k in range(self.width) if k != j]
        W1 = np.hstack([self.W1[:, keep], np.outer(self.W1[:, j], s)])
        b1 = np.concatenate([self.b1[keep], self.b1[j] * s])
        w2 = np.concatenate([self.w2[keep], self.w2[j] * s])
        idx = np.concatenate([self.pattern_index[keep], np.full(s.size, self.pattern_index[j])])
        return ReLUNetwork(W1, b1, w2, self.intercept, idx)

    def permute(self, order) -> ReLUNetwork:
        """The same network with its neurons reordered."""
        order = np.asarray(order, dtype=int)
        if sorted(order.tolist()) != list(range(self.width)):
            raise ValueError("order must be a permutation of the neurons")
        return ReLUNetwork(
            self.W1[:, order], self.b1[order], self.w2[order], self.intercept, self.pattern_index[order]
        )

    def pad(self, extra: int) -> ReLUNetwork:
        """Add ``extra`` zero neurons (f and the penalty unchanged)."""
        z = np.zeros(int(extra))
        return ReLUNetwork(
            np.hstack([self.W1, np.zeros((self.input_dim, int(extra)))]),
            np.concatenate([self.b1, z]),
            np.concatenate([self.w2, z]),
            self.intercept,
            np.concatenate([self.pattern_index, np.full(int(extra), -1)]),
        )

    def prune(self, tol: float = 1e-12) -> ReLUNetwork:
        """Drop zero neurons and merge parallel ones (same direction of (w1, b1), same sign of w2).

        Merging undoes :meth:`split`: copies with costs c_l = ||(w1_l, b1_l)|| |w2_l| become one
        balanced neuron of cost sum c_l. f is unchanged and the penalty does not increase (it is
        unchanged for balanced networks).
        """
        V = np.vstack([self.W1, self.b1[None, :]])
        inner = np.linalg.norm(V, axis=0)
        cost = inner * np.abs(self.w2)
        scale = max(cost.max(initial=0.0), 1e-300)
        alive = np.flatnonzero(cost > tol * scale)
        groups: list[list[int]] = []
        for j in alive:
            d = V[:, j] / inner[j]
            for g in groups:
                k = g[0]
                if np.sign(self.w2[k]) == np.sign(self.w2[j]) and np.allclose(
                    V[:, k] / inner[k], d, atol=1e-10, rtol=0
                ):
                    g.append(j)
                    break
            else:
                groups.append([j])
        cols, w2, idx = [], [], []
        for g in groups:
            c = float(cost[g].sum())
            d = V[:, g[0]] / inner[g[0]]
            cols.append(np.sqrt(c) * d)
            w2.append(np.sign(self.w2[g[0]]) * np.sqrt(c))
            idx.append(self.pattern_index[g[0]])
        Vn = np.array(cols).T if cols else np.zeros((V.shape[0], 0))
        return ReLUNetwork(Vn[:-1], Vn[-1], np.array(w2), self.intercept, np.array(idx, dtype=int))

    # ---- export -------------------------------------------------------------------------------
    def to_json(self, normalization: dict | None = None, indent: int | None = 2) -> str:
        """JSON text with the weights, the activation and an optional input normalisation.

        ``normalization`` maps to {"mean": [...], "scale": [...]}: inputs are (x - mean)/scale.
        """
        doc = {
            "format": FORMAT,
            "activation": "relu",
            "input_dim": self.input_dim,
            "width": self.width,
            "W1": self.W1.tolist(),
            "b1": self.b1.tolist(),
            "w2": self.w2.tolist(),
            "intercept": self.intercept,
            "normalization": normalization,
        }
        return json.dumps(doc, indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes) -> ReLUNetwork:
        """Read a network written by :meth:`to_json`; raise ``ValueError`` on malformed input."""
        doc = _json_document(text, FORMAT, "network", structure=True)
        if doc.get("activation", "relu") != "relu":
            raise ValueError("only ReLU networks are supported")
        _check_network_size(doc)
        try:
            W1 = np.asarray(doc["W1"], dtype=float)
            b1 = np.asarray(doc["b1"], dtype=float)
            w2 = np.asarray(doc["w2"], dtype=float)
            intercept = float(doc.get("intercept", 0.0))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"the network file lacks or garbles a weight array ({exc})") from None
        if W1.ndim != 2 or b1.shape != (W1.shape[1],) or w2.shape != (W1.shape[1],):
            raise ValueError("inconsistent shapes: W1 must be (d, m), b1 and w2 of length m")
        return cls(W1, b1, w2, intercept)

    def to_python(self) -> str:
        """A short, runnable numpy snippet that evaluates this network."""
        fmt = lambda a: np.array2string(np.asarray(a), separator=", ", precision=17, threshold=10**9)  # noqa: E731
        return (
            "import numpy as np\n\n"
            f"W1 = np.array({fmt(self.W1)})\n"
            f"b1 = np.array({fmt(self.b1)})\n"
            f"w2 = np.array({fmt(self.w2)})\n"
            f"intercept = {self.intercept!r}\n\n\n"
            "def predict(X):\n"
            '    """f(x) = sum_j relu(x . W1[:, j] + b1[j]) * w2[j] + intercept, X of shape (n, d)."""\n'
            "    return np.maximum(np.asarray(X, dtype=float) @ W1 + b1, 0.0) @ w2 + intercept\n"
        )


_JSON_STRUCTURE = {"[": MAX_INPUT_DIM + 16, "{": 16, '"': 1_000}
"""Most of each character a network file may hold: a network has d + 5 lists (W1, its d rows,
b1, w2, the normalisation's mean and scale), a few objects and a few strings."""


def _check_json_structure(text: str | bytes | bytearray) -> None:
    """Refuse, before parsing, a file with more lists, objects or strings than a network has:
    parsed, millions of empty lists or strings would cost ~20x the file's size in Python objects."""
    for char, limit in _JSON_STRUCTURE.items():
        count = text.count(char if isinstance(text, str) else char.encode())
        if count > limit:
            raise ValueError(f"the file is not a network: it holds {count:,} '{char}' characters "
                             f"(a network with at most {MAX_INPUT_DIM:,} inputs has at most {limit:,})")


def _check_network_size(doc: dict) -> None:
    """Refuse a parsed network file above :data:`MAX_NEURONS` / :data:`MAX_INPUT_DIM` before any
    array is built from it (the lengths of the JSON lists are enough)."""
    width = next((len(doc[k]) for k in ("w2", "b1") if isinstance(doc.get(k), list)), None)
    if width is not None and width > MAX_NEURONS:
        raise ValueError(f"the network has {width:,} neurons; the limit is {MAX_NEURONS:,}")
    rows = doc.get("W1")
    if isinstance(rows, list) and len(rows) > MAX_INPUT_DIM:
        raise ValueError(f"the network takes {len(rows):,} inputs; the limit is {MAX_INPUT_DIM:,}")
    if isinstance(rows, list) and rows and isinstance(rows[0], list) and len(rows[0]) > MAX_NEURONS:
        raise ValueError(f"the network has {len(rows[0]):,} neurons; the limit is {MAX_NEURONS:,}")


@dataclass
class GatedReLUModel:
    """The gated-ReLU model f(x) = sum_j 1[x~^T g_j >= 0] x~^T v_j of the gated program.

    ``G`` and ``V`` are (d~, m): gate vectors and weights in lifted coordinates (bias last when
    ``bias``). Its objective is the gated program's, l(f(X), y) + beta sum_j ||v_j||
    (docs/convex-program.md); it is not a ReLU network, so it has no output weights w2.
    """

    G: np.ndarray
    V: np.ndarray
    bias: bool = True

    def __post_init__(self) -> None:
        self.G = np.atleast_2d(np.asarray(self.G, dtype=float))
        self.V = np.atleast_2d(np.asarray(self.V, dtype=float)).reshape(self.G.shape)
        if not (np.all(np.isfinite(self.G)) and np.all(np.isfinite(self.V))):
            raise ValueError("gated model weights must be finite")

    @property
    def width(self) -> int:
        return int(self.G.shape[1])

    @property
    def input_dim(self) -> int:
        return int(self.G.shape[0]) - (1 if self.bias else 0)

    def hyperplanes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The gates' hyperplanes x^T w + b = 0 as (W (d, m), b (m,), sign (m,)); a gated unit has
        no output sign (it is linear where its gate is open), so every sign is 0."""
        W = self.G[:-1] if self.bias else self.G
        b = self.G[-1] if self.bias else np.zeros(self.width)
        return W, b, np.zeros(self.width, dtype=int)

    def _lifted(self, X: np.ndarray) -> np.ndarray:
        from ..patterns.arrangements import lift

        X = np.asarray(X, dtype=float)
        return lift(X[:, None] if X.ndim == 1 else X, self.bias)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """f(X) = sum_j 1[X~ g_j >= 0] * (X~ v_j), shape (n,), in blocks of rows (:func:`row_blocks`)."""
        Xt = self._lifted(X)
        out = np.empty(Xt.shape[0])
        for rows in row_blocks(Xt.shape[0], 2 * self.width):
            out[rows] = np.sum((Xt[rows] @ self.G >= 0) * (Xt[rows] @ self.V), axis=1)
        return out

    def penalty(self) -> float:
        """sum_j ||v_j||, the gated program's regularizer (the objective multiplies it by beta)."""
        return float(np.linalg.norm(self.V, axis=0).sum())

    def objective(self, X: np.ndarray, y: np.ndarray, beta: float, loss: str = "squared") -> float:
        """l(f(X), y) + beta sum_j ||v_j||, the gated program's objective at this model."""
        losses.check_loss(loss)
        if not np.isfinite(beta) or beta < 0:
            raise ValueError("beta must be a non-negative number")
        return losses.value(loss, self.predict(X), np.asarray(y, dtype=float)) + beta * self.penalty()

    def to_json(self, indent: int | None = 2) -> str:
        """JSON text with the gates, the weights and whether X~ carries the bias column."""
        return json.dumps({"format": GATED_FORMAT, "bias": self.bias, "G": self.G.tolist(),
                           "V": self.V.tolist()}, indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes) -> GatedReLUModel:
        """Read a model written by :meth:`to_json`; raise ``ValueError`` on malformed input."""
        doc = _json_document(text, GATED_FORMAT, "model")
        try:
            G = np.asarray(doc["G"], dtype=float)
            V = np.asarray(doc["V"], dtype=float)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"the model file lacks or garbles a weight array ({exc})") from None
        if G.ndim != 2 or V.shape != G.shape:
            raise ValueError("inconsistent shapes: G and V must both be (d~, m)")
        return cls(G, V, bool(doc.get("bias", True)))


def _json_document(text: str | bytes, fmt: str, noun: str, structure: bool = False) -> dict:
    """The JSON object of a ``noun`` file of format ``fmt``, or a ``ValueError`` saying what is wrong:
    not text, above :data:`MAX_JSON_BYTES`, (``structure``) more lists, objects or strings than a
    network has, not JSON, nested too deeply, too large for memory, another format."""
    if not isinstance(text, (str, bytes, bytearray)):
        raise ValueError(f"the {noun} must be JSON text, not {type(text).__name__}")
    if len(text) > MAX_JSON_BYTES:
        raise ValueError(f"the {noun} file has {len(text):,} characters; the limit is {MAX_JSON_BYTES:,}")
    if structure:
        _check_json_structure(text)
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"the {noun} file is not valid JSON ({exc})") from None
    except RecursionError:
        raise ValueError(f"the {noun} file is not a {noun}: its JSON is nested too deeply") from None
    except MemoryError:
        raise ValueError(f"the {noun} file is too large for the server's memory") from None
    if not isinstance(doc, dict) or doc.get("format") != fmt:
        raise ValueError(f"not a convexnn {noun}: expected format {fmt!r}")
    return doc


@runtime_checkable
class Predictor(Protocol):
    """What every model a page shows or a user loads offers (ReLUNetwork, GatedReLUModel)."""

    @property
    def width(self) -> int: ...

    def predict(self, X: np.ndarray) -> np.ndarray: ...

    def objective(self, X: np.ndarray, y: np.ndarray, beta: float, loss: str = "squared") -> float: ...

    def hyperplanes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...

    def to_json(self) -> str: ...


__all__ = ["FORMAT", "GATED_FORMAT", "GatedReLUModel", "Predictor", "ReLUNetwork"]
