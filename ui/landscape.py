"""Cached computations of the landscape pages (Stationary points, AdamW vs convex).

Everything here is a thin, cached call (``st.cache_data``/``st.cache_resource``) into
:func:`convexnn.fit_nonconvex`, :mod:`convexnn.theory.stationary` and :func:`convexnn.fit_convex`;
results are small picklable records (networks, numbers, trajectories without heavy solver
state), keyed on the data and the settings. Both pages use the same functions, so e.g. the exact
solve of the spiral is done once per server.

The V4.1 and V4.2 examples are the documentation's data sets: :func:`convexnn.data.datasets.v41_example`
and :func:`convexnn.data.datasets.v42_example`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

import convexnn as cn
from convexnn import ReLUNetwork, fit_nonconvex
from convexnn import datasets as ds
from convexnn import stationary as stn
from ui.compute import CACHE_TTL, accuracy

# --------------------------------------------------------------------------------------------
# Presets of the Stationary page
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    name: str
    beta: float
    width: int
    bias: bool
    note: str
    optimizer: str = "adam"
    lr: float = 1e-2
    epochs: int = 1500
    polish: int = 2000


PRESETS = {
    "V4.2: 30 random points": Preset(
        "V4.2", 0.05, 6, True,
        "V4.2 (Mathematics page: optima and stationary points): 30 points from U[−1,1]², y = sign(sin "
        "3x₁ + x₂), with bias, β = 0.05 "
        "(p* = 1.892417). Small widths stop at many different stationary points."),
    "V4.1: X = I₂, y = (1, 1)": Preset(
        "V4.1", 0.1, 2, False,
        "V4.1 (Mathematics page: optima and stationary points): two points, no bias, β = 0.1. The first "
        "two runs "
        "start from the documented "
        "W1 = [[1, −.5], [−.5, 1]] (GD stops at 0.19) and W1 = (1, −.5)ᵀ with one neuron (stops "
        "at 0.595); p* = 0.1364214.", optimizer="gd", lr=1e-2, epochs=6000, polish=0),
    "Spiral (160 points), small widths": Preset(
        "spiral", 5e-4, 8, True,
        "The spiral of the experiments (Mathematics page) at β = 5e-4 (β = 1e-3 for an unhalved sum of "
        "squares). Small "
        "networks stop far above p*; the exact p* (about 24,000 patterns) takes 10–60 s once.",
        lr=1e-2, epochs=1500, polish=1500),
    "Current data": Preset(
        "current", 0.1, 6, True, "The data of the Data page, with the β set here."),
}
DEFAULT_PRESET = "V4.2: 30 random points"


def preset_data(key: str, current: ds.Dataset) -> ds.Dataset:
    name = PRESETS[key].name
    if name == "V4.1":
        return ds.v41_example()
    if name == "V4.2":
        return ds.v42_example()
    if name == "spiral":
        return ds.spiral()
    return current.train()


V41_STARTS = (
    ReLUNetwork(np.array([[1.0, -0.5], [-0.5, 1.0]]), np.zeros(2), np.ones(2)),
    ReLUNetwork(np.array([[1.0], [-0.5]]), np.zeros(1), np.ones(1)),
)


# --------------------------------------------------------------------------------------------
# Convex solves
# --------------------------------------------------------------------------------------------


@dataclass
class ConvexResult:
    """What the pages show of a convex solve (no cones, no solver state)."""

    label: str
    objective: float = float("nan")
    network: ReLUNetwork | None = None
    minimal: ReLUNetwork | None = None
    n_patterns: int = 0
    n_active: int = 0
    status: str = ""
    certified: bool = False
    relative_gap: float = float("nan")
    time: float = 0.0
    accuracy: float = float("nan")
    error: str | None = None
    stored: bool = False  # from ui.first_view's file (its time measured when the file was made)


@st.cache_data(show_spinner=False, max_entries=32, persist=False)
def convex_solve(X: np.ndarray, y: np.ndarray, beta: float, patterns: str = "exact", n_samples: int = 200,
                 seed: int = 0, bias: bool = True, loss: str = "squared", label: str = "") -> ConvexResult:
    """fit_convex with the fast solver, the network, a minimal (pruned) network; never raises."""
    t0 = time.perf_counter()
    try:
        fit = cn.fit_convex(X, y, beta, loss=loss, patterns=patterns, n_samples=n_samples, seed=seed,
                            bias=bias, time_limit=300.0)
        elapsed = time.perf_counter() - t0
        net = fit.network()
        try:
            minimal = cn.prune_to_minimal(fit).network() if fit.n_active else net
        except Exception:  # pruning is a convenience for the landscape; fall back to all blocks
            minimal = net
    except Exception as exc:  # shown on the page, never a traceback
        return ConvexResult(label, error=f"{type(exc).__name__}: {str(exc)[:200]}")
    cert = fit.certificate
    return ConvexResult(
        label or patterns, float(fit.objective), net, minimal, fit.n_patterns, fit.n_active, fit.status,
        bool(cert is not None and cert.optimal), float(cert.relative_gap) if cert else float("nan"),
        elapsed, accuracy(net, X, y))


@st.cache_resource(show_spinner=False, max_entries=8)
def exact_cones(X: np.ndarray, bias: bool):
    """The exact pattern set with its cones (for certificates), shared by all sessions."""
    return cn.prepare_patterns(X, "exact", bias)


# --------------------------------------------------------------------------------------------
# Training runs and their stationary analysis
# --------------------------------------------------------------------------------------------


@dataclass
class RunRecord:
    seed: int
    label: str
    network: ReLUNetwork
    objective: float
    p_I: float
    n_patterns: int
    alive: int
    patterns: np.ndarray
    certificate: float
    certified: bool
    train_time: float
    snapshots: list = field(default_factory=list)
    snapshot_epochs: list = field(default_factory=list)
    objective_curve: list = field(default_factory=list)
    epochs_curve: list = field(default_factory=list)
    error: str | None = None

    @property
    def gap(self) -> float:
        return (self.objective - self.p_I) / max(abs(self.p_I), 1e-300)


@st.cache_data(show_spinner=False, max_entries=128, ttl=CACHE_TTL)
def one_run(X: np.ndarray, y: np.ndarray, width: int, beta: float, seed: int, optimizer: str, lr: float,
            epochs: int, polish: int, bias: bool, start: int = -1,
            with_certificate: bool = True) -> RunRecord:
    """Train from ``seed`` (or V4.1 start ``start``), polish, then p_I and the certificate."""
    init = V41_STARTS[start] if start >= 0 else None
    if init is not None:
        width = init.width
    label = f"seed {seed}" if start < 0 else f"documented start {'AB'[start]}"
    t0 = time.perf_counter()
    try:
        net, traj = fit_nonconvex(X, y, width, beta, optimizer, lr=lr, epochs=epochs, seed=seed, bias=bias,
                                  init=init, snapshots=25)
        if polish > 0 and not traj.diverged:
            net, _ = stn.polish(net, X, y, beta, epochs=polish, bias=bias)
        elapsed = time.perf_counter() - t0
        sub = stn.subsampled_optimum(net, X, y, beta, bias=bias)
        cert = float("nan")
        if with_certificate:
            cert = stn.network_certificate(net, X, y, beta, bias=bias, cones=exact_cones(X, bias))
    except Exception as exc:
        zero = ReLUNetwork(np.zeros((X.shape[1], 1)), [0.0], [0.0])
        return RunRecord(seed, label, zero, np.nan, np.nan, 0, 0, np.zeros((0, len(y)), bool), np.nan,
                         False, 0.0, error=f"{type(exc).__name__}: {str(exc)[:200]}")
    snaps = list(traj.snapshots)
    snap_epochs = [int(e) for e in traj.snapshot_epochs]
    if polish > 0:
        snaps.append(net)
        snap_epochs.append(snap_epochs[-1] + polish if snap_epochs else polish)
    return RunRecord(seed, label, net, float(sub.objective), float(sub.p_I), sub.n_patterns,
                     int(stn.alive_neurons(net).size), sub.patterns, cert, sub.certified, elapsed,
                     snaps, snap_epochs, traj.objective.tolist(), traj.epochs.tolist())


@dataclass
class Landscape:
    ts: np.ndarray
    segment: np.ndarray
    s: np.ndarray
    t: np.ndarray
    plane: np.ndarray
    points: dict
    trajectory: np.ndarray
    trajectory_labels: list
    off_plane: float
    width: int


@st.cache_data(show_spinner=False, max_entries=64)
def landscape(X: np.ndarray, y: np.ndarray, beta: float, _run: RunRecord, run_key: tuple,
              _optimum: ReLUNetwork, optimum_key: tuple, third: str, resolution: int = 41) -> Landscape:
    """Match the run to the optimum, then L on the segment, on the plane, and the trajectory."""
    match = stn.match_networks(_run.network, _optimum, X)
    a, b = match.source, match.target
    ts, seg = stn.segment_objective(a, b, X, y, beta, ts=81)
    c = _run.snapshots[0] if third == "training start" and _run.snapshots else None
    plane = stn.plane_basis(a, b, c)
    s3, t3 = plane.third
    lo_s, hi_s = min(-0.4, s3 - 0.3), max(1.4, s3 + 0.3)
    lo_t, hi_t = min(-0.6, t3 - 0.3), max(0.6, t3 + 0.3)
    s, t, L = stn.plane_objective(plane, X, y, beta, s_range=(lo_s, hi_s), t_range=(lo_t, hi_t),
                                  resolution=resolution)
    points = {"stationary point": (0.0, 0.0), "global optimum": (1.0, 0.0)}
    if c is not None:
        points["training start"] = (s3, t3)
    coords, dist = stn.project_on_plane(_run.snapshots, plane) if _run.snapshots else (np.zeros((0, 2)), [0])
    labels = [str(e) for e in _run.snapshot_epochs]
    return Landscape(ts, seg, s, t, L, points, coords, labels, float(np.max(dist)), match.width)


# --------------------------------------------------------------------------------------------
# AdamW runs
# --------------------------------------------------------------------------------------------


@dataclass
class TrainRecord:
    label: str
    network: ReLUNetwork
    time: list
    objective: list
    accuracy: list
    epochs: list
    snapshots: list
    snapshot_epochs: list
    final_objective: float
    final_accuracy: float
    total_time: float
    diverged: bool
    error: str | None = None
    stored: bool = False  # from ui.first_view's file (its times measured when the file was made)


@st.cache_data(show_spinner=False, max_entries=64)
def adamw_run(X: np.ndarray, y: np.ndarray, width: int, beta: float, lr: float, epochs: int,
              weight_decay: float, seed: int, intercept: bool, clip: float | None,
              schedule: str, snapshots: int = 21) -> TrainRecord:
    """AdamW on the mean squared error, as in docs/experiments.md (never raises)."""
    label = f"AdamW lr {lr:g}"
    try:
        net, tr = fit_nonconvex(X, y, width, beta, "adamw", lr=lr, epochs=epochs, loss="mse",
                                weight_decay=weight_decay, clip_norm=clip, schedule=schedule,
                                intercept=intercept, seed=seed, snapshots=snapshots)
    except Exception as exc:
        return TrainRecord(label, None, [], [], [], [], [], [], np.nan, np.nan, 0.0, True,
                           f"{type(exc).__name__}: {str(exc)[:200]}")
    return TrainRecord(label, net, tr.time.tolist(), tr.objective.tolist(), tr.accuracy.tolist(),
                       tr.epochs.tolist(), list(tr.snapshots), list(tr.snapshot_epochs),
                       tr.final_objective, tr.final_accuracy, tr.total_time, tr.diverged)


@dataclass
class Restricted:
    """The convex program over the patterns a network realises (see the AdamW page)."""

    p_I: float = float("nan")
    n_patterns: int = 0
    status: str = ""
    certified: bool = False
    network: ReLUNetwork | None = None
    accuracy: float = float("nan")
    time: float = 0.0
    error: str | None = None


@st.cache_data(show_spinner=False, max_entries=16)
def restricted_program(X: np.ndarray, y: np.ndarray, beta: float, _network: ReLUNetwork, key: tuple,
                       time_limit: float = 30.0) -> Restricted:
    """p_I of a network (no intercept) with a time limit; never raises."""
    t0 = time.perf_counter()
    try:
        sub = stn.subsampled_optimum(_network, X, y, beta, bias=True, time_limit=time_limit)
    except Exception as exc:
        return Restricted(error=f"{type(exc).__name__}: {str(exc)[:200]}")
    net = sub.fit.network() if sub.fit is not None else None
    return Restricted(sub.p_I, sub.n_patterns, sub.fit.status if sub.fit else "empty", sub.certified, net,
                      accuracy(net, X, y) if net is not None else float("nan"), time.perf_counter() - t0)
