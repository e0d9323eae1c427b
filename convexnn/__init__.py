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

    >>> import convexnn as cn
    >>> data = cn.datasets.spiral(60)
    >>> fit = cn.fit_convex(data.X, data.y, beta=0.01)
    >>> net = fit.network()
    >>> abs(net.objective(data.X, data.y, 0.01) - fit.objective) < 1e-6 * fit.objective
    True
"""

from . import (
    arrangements,
    compare,
    complexity,
    cones,
    datasets,
    duality,
    first_order,
    ga_lasso,
    geometric_algebra,
    losses,
    optima,
    realdata,
    recovery,
    sampling,
    solvers,
    stationary,
    train,
    validate,
)
from .arrangements import (
    count_patterns,
    cover_bound,
    exact_patterns,
    gaussian_patterns,
    geometric_algebra_patterns,
)
from .compare import CompareSpec, run_comparison
from .convex import Certificate, ConvexFit, certify, fit_convex, prepare_patterns, solve_problem
from .network import GatedReLUModel, ReLUNetwork
from .path import beta_max, lasso_path, solve_path
from .problem import ConvexProblem, Program
from .pruning import prune_to_minimal
from .realdata import LabelledData, Split
from .solvers import CvxpySolver, FistaSolver, Solver, Status, WarmStart, WorkingSetSolver
from .stationary import subsampled_optimum
from .train import fit_nonconvex

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
