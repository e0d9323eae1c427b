"""Loss functions with the conventions of docs/convex-program.md.

- squared:  l(f, y) = 1/2 ||f - y||^2
- logistic: l(f, y) = sum_k log(1 + exp(-y_k f_k)),  y in {-1, +1}
- hinge:    l(f, y) = sum_k (1 - y_k f_k)_+,        y in {-1, +1}

For each loss: its value, its gradient (a subgradient for hinge), and the dual objective
-l*(-lam) used by the duality-gap certificate (docs/optima-and-stationary-points.md, step 6).
"""

from __future__ import annotations

import numpy as np

LOSSES = ("squared", "logistic", "hinge")
CLASSIFICATION_LOSSES = ("logistic", "hinge")


def check_loss(loss: str, y: np.ndarray | None = None) -> str:
    """Return ``loss`` if it is known (and, for logistic/hinge, the labels are -1/+1)."""
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, not {loss!r}")
    if y is not None and loss in CLASSIFICATION_LOSSES:
        if not np.all(np.isin(y, (-1.0, 1.0))):
            raise ValueError(f"the {loss} loss needs labels -1 or +1; use the squared loss otherwise")
    return loss


def value(loss: str, f: np.ndarray, y: np.ndarray) -> float:
    """The loss l(f, y)."""
    if loss == "squared":
        return 0.5 * float(np.sum((f - y) ** 2))
    if loss == "logistic":
        return float(np.sum(np.logaddexp(0.0, -y * f)))
    if loss == "hinge":
        return float(np.sum(np.maximum(0.0, 1.0 - y * f)))
    raise ValueError(f"unknown loss {loss!r}")


def gradient(loss: str, f: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The gradient of l with respect to f (for hinge the subgradient -y 1[y f < 1])."""
    if loss == "squared":
        return f - y
    if loss == "logistic":
        return -y * _sigmoid(-y * f)
    if loss == "hinge":
        return -y * (y * f < 1.0)
    raise ValueError(f"unknown loss {loss!r}")


def dual_value(loss: str, lam: np.ndarray, y: np.ndarray) -> float:
    """-l*(-lam), the dual objective at the dual variable lam (lam = -grad l at the optimum).

    squared: y^T lam - ||lam||^2 / 2; logistic: sum of binary entropies of p = y lam in [0, 1];
    hinge: sum y lam for y lam in [0, 1]. Outside the domain the value is -inf.
    """
    if loss == "squared":
        return float(y @ lam - 0.5 * lam @ lam)
    p = y * lam
    if np.any(p < -1e-12) or np.any(p > 1 + 1e-12):
        return -np.inf
    p = np.clip(p, 0.0, 1.0)
    if loss == "hinge":
        return float(np.sum(p))
    if loss == "logistic":
        with np.errstate(divide="ignore", invalid="ignore"):
            ent = -(np.where(p > 0, p * np.log(p), 0.0) + np.where(p < 1, (1 - p) * np.log1p(-p), 0.0))
        return float(np.sum(ent))
    raise ValueError(f"unknown loss {loss!r}")


def project_dual(loss: str, lam: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The nearest point of the dual domain: y lam in [0, 1] for logistic and hinge."""
    if loss == "squared":
        return lam
    return y * np.clip(y * lam, 0.0, 1.0)


def gradient_at_zero(loss: str, y: np.ndarray) -> np.ndarray:
    """-grad l(0): y (squared and hinge) or y/2 (logistic); it defines beta_max."""
    return -gradient(loss, np.zeros_like(y, dtype=float), y)


def predict_labels(scores: np.ndarray, classes=(-1.0, 1.0)) -> np.ndarray:
    """Labels from head outputs: sign (f >= 0 -> classes[1]) for one head, argmax for one-vs-rest."""
    scores = np.atleast_2d(np.asarray(scores, dtype=float).T).T
    if scores.shape[1] == 1:
        return np.where(scores[:, 0] >= 0, classes[1], classes[0])
    return np.asarray(classes)[np.argmax(scores, axis=1)]


def accuracy(scores: np.ndarray, labels: np.ndarray, classes=(-1.0, 1.0)) -> float:
    """The fraction of correct labels: sign(f) against labels +-1 by default (the package's one
    accuracy; one-vs-rest heads are read by argmax)."""
    return float(np.mean(predict_labels(scores, classes) == np.asarray(labels)))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -z))
