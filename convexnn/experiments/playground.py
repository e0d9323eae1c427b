"""The playground's computations: the certified optimum of drawn data and AdamW beside it.

- :func:`solve_optimum`: the convex program over **all** patterns (Pilanci & Ergen, ICML 2020),
  solved with the certified fast solver and pruned to linearly independent neurons (at most n,
  hence within the theory's bound n + 1), summarised as an :class:`Optimum` (the certificate,
  the objective p*, the neuron count). See docs/convex-program.md and docs/solvers.md.
- :func:`neuron_order`, :func:`unit_outputs`: the neurons of a model sorted by weight and each
  neuron's own contribution to f (what the playground's thumbnails show).
- :class:`AdamWRun`, :func:`start_adamw`, :func:`advance_adamw`: a nonconvex network trained
  with AdamW (PyTorch's update, :func:`convexnn.train.adamw_step`) on the objective
  L(theta) = l(f(X), y) + (beta/2)||theta||^2, in chunks of steps, recording L and the activation
  patterns the network realises (:func:`convexnn.stationary.pattern_set`). At any moment
  L(theta) >= p_I >= p*, where p_I is the optimum over those patterns
  (:func:`convexnn.stationary.subsampled_optimum`; Wang, Lacotte & Pilanci, ICLR 2022; see
  docs/optima-and-stationary-points.md).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..data.validate import as_matrix, as_vector
from ..models.network import GatedReLUModel, ReLUNetwork
from ..patterns.arrangements import lift
from ..program.convex import fit_convex
from ..program.pruning import prune_to_minimal
from ..theory.stationary import flatten, pattern_set, unflatten
from ..training.train import ADAMW_WEIGHT_DECAY, adamw_step, gradient, torch_init

TIME_LIMIT = 20.0
"""Wall-clock limit of one playground solve (seconds); a stopped solve is reported, not drawn."""

Model = ReLUNetwork | GatedReLUModel


@dataclass(frozen=True)
class Optimum:
    """One certified solve of the playground, with what the page shows about it.

    ``model`` is the pruned optimum (a :class:`ReLUNetwork` for the exact program, the
    :class:`GatedReLUModel` for the gated one); ``objective`` is the convex objective p*,
    ``network_objective`` the nonconvex objective of ``model`` (equal to p* for the exact
    program); ``n_blocks`` the solver's active blocks before pruning.
    """

    model: Model
    objective: float
    network_objective: float
    certified: bool
    relative_gap: float
    status: str
    n_blocks: int
    width: int
    n_points: int
    n_patterns: int
    cpu_seconds: float
    beta: float
    loss: str
    program: str

    def badge(self) -> str:
        """E.g. "certified optimal, gap 3e-09" or "not certified (time_limit), gap 2e-02"."""
        if self.certified:
            return f"certified optimal, gap {self.relative_gap:.0e}"
        return f"not certified ({self.status}), gap {self.relative_gap:.0e}"

    def neuron_line(self) -> str:
        """E.g. "12 neurons (pruned from 20 blocks), at most n + 1 = 41"."""
        word = "neuron" if self.width == 1 else "neurons"
        pruned = f" (pruned from {self.n_blocks} blocks)" if self.n_blocks != self.width else ""
        return f"{self.width} {word}{pruned}, at most n + 1 = {self.n_points + 1}"


def solve_optimum(X: np.ndarray, y: np.ndarray, beta: float, loss: str = "squared",
                  program: str = "exact", time_limit: float = TIME_LIMIT) -> Optimum:
    """Solve the convex program over all hyperplane-arrangement patterns of (X, y) and prune.

        p* = min l(sum_i D_i X~ (u_i - u'_i), y) + beta sum_i (||u_i|| + ||u'_i||)

    (cone constraints for ``program="exact"``, none for "gated"). The fast solver's certificate
    (relative duality gap over every pattern) decides ``certified``; a solve stopped on its time
    limit comes back with ``certified=False`` and its status. Pruning (docs/lasso-path.md)
    keeps the prediction and the objective and leaves at most n neurons. Raises ``ValueError``
    on bad input (e.g. labels that are not +-1 for the logistic loss).
    """
    X = as_matrix(X, "X")
    y = as_vector(y, X.shape[0], "y")
    if X.shape[1] not in (1, 2):
        raise ValueError(f"the playground draws 1 or 2 input columns, the data have {X.shape[1]}")
    t0 = time.process_time()
    fit = fit_convex(X, y, beta, loss=loss, patterns="exact", relu=program, solver="fast",
                     time_limit=time_limit)
    n_blocks = fit.n_active
    pruned = prune_to_minimal(fit) if n_blocks > 0 else fit
    if program == "gated":
        model: Model = pruned.gated_model()
        net_obj = float("nan")
    else:
        model = pruned.network()
        net_obj = float(model.objective(X, y, fit.beta, loss))
    cert = fit.certificate
    return Optimum(
        model=model, objective=float(fit.objective), network_objective=net_obj,
        certified=bool(cert is not None and cert.optimal and fit.status == "optimal"),
        relative_gap=float(cert.relative_gap) if cert is not None else float("nan"),
        status=fit.status, n_blocks=int(n_blocks), width=int(model.width), n_points=int(X.shape[0]),
        n_patterns=fit.n_patterns, cpu_seconds=time.process_time() - t0, beta=float(fit.beta),
        loss=loss, program=program,
    )


# --------------------------------------------------------------------------------------------
# Neurons
# --------------------------------------------------------------------------------------------


def unit_outputs(model: Model, X: np.ndarray) -> np.ndarray:
    """Each neuron's contribution to f on X, shape (n, m); the columns sum to f(X).

    ReLU network: (x^T w1_j + b1_j)_+ w2_j. Gated model: 1[x~^T g_j >= 0] x~^T v_j.
    """
    if isinstance(model, GatedReLUModel):
        X = np.asarray(X, dtype=float)
        Xt = lift(X[:, None] if X.ndim == 1 else X, model.bias)
        return (Xt @ model.G >= 0) * (Xt @ model.V)
    return model.hidden(X) * model.w2


def neuron_weights(model: Model) -> np.ndarray:
    """The weight of each neuron, its cost in the convex program: ||(w1_j, b1_j)|| |w2_j| (ReLU
    network, = w2_j^2 at an optimum) or ||v_j|| (gated model)."""
    if isinstance(model, GatedReLUModel):
        return np.linalg.norm(model.V, axis=0)
    return model.neuron_norms()


def neuron_order(model: Model) -> np.ndarray:
    """Neuron indices by decreasing weight (:func:`neuron_weights`), ties by index."""
    return np.argsort(-neuron_weights(model), kind="stable")


def neuron_signs(model: Model, X: np.ndarray | None = None) -> np.ndarray:
    """+1/-1 per neuron: the sign of w2_j (ReLU), or of the unit's total output on X (gated)."""
    if isinstance(model, GatedReLUModel):
        if X is None:
            return np.ones(model.width)
        return np.where(unit_outputs(model, X).sum(axis=0) >= 0, 1.0, -1.0)
    return np.where(model.w2 >= 0, 1.0, -1.0)


# --------------------------------------------------------------------------------------------
# AdamW in chunks
# --------------------------------------------------------------------------------------------


@dataclass
class AdamWRun:
    """A network trained with AdamW, step by step, and its record.

    ``theta`` is (W1 row-major, b1, w2) of a width-``width`` network without output intercept
    (the convex program has none); ``adam`` holds AdamW's step count and moments. The record
    lists, at every recorded step, the objective L(theta) and the number of distinct activation
    patterns the live neurons realise; ``seen`` is every pattern realised at a recorded step.
    """

    d: int
    width: int
    theta: np.ndarray
    adam: dict = field(default_factory=dict)
    steps: list[int] = field(default_factory=list)
    objectives: list[float] = field(default_factory=list)
    patterns_now: list[int] = field(default_factory=list)
    seen: set = field(default_factory=set)
    diverged: bool = False

    @property
    def step(self) -> int:
        return int(self.adam.get("step", 0))

    def network(self) -> ReLUNetwork:
        return unflatten(self.theta, self.d, self.width)


def _record(run: AdamWRun, X: np.ndarray, y: np.ndarray, beta: float, loss: str) -> None:
    net = run.network()
    run.steps.append(run.step)
    run.objectives.append(float(net.objective(X, y, beta, loss)))
    I, _ = pattern_set(net, X)
    run.patterns_now.append(int(I.shape[0]))
    run.seen.update(np.packbits(row).tobytes() for row in I)


def start_adamw(X: np.ndarray, y: np.ndarray, width: int, beta: float, loss: str = "squared",
                seed: int = 0) -> AdamWRun:
    """A fresh run: PyTorch's default initialisation (:func:`convexnn.train.torch_init`, hidden
    biases, no output intercept), its objective recorded at step 0."""
    X = as_matrix(X, "X")
    y = as_vector(y, X.shape[0], "y")
    width = int(width)
    if not 1 <= width <= 1000:
        raise ValueError(f"the width must lie in [1, 1000], not {width}")
    net = torch_init(X.shape[1], width, np.random.default_rng(seed), True, False)
    run = AdamWRun(X.shape[1], width, flatten(net))
    _record(run, X, y, beta, loss)
    return run


def advance_adamw(run: AdamWRun, X: np.ndarray, y: np.ndarray, beta: float, loss: str = "squared",
                  steps: int = 100, lr: float = 1e-2, weight_decay: float = 0.0,
                  record_every: int = 10) -> AdamWRun:
    """``steps`` full-batch AdamW steps on L(theta) = l(f(X), y) + (beta/2)||theta||^2.

    The gradient is that of L (the penalty included, as the convex program's objective), the
    update PyTorch's AdamW with decoupled decay ``weight_decay`` (0 by default: then the fixed
    points are exactly the stationary points of L). Records every ``record_every`` steps and at
    the end; stops (``diverged``) if the weights stop being finite. Returns ``run`` (updated).
    """
    X = as_matrix(X, "X")
    y = as_vector(y, X.shape[0], "y")
    if run.diverged:
        return run
    done = 0
    with np.errstate(over="ignore", invalid="ignore"):
        while done < steps:
            try:
                g = gradient(run.network(), X, y, beta, loss)
            except ValueError:  # the gradient overflowed (weights far too large)
                run.diverged = True
                break
            theta = adamw_step(run.theta, flatten(g), run.adam, lr=lr, weight_decay=weight_decay)
            if not np.all(np.isfinite(theta)):
                run.diverged = True
                break
            run.theta = theta
            done += 1
            if run.step % record_every == 0 or done == steps:
                _record(run, X, y, beta, loss)
    return run


__all__ = [
    "ADAMW_WEIGHT_DECAY",
    "AdamWRun",
    "Optimum",
    "TIME_LIMIT",
    "advance_adamw",
    "neuron_order",
    "neuron_signs",
    "neuron_weights",
    "solve_optimum",
    "start_adamw",
    "unit_outputs",
]
