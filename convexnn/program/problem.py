"""The convex program of one data set, built once: what every solver, certificate and map reads.

    p* = min  l( sum_i D_i X~ (u_i - u'_i), y ) + beta sum_i (||u_i|| + ||u'_i||)
         s.t. (2 D_i - I) X~ u_i >= 0,  (2 D_i - I) X~ u'_i >= 0        (program "exact")

and its gated relaxation (program "gated": one unconstrained block w_i per pattern), Pilanci &
Ergen, ICML 2020 (docs/convex-program.md). A :class:`ConvexProblem` holds the validated data,
X~ (the ones column appended once when ``bias``), the rank reduction X~ = Z Q^T, the patterns
D_i with their cones K_i, the loss, beta and the program. Solvers work in the reduced
coordinates w (u = Q w); nothing downstream lifts or validates the data again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from ..data.validate import as_matrix, as_number, as_vector
from ..patterns.arrangements import (
    Arrangement,
    arrangement,
    gaussian_patterns,
    geometric_algebra_patterns,
    lift,
    reduce_rank,
)
from ..patterns.cones import pattern_cones
from . import losses


class Program(StrEnum):
    """Which convex program: the exact one (cone constraints) or its gated relaxation."""

    EXACT = "exact"
    GATED = "gated"


PROGRAMS = tuple(p.value for p in Program)
DEFAULT_SAMPLES = 200
PATTERN_CHOICES = ("auto", "exact", "gaussian", "geometric")


def check_program(program: str) -> Program:
    """``program`` as a :class:`Program`, or a ``ValueError`` naming the choices."""
    try:
        return Program(program)
    except ValueError:
        raise ValueError(f"the program must be one of {PROGRAMS}, not {program!r}") from None


def prepare_patterns(
    X: np.ndarray, patterns="exact", bias: bool = True, n_samples: int = DEFAULT_SAMPLES, seed: int = 0,
    facets: bool = True,
) -> Arrangement:
    """The pattern set of the program with its cones (docs/arrangements.md).

    ``patterns`` is "exact" (all patterns, rank <= 3), "gaussian" (``n_samples`` Gaussian
    directions), "geometric" (``n_samples`` geometric-algebra directions), "auto" (exact when
    possible) or an array of patterns (P, n). With ``facets=False`` the cones of sampled or
    given patterns keep all n rows instead of their facets (enough for the gated program, and
    cheaper).
    """
    Xt = lift(X, bias)
    if isinstance(patterns, str):
        if patterns == "auto":
            rank = reduce_rank(Xt)[0].shape[1]
            patterns = "exact" if rank <= 3 and Xt.shape[0] <= 1000 else "gaussian"
        if patterns == "exact":
            return arrangement(X, bias)
        if patterns == "gaussian":
            return pattern_cones(X, gaussian_patterns(X, n_samples, seed, bias), bias, facets)
        if patterns == "geometric":
            return pattern_cones(X, geometric_algebra_patterns(X, n_samples, seed, bias=bias), bias, facets)
        raise ValueError(f"patterns must be 'exact', 'gaussian', 'geometric' or an array, not {patterns!r}")
    P = np.asarray(patterns)
    if P.ndim != 2 or P.shape[1] != Xt.shape[0]:
        raise ValueError(f"a pattern array must have shape (p, {Xt.shape[0]}), got {P.shape}")
    if P.dtype != bool and not np.all(np.isin(P, (0, 1))):
        raise ValueError("pattern entries must be 0/1 or boolean")
    return pattern_cones(X, P.astype(bool), bias, facets)


@dataclass(eq=False)
class ConvexProblem:
    """One instance of the convex program (build it with :meth:`build`).

    Attributes:
        X, y: the validated data (n, d) and targets (n,).
        beta: the weight decay (the nonconvex penalty is (beta/2)||Theta||^2).
        loss: "squared", "logistic" or "hinge".
        program: :class:`Program` ("exact" or "gated").
        bias: whether X~ carries the ones column (the bias is regularized with its neuron).
        cones: the patterns D_i (``cones.patterns``, (P, n)) with their cones and the basis Q.
        Xt: X~ (n, d~); Z: X~ Q (n, r), the reduced data every solver works with.
    """

    X: np.ndarray
    y: np.ndarray
    beta: float | None
    loss: str
    program: Program
    bias: bool
    cones: Arrangement
    Xt: np.ndarray
    Z: np.ndarray
    _lifted_norm: float | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls,
        X: np.ndarray,
        y: np.ndarray,
        beta: float | None,
        loss: str = "squared",
        patterns="auto",
        bias: bool = True,
        program: str = Program.EXACT,
        n_samples: int = DEFAULT_SAMPLES,
        seed: int = 0,
        cones: Arrangement | None = None,
    ) -> ConvexProblem:
        """Validate the data once, lift X~ once and take the patterns (or reuse ``cones``).

        ``beta`` may be None for a problem whose beta is set later (:meth:`with_beta`, the path).
        """
        X = as_matrix(X, "X")
        y = as_vector(y, X.shape[0], "y")
        beta = None if beta is None else as_number(beta, "beta", positive=True)
        losses.check_loss(loss, y)
        program = check_program(program)
        if cones is None:
            cones = prepare_patterns(X, patterns, bias, n_samples, seed, facets=program is Program.EXACT)
        elif cones.patterns.shape[1] != X.shape[0]:
            raise ValueError("the precomputed patterns do not match the data")
        Xt = lift(X, bias)
        return cls(X, y, beta, loss, program, bool(bias), cones, Xt, Xt @ cones.basis)

    def with_beta(self, beta: float) -> ConvexProblem:
        """The same data, patterns and loss at another beta (shares every array)."""
        return dataclasses.replace(self, beta=as_number(beta, "beta", positive=True))

    @property
    def gated(self) -> bool:
        return self.program is Program.GATED

    @property
    def patterns(self) -> np.ndarray:
        return self.cones.patterns

    @property
    def basis(self) -> np.ndarray:
        return self.cones.basis

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_patterns(self) -> int:
        return self.cones.count

    @property
    def lifted_norm(self) -> float:
        """||X~||_2 (computed once): a block u changes the fit by at most ||X~|| ||u||."""
        if self._lifted_norm is None:
            self._lifted_norm = float(np.linalg.norm(self.Xt, 2))
        return self._lifted_norm

    def lifted(self, X_new: np.ndarray) -> np.ndarray:
        """X~ of new inputs (validated, with the ones column when the problem has a bias)."""
        return lift(X_new, self.bias)

    def zero_gradient(self) -> np.ndarray:
        """g = -grad l(0): y for the squared and hinge losses, y/2 for logistic."""
        return losses.gradient_at_zero(self.loss, self.y)


__all__ = [
    "DEFAULT_SAMPLES",
    "PROGRAMS",
    "ConvexProblem",
    "Program",
    "check_program",
    "prepare_patterns",
]
