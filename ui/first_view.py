"""The AdamW page's default runs and solves, stored: its first view without 3-4 s of computation.

The page's default settings (the spiral, three learning rates, the Gaussian and geometric-algebra
programs) train AdamW three times and solve two convex programs: about 3 s of CPU, most of it the
Gaussian program. :data:`ASSET` holds those five results, made by :func:`build` (``python -m
ui.first_view``) from the same cached functions of :mod:`ui.landscape` the page calls, and
``tests/test_first_view_asset.py`` recomputes them and checks the file against them.

:func:`adamw_run` and :func:`convex_solve` take exactly the arguments of their namesakes in
:mod:`ui.landscape`; a call whose data (by SHA-256 of X and y) and arguments match a stored record
gets it (``stored=True``: its times are those measured when the file was made); any other call is
computed. The file is a numpy ``.npz`` read with ``allow_pickle=False``: arrays and strings only.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import numpy as np
import streamlit as st

from convexnn import ReLUNetwork
from convexnn import datasets as ds
from ui import landscape as al
from ui import schema

ASSET = Path(__file__).resolve().parent.parent / "assets" / "adamw_first_view.npz"
RECORDS = {"adamw": al.TrainRecord, "convex": al.ConvexResult}
NET = ("W1", "b1", "w2", "intercept", "pattern_index")


def data_key(X: np.ndarray, y: np.ndarray) -> str:
    """SHA-256 of the data's float64 bytes: a stored record is used for these data only."""
    h = hashlib.sha256(np.ascontiguousarray(X, dtype=float).tobytes())
    h.update(np.ascontiguousarray(y, dtype=float).tobytes())
    return h.hexdigest()


def call_key(kind: str, args: tuple) -> str:
    """The arguments after (X, y) of a call, as text (``repr`` keeps floats exact)."""
    return f"{kind}{tuple(args)!r}"


def default_calls() -> list[tuple[str, tuple]]:
    """The calls the AdamW page makes with its default settings (as views/adamw.py makes them)."""
    get = schema.default
    beta, samples = float(get("adamw_beta")), int(get("adamw_samples"))
    calls = [("adamw", (int(get("adamw_width")), beta, float(lr), int(get("adamw_epochs")),
                        float(get("adamw_wd")), int(get("adamw_seed")), bool(get("adamw_intercept")),
                        1.0, "linear")) for lr in get("adamw_lrs")]
    labels = {"gaussian": f"convex, {samples} Gaussian", "geometric": f"convex, {samples} geometric-algebra"}
    calls += [("convex", (beta, m, samples, 0, True, "squared", labels[m]))
              for m in ("gaussian", "geometric", "exact") if m in get("adamw_methods")]
    return calls


def _flatten(record, prefix: str) -> dict[str, np.ndarray]:
    """A record's fields as arrays: networks as their weights, lists of networks stacked (float32)."""
    out = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if value is None:
            continue
        if isinstance(value, ReLUNetwork):
            out.update({f"{prefix}{f.name}.{k}": np.asarray(getattr(value, k)) for k in NET})
        elif isinstance(value, list) and value and isinstance(value[0], ReLUNetwork):
            for k in NET:
                dtype = np.float32 if k != "pattern_index" else np.int32  # pictures only: frames
                out[f"{prefix}{f.name}.s{k}"] = np.stack([np.asarray(getattr(v, k), dtype) for v in value])
        else:
            out[f"{prefix}{f.name}"] = np.asarray(value)
    return out


def _restore(cls, arrays, prefix: str):
    """The record of class ``cls`` stored under ``prefix`` (see :func:`_flatten`)."""
    values = {}
    for f in dataclasses.fields(cls):
        name = prefix + f.name
        if f"{name}.W1" in arrays:
            values[f.name] = ReLUNetwork(*(arrays[f"{name}.{k}"] for k in NET))
        elif f"{name}.sW1" in arrays:
            stacks = [arrays[f"{name}.s{k}"] for k in NET]
            values[f.name] = [ReLUNetwork(*parts) for parts in zip(*stacks, strict=True)]
        elif name in arrays:
            a = arrays[name]
            values[f.name] = a.item() if a.ndim == 0 else a.tolist()
    values["stored"] = True
    return cls(**values)


def build(path: Path = ASSET) -> None:
    """Compute the default calls on the spiral and write them to ``path`` (compressed .npz)."""
    data = ds.spiral()
    X, y = data.X, data.y
    arrays = {"data": np.asarray(data_key(X, y)), "keys": np.asarray([call_key(*c) for c in default_calls()])}
    for i, (kind, args) in enumerate(default_calls()):
        run = al.adamw_run if kind == "adamw" else al.convex_solve
        record = run(X, y, *args)
        if record.error:
            raise RuntimeError(f"{kind}{args}: {record.error}")
        arrays.update(_flatten(record, f"r{i}."))
    np.savez_compressed(path, **arrays)


@st.cache_resource(show_spinner=False)
def stored() -> dict:
    """The stored records by call key, with the data key under ``"data"`` (empty without the file)."""
    if not ASSET.exists():
        return {}
    with np.load(ASSET, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    out = {"data": str(arrays["data"])}
    for i, key in enumerate(arrays["keys"].tolist()):
        out[key] = _restore(RECORDS[key.split("(")[0]], arrays, f"r{i}.")
    return out


def _lookup(kind: str, X: np.ndarray, y: np.ndarray, args: tuple):
    table = stored()
    record = table.get(call_key(kind, args))
    if record is None or table.get("data") != data_key(X, y):
        return None
    return dataclasses.replace(record)  # each caller its own copy of the fields


def adamw_run(X: np.ndarray, y: np.ndarray, *args) -> al.TrainRecord:
    """:func:`ui.landscape.adamw_run`, stored for the page's default calls."""
    return _lookup("adamw", X, y, args) or al.adamw_run(X, y, *args)


def convex_solve(X: np.ndarray, y: np.ndarray, *args) -> al.ConvexResult:
    """:func:`ui.landscape.convex_solve`, stored for the page's default calls."""
    return _lookup("convex", X, y, args) or al.convex_solve(X, y, *args)


if __name__ == "__main__":
    build()
    print(f"wrote {ASSET} ({ASSET.stat().st_size / 1e3:.0f} kB)")
