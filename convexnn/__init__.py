"""convexnn: exact convex training of two-layer ReLU networks, and the theory around it.

A two-layer ReLU network trained with weight decay,

    min  l(sum_j (X w1_j + b1_j)_+ w2_j, y) + (beta/2) sum_j (||w1_j||^2 + b1_j^2 + w2_j^2),

has an exact convex reformulation, a group Lasso over the hyperplane-arrangement patterns
D_i = diag(1[X~ g >= 0]) with cone constraints (Pilanci & Ergen, ICML 2020). This package
enumerates the patterns, solves the convex program (a certified fast solver and a cvxpy
reference), maps solutions to networks and back, trains the nonconvex network (GD, SGD, Adam,
AdamW in numpy) and computes the theory's objects: optimal sets and the Lasso path (``optima``,
``path``), stationary points as subsampled optima (``stationary``), neural recovery
(``recovery``), deep-network duality (``duality``) and complexity (``complexity``), and
compares the convex head with AdamW on real features (``realdata``, ``compare``). Plotly
figures are in ``convexnn.figures`` (imported on demand).

The subpackages follow the talk: ``data``, ``patterns``, ``program`` (the problem object, its
solvers and certificate), ``models``, ``training``, ``theory``, ``experiments``, ``figures``.

    >>> import convexnn as cn
    >>> data = cn.datasets.spiral(60)
    >>> fit = cn.fit_convex(data.X, data.y, beta=0.01)
    >>> net = fit.network()
    >>> abs(net.objective(data.X, data.y, 0.01) - fit.objective) < 1e-6 * fit.objective
    True
"""

from .data import datasets, realdata, validate
from .data.realdata import LabelledData, Split
from .experiments import compare, playground
from .experiments.compare import CompareSpec, run_comparison
from .models.network import GatedReLUModel, ReLUNetwork
from .patterns import arrangements, cones, geometric_algebra, sampling
from .patterns.arrangements import (
    count_patterns,
    cover_bound,
    exact_patterns,
    gaussian_patterns,
    geometric_algebra_patterns,
)
from .program import first_order, losses, solvers
from .program.convex import Certificate, ConvexFit, certify, fit_convex, prepare_patterns, solve_problem
from .program.path import beta_max, lasso_path, solve_path
from .program.problem import ConvexProblem, Program
from .program.pruning import prune_to_minimal
from .program.solvers import CvxpySolver, FistaSolver, Solver, Status, WarmStart, WorkingSetSolver
from .theory import complexity, duality, ga_lasso, optima, recovery, stationary
from .theory.stationary import subsampled_optimum
from .training import train
from .training.train import fit_nonconvex


def _keep_old_module_names() -> None:
    """Register the modules under their names of the flat layout (``convexnn.optima`` etc.), so
    ``import convexnn.optima`` and ``from convexnn.optima import ...`` keep working."""
    import importlib
    import sys

    for old, new in _MOVED.items():
        module = importlib.import_module(f"{__name__}.{new}")
        sys.modules.setdefault(f"{__name__}.{old}", module)
        globals().setdefault(old, module)


_MOVED = {
    "arrangements": "patterns.arrangements",
    "compare": "experiments.compare",
    "complexity": "theory.complexity",
    "cones": "patterns.cones",
    "convex": "program.convex",
    "datasets": "data.datasets",
    "duality": "theory.duality",
    "fast": "program.fast",
    "first_order": "program.first_order",
    "ga_lasso": "theory.ga_lasso",
    "geometric_algebra": "patterns.geometric_algebra",
    "losses": "program.losses",
    "network": "models.network",
    "optima": "theory.optima",
    "optimizers": "training.optimizers",
    "path": "program.path",
    "problem": "program.problem",
    "pruning": "program.pruning",
    "realdata": "data.realdata",
    "recovery": "theory.recovery",
    "reference": "program.reference",
    "sampling": "patterns.sampling",
    "solvers": "program.solvers",
    "stationary": "theory.stationary",
    "train": "training.train",
    "validate": "data.validate",
}
_keep_old_module_names()

__version__ = "0.1.0"

__all__ = [
    "Certificate",
    "CompareSpec",
    "ConvexFit",
    "ConvexProblem",
    "CvxpySolver",
    "FistaSolver",
    "GatedReLUModel",
    "LabelledData",
    "Program",
    "ReLUNetwork",
    "Solver",
    "Split",
    "Status",
    "WarmStart",
    "WorkingSetSolver",
    "arrangements",
    "beta_max",
    "certify",
    "compare",
    "complexity",
    "cones",
    "count_patterns",
    "cover_bound",
    "datasets",
    "duality",
    "exact_patterns",
    "first_order",
    "fit_convex",
    "fit_nonconvex",
    "ga_lasso",
    "gaussian_patterns",
    "geometric_algebra",
    "geometric_algebra_patterns",
    "lasso_path",
    "losses",
    "optima",
    "playground",
    "prepare_patterns",
    "prune_to_minimal",
    "realdata",
    "recovery",
    "run_comparison",
    "sampling",
    "solve_path",
    "solve_problem",
    "solvers",
    "stationary",
    "subsampled_optimum",
    "train",
    "validate",
]
