"""Default views that are the same for everyone, stored: first views without seconds of computation.

Some pages compute the same thing for every first visitor: the AdamW page trains AdamW three times
and solves two convex programs (about 3 s of CPU), the Deep networks page trains four gradient-descent
runs (1.4 s), the Complexity page counts and lists the patterns of seven data sets (1.2 s) and solves its
two-pattern example 18 times (0.3 s). The
file :data:`ASSET` holds those results, made by :func:`build` (``python -m ui.first_view``) from
the same functions the pages call, and ``tests/unit/test_first_view_asset.py`` recomputes every stored
result and checks it against the file. The Stationary points page's default example (its exact
program and eight training runs, 1.4 s) and the All global optima page's critical-width experiment and the
Lasso path page's path on the app's default data (1.7 s and 0.5 s), and the Neural recovery page's
default grid (80 trials, solved by two joblib worker processes whose start costs seconds of CPU) are
stored too.

A stored result is found by the function's name and its exact arguments (arrays by their SHA-256),
so any other setting or data is computed as before. Times inside a stored result are those measured
when the file was made; the pages say so. The file is a numpy ``.npz`` read with
``allow_pickle=False``: arrays plus one JSON document for the structure (dicts, lists, tuples and
the dataclasses of :data:`CLASSES`, nothing else).
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import streamlit as st

from convexnn import ReLUNetwork, optima
from convexnn import complexity as cx
from convexnn import datasets as ds
from convexnn import duality as du
from convexnn import recovery as rc
from ui import compute, schema, state
from ui import landscape as al

ASSET = Path(__file__).resolve().parent.parent / "assets" / "first_views.npz"
CLASSES = {c.__name__: c for c in (al.TrainRecord, al.ConvexResult, al.RunRecord, ReLUNetwork, du.GDResult,
                                   optima.CriticalWidth, optima.NetworkPath, cx.TwoPatternResult)}
"""The only classes a stored result may hold."""
FLOAT32 = {("TrainRecord", "snapshots")}
"""(class, field) whose arrays are stored as float32: animation frames, pictures only."""
COUNT_NS = (10, 20, 40, 80, 160, 320, 640)
"""The Complexity page's data sizes."""
COUNT_LIMIT = 320
"""The Complexity page lists every pattern up to this many points."""
TWO_PATTERN_BETAS = (0.01, 0.1, 1.0)
"""The Complexity page's β values for the all-patterns vs two-patterns comparison."""
STATIONARY_RUNS = 8
"""The Stationary points page's number of restarts (seeds 0, 1, ...)."""


# --------------------------------------------------------------------------------------------
# The computations (the pages call these, through their caches)
# --------------------------------------------------------------------------------------------


def deep_runs(parallel: bool, L: int, beta: float, scales: tuple, steps: int, lr: float) -> dict:
    """Gradient descent on the Deep networks page's case, one run per initial scale."""
    X, Y = du.gd_case()
    train = du.train_parallel_linear if parallel else du.train_deep_linear
    every = max(steps // 200, 1)
    return {f"init scale {s:g}": train(X, Y, L, beta, s, lr=lr, steps=steps, record_every=every)
            for s in scales}


def width_experiment(X: np.ndarray, y: np.ndarray, beta: float, loss: str, optimizer: str, epochs: int,
                     restarts: int, max_width: int, p_star: float | None, convex_width: int | None,
                     progress=None) -> optima.CriticalWidth:
    """The All global optima page's critical-width experiment (widths 1..max_width)."""
    return optima.critical_width(
        X, y, beta, loss=loss, widths=np.arange(1, max_width + 1), restarts=restarts, rtol=compute.WIDTH_RTOL,
        p_star=p_star, convex_width=convex_width, progress=progress, optimizer=optimizer, epochs=epochs,
        lr=compute.WIDTH_LR.get(optimizer, 0.01), schedule="linear", snapshots=0, record_every=epochs)


def lasso_path(X: np.ndarray, y: np.ndarray, task: str, n_betas: int, loss: str, program: str, patterns: str,
               samples: int, progress=None) -> optima.NetworkPath:
    """The Lasso path page's pruned path (``samples`` 0 for the exact patterns)."""
    return optima.network_path(X, y, task, n_betas=n_betas, loss=loss, relu=program, patterns=patterns,
                               n_samples=samples, progress=progress, time_limit=compute.TIME_LIMIT)


def recovery_grid(tasks: tuple, seed: int, programs: tuple, planted: str, all_ones: str, n_jobs: int = 1,
                  progress=None) -> list[dict]:
    """The Neural recovery page's phase-transition trials, (n, d, trial) each, in task order (the
    results do not depend on ``n_jobs``)."""
    kwargs = {"seed": seed, "programs": programs, "planted": planted, "n_gates": None, "all_ones": all_ones}
    return rc.run_tasks(list(tasks), kwargs, n_jobs=n_jobs, progress=progress)


def recovery_calls() -> list[tuple[Callable, tuple]]:
    """The Neural recovery page's default grid (as views/recovery.py builds it)."""
    get = schema.default
    lo, hi = get("recovery_n_range")
    ns = range(int(lo), int(hi) + 1, int(get("recovery_n_step")))
    cells = [(n, d) for d in sorted(int(d) for d in get("recovery_ds")) for n in ns]
    tasks = tuple((n, d, t) for n, d in cells for t in range(int(get("recovery_trials"))))
    programs = (*get("recovery_programs"), "linear")
    planted, all_ones = str(get("recovery_planted")), str(get("recovery_all_ones"))
    return [(recovery_grid, (tasks, 0, programs, planted, all_ones))]


def key_float(value: float | None) -> float | None:
    """A solver's output as an argument of a stored call: 10 significant digits, so that the last bits
    of another machine's BLAS still find the stored result."""
    return None if value is None else float(f"{value:.10g}")


def width_calls() -> list[tuple[Callable, tuple]]:
    """The critical-width experiment the All global optima page runs on the app's default data."""
    get = schema.default
    data = default_train()
    beta, loss = float(get("beta")), str(get("loss"))
    solved = compute.solve(data.X, data.y, beta, loss, "exact", True, "exact")
    if not solved.ok or solved.model.width == 0:
        return []
    width = int(solved.model.width)
    return [(width_experiment, (data.X, data.y, beta, loss, str(get("optima_optimizer")),
                                int(get("optima_epochs")), int(get("optima_restarts")), min(width + 2, 60),
                                key_float(solved.objective), width))]


def count_table(ns: tuple, limit: int) -> list[dict]:
    """The Complexity page's pattern counts (and times) of Gaussian data of sizes ``ns``."""
    return cx.pattern_count_table(ns, materialize_limit=limit)


def two_pattern_comparison(X: np.ndarray, y: np.ndarray, bias: bool) -> list:
    """The Complexity page's side-by-side solves: every exact pattern vs the two class patterns, for
    each loss and each of :data:`TWO_PATTERN_BETAS` (18 solves, 0.3 s on its default example)."""
    return cx.two_pattern_comparison(X, y, betas=TWO_PATTERN_BETAS, bias=bias)


def default_calls() -> list[tuple[Callable, tuple]]:
    """Every stored call: the calls the pages make with their default settings and data."""
    get = schema.default
    spiral = ds.spiral()
    beta, samples = float(get("adamw_beta")), int(get("adamw_samples"))
    calls: list[tuple[Callable, tuple]] = [
        (al.adamw_run, (spiral.X, spiral.y, int(get("adamw_width")), beta, float(lr),
                        int(get("adamw_epochs")), float(get("adamw_wd")), int(get("adamw_seed")),
                        bool(get("adamw_intercept")), 1.0, "linear")) for lr in get("adamw_lrs")]
    labels = {"gaussian": f"convex, {samples} Gaussian", "geometric": f"convex, {samples} geometric-algebra"}
    calls += [(al.convex_solve, (spiral.X, spiral.y, beta, m, samples, 0, True, "squared", labels[m]))
              for m in ("gaussian", "geometric") if m in get("adamw_methods")]
    beta_gd, steps = float(get("deep_gd_beta")), int(get("deep_gd_steps"))
    deep = (int(get("deep_gd_L")), beta_gd, tuple(sorted(float(s) for s in get("deep_gd_scales"))), steps,
            0.1 if beta_gd <= 0.2 else 0.05)
    calls += [(deep_runs, (False, *deep)), (deep_runs, (True, *deep))]
    calls.append((count_table, (COUNT_NS, COUNT_LIMIT)))
    calls.append((two_pattern_comparison, (*cx.orthogonally_separable_example(), False)))
    calls += stationary_calls(al.DEFAULT_PRESET, ds.v42_example())
    calls += width_calls()
    calls += path_calls()
    calls += recovery_calls()
    return calls


def default_train():
    """The training part of the app's default data (the preset with its default settings)."""
    get = schema.default
    return state.generate_preset(get("preset"), int(get("n")), float(get("noise")), int(get("seed")),
                                 float(get("test"))).train()


def path_calls() -> list[tuple[Callable, tuple]]:
    """The Lasso path page's path of the default data with the default settings."""
    get = schema.default
    data = default_train()
    patterns = str(get("patterns"))
    samples = int(get("optimum_samples")) if patterns != "exact" else 0
    return [(lasso_path, (data.X, data.y, data.task, int(get("path_n_betas")), str(get("loss")),
                          str(get("program")), patterns, samples))]


def stationary_calls(preset_key: str, data) -> list[tuple[Callable, tuple]]:
    """The Stationary points page's exact solve and training runs with a preset's settings (as
    views/stationary.py makes them)."""
    p = al.PRESETS[preset_key]
    X, y = data.X, data.y
    calls: list[tuple[Callable, tuple]] = [(al.convex_solve, (X, y, float(p.beta), "exact", 200, 0, p.bias,
                                                              "squared", "exact"))]
    specs = ([(0, 0), (0, 1)] if p.name == "V4.1" else []) + [(s, -1) for s in range(STATIONARY_RUNS)]
    calls += [(al.one_run, (X, y, int(p.width), float(p.beta), int(seed), p.optimizer, float(p.lr),
                            int(p.epochs), int(p.polish), p.bias, start)) for seed, start in specs]
    return calls


# --------------------------------------------------------------------------------------------
# Keys, encoding, the file
# --------------------------------------------------------------------------------------------


def _name(fn: Callable) -> str:
    return getattr(fn, "__qualname__", getattr(fn, "__name__", repr(fn)))


def call_key(fn: Callable, args: tuple) -> str:
    """A call as text: the function's name, arrays by SHA-256 of dtype, shape and bytes, the rest by
    ``repr`` (exact for floats)."""
    def part(a) -> str:
        if isinstance(a, np.ndarray):
            a = np.ascontiguousarray(a)
            digest = hashlib.sha256(f"{a.dtype.str}{a.shape}".encode() + a.tobytes()).hexdigest()
            return f"array:{digest}"
        return repr(a)
    return f"{_name(fn)}({', '.join(part(a) for a in args)})"


def _encode(obj, arrays: dict, f32: bool = False):
    """``obj`` as a JSON-able structure. Arrays are appended to ``arrays`` (one list per dtype, written
    as one flat array each) and referenced by dtype, offset and shape."""
    if isinstance(obj, np.ndarray):
        if obj.dtype == object:
            raise TypeError("object arrays are not stored")
        a = obj.astype(np.float32) if f32 and obj.dtype.kind == "f" else obj
        parts = arrays.setdefault(a.dtype.str, [])
        offset = sum(p.size for p in parts)
        parts.append(np.ravel(a))
        return {"__array__": [a.dtype.str, offset, list(a.shape)]}
    if dataclasses.is_dataclass(obj):
        cls = type(obj).__name__
        if CLASSES.get(cls) is not type(obj):
            raise TypeError(f"{cls} is not a storable class")
        fields = {f.name: _encode(getattr(obj, f.name), arrays, f32 or (cls, f.name) in FLOAT32)
                  for f in dataclasses.fields(obj)}
        return {"__class__": cls, "fields": fields}
    if isinstance(obj, dict):
        if not all(isinstance(k, str) for k in obj):
            raise TypeError("only str dict keys are stored")
        return {"__dict__": {k: _encode(v, arrays, f32) for k, v in obj.items()}}
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, arrays, f32) for v in obj]}
    if isinstance(obj, list):
        return [_encode(v, arrays, f32) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"{type(obj).__name__} is not stored")


def _decode(obj, arrays):
    """The inverse of :func:`_encode`."""
    if isinstance(obj, list):
        return [_decode(v, arrays) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__array__" in obj:
        dtype, offset, shape = obj["__array__"]
        size = int(np.prod(shape, dtype=np.int64))
        return arrays[dtype][offset:offset + size].reshape(shape).copy()
    if "__class__" in obj:
        return CLASSES[obj["__class__"]](**{k: _decode(v, arrays) for k, v in obj["fields"].items()})
    if "__tuple__" in obj:
        return tuple(_decode(v, arrays) for v in obj["__tuple__"])
    return {k: _decode(v, arrays) for k, v in obj["__dict__"].items()}


def build(path: Path = ASSET) -> None:
    """Compute every default call and write the results to ``path`` (compressed .npz)."""
    arrays: dict = {}
    entries = {}
    for fn, args in default_calls():
        result = fn(*args)
        if getattr(result, "error", None):
            raise RuntimeError(f"{call_key(fn, args)}: {result.error}")
        entries[call_key(fn, args)] = _encode(result, arrays)
    index = np.frombuffer(json.dumps(entries).encode(), dtype=np.uint8)
    flat = {dtype: np.concatenate(parts) for dtype, parts in arrays.items()}
    np.savez_compressed(path, __index__=index, **flat)


@st.cache_resource(show_spinner=False)
def stored() -> dict:
    """The stored results by call key (empty without the file)."""
    if not ASSET.exists():
        return {}
    with np.load(ASSET, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    index = json.loads(arrays["__index__"].tobytes().decode())
    return {key: _decode(value, arrays) for key, value in index.items()}


def lookup(fn: Callable, *args):
    """The stored result of ``fn(*args)``, or None. A dataclass with a ``stored`` field says so."""
    result = stored().get(call_key(fn, args))
    if result is None:
        return None
    result = copy.deepcopy(result)  # each caller its own copy, as st.cache_data gives (pages may change it)
    if dataclasses.is_dataclass(result) and hasattr(result, "stored"):
        result.stored = True
    return result


def call(fn: Callable, *args):
    """``fn(*args)``: the stored result if there is one, else computed (``fn`` may be cached)."""
    result = lookup(fn, *args)
    return fn(*args) if result is None else result


def adamw_run(X: np.ndarray, y: np.ndarray, *args) -> al.TrainRecord:
    """:func:`ui.landscape.adamw_run`, stored for the AdamW page's default calls."""
    return call(al.adamw_run, X, y, *args)


def convex_solve(X: np.ndarray, y: np.ndarray, *args) -> al.ConvexResult:
    """:func:`ui.landscape.convex_solve`, stored for the AdamW page's default calls."""
    return call(al.convex_solve, X, y, *args)


if __name__ == "__main__":
    build()
    print(f"wrote {ASSET} ({ASSET.stat().st_size / 1e3:.0f} kB)")
