"""The settings schema: every setting a link can carry, written once.

Each :class:`Setting` has a name (its widget key and URL parameter), a kind, a default, a range
or a list of choices, and whether it lives in the URL. The schema drives

- the widgets (:mod:`ui.widgets` builds them from it: range, options, persistence),
- the validation of every value from outside (:meth:`Setting.parse`: one validator, before any
  arithmetic: finite, in range, of the right type, bounded in size),
- the URL (:mod:`ui.url` reads and writes exactly the settings with ``url=True``).

Some settings pick something of the current data (a point, a pattern, a neuron): their schema
range is only a cap, and the page checks the value against the data when it reads it
(:func:`within_data`; the setting's ``bound`` says what it counts).

Each page lists its own settings here too (``page=`` its url path), so a link copied from any
page reproduces that page's view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import streamlit as st

from convexnn import datasets as ds
from convexnn import ga_lasso

# --------------------------------------------------------------------------------------------
# Limits and choices shared by the pages
# --------------------------------------------------------------------------------------------

TALK = "talk"
PRESETS = tuple(ds.GENERATORS) + (TALK,)
FIXED_PRESETS = (TALK,)
"""Presets without size, noise or seed (fixed points)."""
LOSSES = ("squared", "logistic", "hinge")
PROGRAMS = ("exact", "gated")
PATTERN_SOURCES = ("exact", "gaussian", "geometric")
PATTERN_LABELS = {"exact": "exact (all patterns)", "gaussian": "Gaussian samples",
                  "geometric": "geometric-algebra samples"}

N_RANGE = (4, 200)
TEST_RANGE = (0.0, 0.5)
BETA_RANGE = (1e-6, 1e4)
MAX_POINTS = 500
"""Most points the Data page accepts (drawing or CSV)."""
MAX_UPLOAD_MB = 5
"""Largest CSV (Data page) or network JSON file a page accepts, in MB (checked in the browser)."""
MAX_FEATURE_UPLOAD_MB = 50
"""Largest feature file on the Real data page, in MB; also the server's ``maxUploadSize``."""
MAX_SOLVE_POINTS = 200
"""Most points the solving pages solve for (about a minute at 200 points)."""
SLOW_SOLVE_POINTS = 100
MAX_TEXT = 64
"""Longest URL value a setting accepts (the points ``pts`` have their own codec and cap)."""

PAGE_DATA = "dataset"
PAGE_OPTIMUM = "optimum"
PAGE_PATH = "path"
PAGE_PATTERNS = "patterns"
PAGE_GEOMETRY = "geometry"
PAGE_OPTIMA = "optima"
GA_SECTIONS = ("Line through two points", "Lasso features", "Closed-form Lasso")
"""The Geometric algebra page's tabs (:func:`ui.widgets.sections`)."""
RECOVERY_SECTIONS = ("Phase transition", "Certificate NIC-L", "Pictures in the plane")
"""The Neural recovery page's tabs."""
COMPLEXITY_SECTIONS = ("How many patterns", "Which data are easy", "Max-Cut and hardness")
"""The Complexity page's tabs."""
ADAMW_SECTIONS = ("Decision regions", "Objective against time", "Where AdamW stopped")
"""The AdamW vs convex page's tabs."""
STATIONARY_SECTIONS = ("All runs", "One run and the optimum", "The landscape between them")
"""The Stationary points page's tabs."""
DEEP_SECTIONS = ("Primal, dual and the gap", "Gradient descent", "The parallel architecture")
"""The Deep networks page's tabs."""
OPTIMA_SECTIONS = ("Split, pad, permute", "The critical width m*")
"""The All global optima page's tabs."""
OPTIMUM_SECTIONS = ("Why it is optimal", "The neurons", "Export and import")
"""The Global optimum page's tabs below its figure."""
PAGE_PLAYGROUND = ""
"""The Playground is the default page: Streamlit serves it at the root, its url path is ""."""


@dataclass(frozen=True)
class Setting:
    """One setting: ``kind`` is int, float, bool, str (one of ``choices``) or list (a subset of
    ``choices``) or tuple (a range ``(low, high)`` of whole numbers in [lo, hi]); ``lo``/``hi``
    bound numbers; ``digits`` rounds floats read from a link."""

    name: str
    kind: type
    default: object
    lo: float | None = None
    hi: float | None = None
    choices: tuple | None = None
    url: bool = True
    digits: int | None = None
    page: str | None = None  # the url path of the page that owns it (None: shared)
    bound: str | None = None  # what the current data limit (e.g. "patterns"): checked by within_data

    def parse(self, text: str):
        """The value of a URL text (raises ``ValueError`` saying what is wrong)."""
        text = str(text).strip()
        if len(text) > MAX_TEXT:
            raise ValueError(f"longer than {MAX_TEXT} characters")
        if self.kind is bool:
            low = text.lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise ValueError("use true or false")
        if self.kind is list:
            items = [t for t in text.split(",") if t] if text else []
            return [self._choice(t) for t in items]
        if self.kind is tuple:  # a range (lo, hi) of whole numbers
            parts = text.split(",")
            if len(parts) != 2:
                raise ValueError("use two numbers: low,high")
            lo, hi = (Setting(self.name, int, 0, self.lo, self.hi)._number(t) for t in parts)
            if lo > hi:
                raise ValueError("the low end is above the high end")
            return (lo, hi)
        if self.choices is not None:
            return self._choice(text)
        if self.kind in (int, float):
            return self._number(text)
        return text

    def _choice(self, text: str):
        for c in self.choices:
            if text == str(c):
                return c
        shown = ", ".join(map(str, self.choices[:12])) + (", …" if len(self.choices) > 12 else "")
        raise ValueError(f"use one of {shown}")

    def _number(self, text: str):
        try:
            value = float(text)  # bounded text: never huge work, and no int() of infinity
        except ValueError:
            raise ValueError("not a number") from None
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        if not self.lo <= value <= self.hi:
            raise ValueError(f"must lie in [{self.lo:g}, {self.hi:g}]")
        if self.kind is int:
            if value != math.floor(value):
                raise ValueError("not a whole number")
            return int(value)
        return round(value, self.digits) if self.digits is not None else value

    def valid(self, value) -> bool:
        """Whether a value held in session state is one this setting accepts."""
        if isinstance(value, bool) != (self.kind is bool):
            return False
        try:
            parsed = self.parse(self.to_url(value))
        except (ValueError, TypeError):
            return False
        if self.kind is float and isinstance(value, (int, float)):
            return math.isclose(parsed, value, rel_tol=1e-9, abs_tol=1e-12)
        return parsed == value

    def to_url(self, value) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (list, tuple)):
            return ",".join(map(str, value))  # a tuple of numbers: the range "low,high"
        if isinstance(value, float):
            return repr(value)
        return str(value)


def _int(name, default, lo, hi, **kw) -> Setting:
    return Setting(name, int, default, lo, hi, **kw)


def _float(name, default, lo, hi, **kw) -> Setting:
    return Setting(name, float, default, lo, hi, **kw)


def _choice(name, default, choices, **kw) -> Setting:
    return Setting(name, type(default), default, choices=tuple(choices), **kw)


def _flag(name, default, **kw) -> Setting:
    return Setting(name, bool, default, **kw)


ARR_K_CHOICES = (100, 300, 1000, 3000, 10_000, 30_000, 100_000)
MAX_PATTERN_NUMBER = MAX_POINTS**2
"""Cap of a pattern number in a link (n^2 - n + 2 patterns for n points in the plane)."""
MAX_PICK = 10_000
"""Cap of a neuron or run index in a link (the page checks it against what it shows)."""

SCHEMA: dict[str, Setting] = {s.name: s for s in (
    # the data and the experiment (every page)
    _choice("preset", "moons", PRESETS),
    _int("n", 40, *N_RANGE),
    _float("noise", 0.1, 0.0, 0.5, digits=2),
    _int("seed", 0, 0, 1_000_000),
    _float("test", 0.0, *TEST_RANGE, digits=2),
    _float("beta", 0.1, *BETA_RANGE),
    _choice("loss", "squared", LOSSES),
    _choice("program", "exact", PROGRAMS),
    _flag("prune", True),
    _choice("patterns", "exact", PATTERN_SOURCES),
    _int("optimum_samples", 500, 10, 20_000),
    # Lasso path
    _int("path_n_betas", 25, 20, 50, page=PAGE_PATH),
    # Arrangements
    _choice("arr_tab", "All patterns", ("All patterns", "Sphere", "Sampling"), page=PAGE_PATTERNS),
    _choice("arr_bias", "auto", ("auto", "with", "without"), page=PAGE_PATTERNS),
    _int("arr_theta", 30, 0, 359, page=PAGE_PATTERNS),
    _choice("arr_dir", "right", ("right", "left"), page=PAGE_PATTERNS),
    _float("arr_offset", 0.0, -1.0, 1.0, digits=2, page=PAGE_PATTERNS),
    _choice("arr_anim", "rotate", ("rotate", "shift"), page=PAGE_PATTERNS),
    _choice("arr_kmax", 10_000, ARR_K_CHOICES, page=PAGE_PATTERNS),
    _int("arr_seeds", 5, 1, 10, page=PAGE_PATTERNS),
    _flag("arr_mirror", False, page=PAGE_PATTERNS),
    _flag("arr_sketch", False, page=PAGE_PATTERNS),
    _int("arr_goto", 1, 1, MAX_PATTERN_NUMBER, page=PAGE_PATTERNS, bound="patterns"),
    # Geometric algebra
    _int("ga_i", 0, 0, MAX_POINTS - 1, page=PAGE_GEOMETRY, bound="points"),
    _int("ga_j", 1, 0, MAX_POINTS - 1, page=PAGE_GEOMETRY, bound="points"),
    _int("ga_k", 2, 0, MAX_POINTS - 1, page=PAGE_GEOMETRY, bound="points"),
    _flag("ga_flip", False, page=PAGE_GEOMETRY),
    Setting("ga_three", list, [0, 1, 2], choices=tuple(range(10)), page=PAGE_GEOMETRY),  # of 10 points in 3-D
    _choice("ga_variant", tuple(ga_lasso.VARIANTS)[0], tuple(ga_lasso.VARIANTS), page=PAGE_GEOMETRY),
    _choice("ga_section", GA_SECTIONS[0], GA_SECTIONS, page=PAGE_GEOMETRY),
)}
"""Every setting, by name (a page's own settings included: a link is read before its page runs)."""

REAL_DATA_SOURCES = ("Digits: two classes", "Digits: one-vs-rest", "Breast cancer", "Upload a file",
                     "Sentences")
DEEP_SCALES = (0.25, 0.5, 1.0, 1.5)
PAGE_SETTINGS = (
    # AdamW vs convex
    _choice("adamw_data", "Spiral (160 points)", ("Spiral (160 points)", "Current data"), page="adamw"),
    Setting("adamw_lrs", list, [0.1, 0.01, 0.001], choices=(0.1, 0.01, 0.001), page="adamw"),
    _float("adamw_beta", 5e-4, 1e-6, 10.0, page="adamw"),
    Setting("adamw_methods", list, ["gaussian", "geometric"], choices=PATTERN_SOURCES, page="adamw"),
    _int("adamw_width", 200, 1, 400, page="adamw"),
    _int("adamw_epochs", 1000, 10, 10_000, page="adamw"),
    _float("adamw_wd", 1e-3, 0.0, 1.0, page="adamw"),
    _int("adamw_seed", 0, 0, 10_000, page="adamw"),
    _flag("adamw_intercept", True, page="adamw"),
    _int("adamw_samples", 200, 20, 400, page="adamw"),
    # the AdamW run to animate (-1: the most accurate one, the first view)
    _int("adamw_animate", -1, -1, MAX_PICK - 1, page="adamw", bound="runs"),
    _choice("adamw_section", ADAMW_SECTIONS[0], ADAMW_SECTIONS, page="adamw"),
    # Stationary points (the examples are ui.landscape.PRESETS, in this order)
    _choice("stationary_preset", "V4.2: 30 random points",
            ("V4.2: 30 random points", "V4.1: X = I₂, y = (1, 1)", "Spiral (160 points), small widths",
             "Current data"), page="stationary"),
    _choice("stationary_third", "training start", ("training start", "random direction"), page="stationary"),
    # the run shown beside the optimum (-1: the first view, the worst run)
    _int("stationary_run", -1, -1, MAX_PICK - 1, page="stationary", bound="runs"),
    _choice("stationary_section", STATIONARY_SECTIONS[0], STATIONARY_SECTIONS, page="stationary"),
    # All global optima
    _int("optima_copies", 3, 1, 5, page=PAGE_OPTIMA),
    _int("optima_zeros", 1, 0, 5, page=PAGE_OPTIMA),
    _flag("optima_shuffle", True, page=PAGE_OPTIMA),
    _int("optima_seed", 0, 0, 10_000, page=PAGE_OPTIMA),
    _choice("optima_optimizer", "adam", ("adam", "gd"), page=PAGE_OPTIMA),
    _choice("optima_epochs", 2000, (1000, 2000, 4000, 8000, 16000), page=PAGE_OPTIMA),
    _int("optima_restarts", 2, 1, 5, page=PAGE_OPTIMA),
    # -1: the neuron of largest weight (the first view); a pick is its index
    _int("optima_neuron", -1, -1, MAX_PICK - 1, page=PAGE_OPTIMA, bound="neurons"),
    _choice("optima_section", OPTIMA_SECTIONS[0], OPTIMA_SECTIONS, page=PAGE_OPTIMA),
    # Global optimum: the neuron whose active side is shaded (-1: none)
    _int("optimum_highlight", -1, -1, MAX_PICK - 1, page=PAGE_OPTIMUM, bound="neurons"),
    _choice("optimum_section", OPTIMUM_SECTIONS[0], OPTIMUM_SECTIONS, page=PAGE_OPTIMUM),
    # Neural recovery
    Setting("recovery_ds", list, [4, 8], choices=tuple(range(2, 21)), page="neural-recovery"),
    Setting("recovery_programs", list, ["gated", "exact"], choices=("gated", "exact"),
            page="neural-recovery"),
    Setting("recovery_n_range", tuple, (4, 40), 2, 80, page="neural-recovery"),
    _int("recovery_n_step", 4, 1, 20, page="neural-recovery"),
    _int("recovery_slice_d", 8, 2, 20, page="neural-recovery"),  # one of recovery_ds (the page checks)
    _int("recovery_trials", 4, 1, 50, page="neural-recovery"),
    _choice("recovery_planted", "gaussian", ("gaussian", "smallest"), page="neural-recovery"),
    _choice("recovery_all_ones", "reference", ("reference", "never"), page="neural-recovery"),
    _int("recovery_nic_n", 30, 2, 200, page="neural-recovery"),
    _int("recovery_nic_d", 10, 1, 40, page="neural-recovery"),
    _int("recovery_nic_seed", 0, 0, 10_000, page="neural-recovery"),
    _choice("recovery_nic_program", "gated", ("gated", "exact"), page="neural-recovery"),
    _choice("recovery_section", RECOVERY_SECTIONS[0], RECOVERY_SECTIONS, page="neural-recovery"),
    # Deep networks
    _int("deep_L", 3, 2, 8, page="deep"),
    _float("deep_s1", 4.0, 0.1, 5.0, digits=2, page="deep"),
    _float("deep_s2", 1.0, 0.0, 5.0, digits=2, page="deep"),
    _float("deep_s3", 0.0, 0.0, 5.0, digits=2, page="deep"),
    _int("deep_gd_L", 4, 2, 6, page="deep"),
    _float("deep_gd_beta", 0.1, 0.001, 1.0, page="deep"),
    Setting("deep_gd_scales", list, [0.5, 1.0], choices=DEEP_SCALES, page="deep"),
    _choice("deep_gd_steps", 5000, (1000, 2000, 5000, 10000, 20000), page="deep"),
    _choice("deep_section", DEEP_SECTIONS[0], DEEP_SECTIONS, page="deep"),
    # Complexity
    _int("complexity_seed", 0, 0, 1000, page="complexity-theory"),
    _flag("complexity_bias", False, page="complexity-theory"),
    _choice("complexity_lambda", "residual", ("residual", "random"), page="complexity-theory"),
    _choice("complexity_section", COMPLEXITY_SECTIONS[0], COMPLEXITY_SECTIONS, page="complexity-theory"),
    # Real data
    _choice("real_data_source", REAL_DATA_SOURCES[0], REAL_DATA_SOURCES, page="real-data"),
    _choice("real_data_digit_a", 3, tuple(range(10)), page="real-data"),
    _choice("real_data_digit_b", 8, tuple(range(10)), page="real-data"),
    Setting("real_data_digits_ovr", list, [0, 1, 2, 3, 4], choices=tuple(range(10)), page="real-data"),
    _float("real_data_test", 0.5, 0.1, 0.9, digits=2, page="real-data"),
    _choice("real_data_standardize", "standard", ("none", "standard", "minmax", "unit"), page="real-data"),
    Setting("real_data_methods", list, ["convex_gated", "adamw"],
            choices=("convex_gated", "convex_exact", "adamw"), page="real-data"),
    Setting("real_data_ks", list, [50], choices=(10, 20, 50, 100, 200, 400), page="real-data"),
    _choice("real_data_sampling", "gaussian", ("gaussian", "geometric"), page="real-data"),
    _int("real_data_sketch", 0, 0, 1000, page="real-data"),
    _int("real_data_seeds", 1, 1, 10, page="real-data"),
    _int("real_data_epochs", 20, 1, 200, page="real-data"),
    _int("real_data_batch", 20, 1, 1000, page="real-data"),
    _flag("real_data_sizes", False, page="real-data"),
    _int("real_data_max_train", 2000, 20, 50_000, page="real-data"),
    _choice("real_data_tol", 1e-4, (1e-6, 1e-5, 1e-4, 1e-3), page="real-data"),
)
SCHEMA.update({s.name: s for s in PAGE_SETTINGS})

# Playground: the AdamW beside the optimum, and the classroom flags ``<control>_hide=true``
# (TensorFlow Playground's convention) that a lesson link sets to hide controls
PLAYGROUND_LRS = (1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
PLAYGROUND_HIDEABLE = {"mode": "click mode", "beta": "β", "loss": "loss", "program": "program",
                       "edit": "undo/clear", "neurons": "neuron thumbnails", "adamw": "AdamW",
                       "link": "lesson link"}
"""The controls a lesson link can hide, by the name of their flag ``<name>_hide``."""
HIDE = "_hide"
PLAYGROUND_SETTINGS = (
    _int("pg_width", 20, 1, 100, page=PAGE_PLAYGROUND),
    _choice("pg_lr", 1e-2, PLAYGROUND_LRS, page=PAGE_PLAYGROUND),
    *(_flag(name + HIDE, False, page=PAGE_PLAYGROUND) for name in PLAYGROUND_HIDEABLE),
)
SCHEMA.update({s.name: s for s in PLAYGROUND_SETTINGS})

SETTING_NAMES = ("preset", "n", "noise", "seed", "test", "beta", "loss", "program", "prune", "patterns")
DATA_SETTINGS = ("preset", "n", "noise", "seed", "test")
POINTS = "pts"
"""URL parameter of compact points (see :mod:`ui.url`)."""
RESERVED = ("embed", "embed_options")
"""URL parameters Streamlit itself reads."""


def default(name: str):
    value = SCHEMA[name].default
    return list(value) if isinstance(value, list) else value


def value(name: str):
    """The current value of a setting (its default when missing or invalid)."""
    s = SCHEMA[name]
    v = st.session_state.get(name, s.default)
    return v if s.valid(v) else default(name)


def within_data(name: str, count: int, what: str, fallback=None):
    """The value of a data-dependent setting, checked against the current data when the page
    reads it (before its widget is made).

    The current data have ``count`` things to pick (``what``, e.g. "patterns"): numbers 1..count
    for a setting whose low end is 1 (a pattern number D_k), indices 0..count-1 otherwise, and
    -1 as well where the low end is -1 (its "none" or automatic choice). A value outside (from a
    link, or kept from other data) is a message naming the setting and the value, and
    ``fallback`` (default: the setting's default) is used and kept. Returns the value.
    """
    from ui import messages  # messages sit above the schema in the UI layer

    s = SCHEMA[name]
    ss = st.session_state
    fallback = default(name) if fallback is None else fallback
    v = ss.get(name, fallback)
    first = 1 if s.lo == 1 else 0
    top = first + int(count) - 1
    if not s.valid(v):
        v = ss[name] = fallback
    elif not (first <= v <= top or (v == -1 and s.lo == -1)):
        allowed = f"{first}..{top}" if top >= first else "none"
        messages.flash("warning", f"The setting {name} = {s.to_url(v)} is out of range for the current "
                                  f"data ({count} {what}: {allowed}); using {s.to_url(fallback)}.", keep=True)
        v = ss[name] = fallback
    return v


def bounded_settings() -> tuple[str, ...]:
    """The settings whose range depends on the current data (checked by :func:`within_data`)."""
    return tuple(name for name, s in SCHEMA.items() if s.bound is not None)


def write_defaults() -> None:
    """Give every setting of the schema a valid value in session state (idempotent)."""
    ss = st.session_state
    for name, s in SCHEMA.items():
        if name not in ss or not s.valid(ss[name]):
            ss[name] = default(name)


@dataclass(frozen=True)
class Settings:
    """The experiment settings shared by every page."""

    preset: str
    n: int
    noise: float
    seed: int
    beta: float
    loss: str
    program: str
    prune: bool
    test: float = 0.0
    patterns: str = "exact"
    samples: int = 500

    def data_key(self) -> tuple:
        return (self.preset, self.n, self.noise, self.seed, self.test)


def settings() -> Settings:
    """The current experiment settings (defaults where a value is missing or invalid)."""
    v = {name: value(name) for name in SETTING_NAMES}
    return Settings(v["preset"], v["n"], v["noise"], v["seed"], v["beta"], v["loss"], v["program"],
                    v["prune"], v["test"], v["patterns"], value("optimum_samples"))


DEFAULTS = {name: SCHEMA[name].default for name in (*SETTING_NAMES, "optimum_samples")}
"""The shared settings' defaults: the app opens on the moons (40 points) solved at β = 0.1."""
