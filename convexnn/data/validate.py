"""Input validators: every array, number and count a user's data reach passes one of these.

Each returns the value in the form the package computes with, or raises ``ValueError`` with a
message that says what is wrong (the app shows it as it is).
"""

from __future__ import annotations

import numpy as np

MAX_ENTRIES = 50_000_000
"""Most numbers a data matrix may hold (400 MB of floats): larger inputs are refused."""
MAX_ABS = 1e50
"""Largest magnitude of a data value: beyond it squares and products overflow double precision
in the solvers (rescale such data)."""
MIN_SCALE = 1e-50
"""Smallest largest magnitude of nonzero data: below it squares underflow to zero."""


def check_magnitude(A: np.ndarray, name: str) -> None:
    top = float(np.max(np.abs(A))) if A.size else 0.0
    if top > MAX_ABS:
        raise ValueError(f"{name} has values beyond ±{MAX_ABS:.0e}, too large to compute with: "
                         "rescale the data")
    if 0.0 < top < MIN_SCALE:
        raise ValueError(f"all values of {name} are below {MIN_SCALE:.0e} in magnitude, too small to "
                         "compute with: rescale the data")


def as_matrix(X, name: str = "X", min_rows: int = 1, min_cols: int = 1, finite: bool = True,
              column: bool = True) -> np.ndarray:
    """``X`` as a float array (n, d) or a ``ValueError`` that says what is wrong with it.

    A 1-D input is one column (``column``) or one row. Checks: numbers only, two dimensions, at
    least ``min_rows`` rows and ``min_cols`` columns, at most :data:`MAX_ENTRIES` entries, and
    (``finite``) no NaN or infinite values.
    """
    try:
        A = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of numbers ({str(exc)[:80]})") from None
    if A.ndim == 0:
        raise ValueError(f"{name} must be an array with one row per point, not a single number")
    if A.ndim == 1:
        A = A[:, None] if column else A[None, :]
    if A.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (one row per point), got {A.ndim} dimensions")
    if A.size > MAX_ENTRIES:
        raise ValueError(f"{name} has {A.size:,} entries; the limit is {MAX_ENTRIES:,}")
    if A.shape[0] < min_rows:
        raise ValueError(f"{name} has {A.shape[0]} rows; at least {min_rows} "
                         f"{'is' if min_rows == 1 else 'are'} needed")
    if A.shape[1] < min_cols:
        raise ValueError(f"{name} has {A.shape[1]} columns; at least {min_cols} "
                         f"{'is' if min_cols == 1 else 'are'} needed")
    if finite and not np.all(np.isfinite(A)):
        raise ValueError(f"{name} contains NaN or infinite values: remove or fix those entries")
    if finite:
        check_magnitude(A, name)
    return A


def as_vector(y, n: int | None = None, name: str = "y", finite: bool = True) -> np.ndarray:
    """``y`` flattened to a float vector, with ``n`` entries when given (else a ``ValueError``)."""
    try:
        v = np.asarray(y, dtype=float).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers ({str(exc)[:80]})") from None
    if n is not None and v.shape[0] != n:
        raise ValueError(f"{name} has {v.shape[0]} entries but the data have {n} rows")
    if finite and not np.all(np.isfinite(v)):
        raise ValueError(f"{name} contains NaN or infinite values: remove or fix those entries")
    if finite:
        check_magnitude(v, name)
    return v


def as_number(value, name: str, positive: bool = False, nonnegative: bool = False) -> float:
    """A finite float (positive or non-negative when asked), or a ``ValueError``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, not {str(value)[:30]!r}") from None
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite, not {v}")
    if positive and v <= 0:
        raise ValueError(f"{name} must be positive, not {v:g}")
    if nonnegative and v < 0:
        raise ValueError(f"{name} must be non-negative, not {v:g}")
    return v


def as_count(value, name: str, minimum: int = 1, maximum: int | None = None) -> int:
    """An integer in [minimum, maximum], or a ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating)):
        try:
            value = int(str(value).strip())
        except ValueError:
            raise ValueError(f"{name} must be a whole number, not {str(value)[:30]!r}") from None
    if isinstance(value, (float, np.floating)) and not (np.isfinite(value) and float(value).is_integer()):
        raise ValueError(f"{name} must be a whole number, not {value}")
    v = int(value)
    if v < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {v}")
    if maximum is not None and v > maximum:
        raise ValueError(f"{name} is {v:,}; the limit is {maximum:,}")
    return v


__all__ = ["MAX_ABS", "MAX_ENTRIES", "MIN_SCALE", "as_count", "as_matrix", "as_number", "as_vector",
           "check_magnitude"]
