"""Tests for mlp_lab.data: xor, one_hot, train_val_split and the MNIST loader.

The loader is tested on small IDX files written here. No test touches the network: an autouse
fixture replaces ``data.fetch_url`` with one that fails the test, and tests that exercise the
downloader install their own fake. The real MNIST folder is used when $MLP_LAB_MNIST_DIR is set.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tracemalloc
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from mlp_lab import data

REAL_MNIST_DIR = os.environ.get(data.MNIST_ENV_VAR)  # read before the fixture below clears it
REAL_FETCH_URL = data.fetch_url
TRAIN_IMAGES, TRAIN_LABELS = data.FILES["train"]
TEST_IMAGES, TEST_LABELS = data.FILES["test"]


# ---------------------------------------------------------------------------- helpers

def idx_bytes(array: np.ndarray, magic: bytes | None = None) -> bytes:
    """The IDX encoding of a uint8 array: 0x0000 08 <ndim>, big-endian uint32 dims, then the data."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    magic = magic if magic is not None else bytes([0, 0, 8, array.ndim])
    return magic + np.array(array.shape, dtype=">u4").tobytes() + array.tobytes()


def write_idx(path: Path, array: np.ndarray, *, magic: bytes | None = None, cut: int = 0,
              extra: bytes = b"") -> Path:
    """Write ``array`` as an IDX file (gzip-compressed if the name ends in .gz), optionally damaged."""
    raw = idx_bytes(array, magic)
    raw = (raw[:len(raw) - cut] if cut else raw) + extra
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(raw, mtime=0) if path.suffix == ".gz" else raw)
    return path


def make_split(folder: Path, split: str = "train", n: int = 5, seed: int = 0, gz: bool = True):
    """Write a random ``split`` of n images into folder; return (images uint8 (n,28,28), labels uint8)."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255  # both ends of the pixel range
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    image_name, label_name = data.FILES[split]
    if not gz:
        image_name, label_name = image_name[:-3], label_name[:-3]
    write_idx(folder / image_name, images)
    write_idx(folder / label_name, labels)
    return images, labels


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def trust(monkeypatch, folder: Path, split: str = "train") -> None:
    """Make the files of ``split`` in folder the 'official' ones (patch the SHA-256 table)."""
    for name in data.FILES[split]:
        monkeypatch.setitem(data.SHA256, name, sha256(folder / name))


class FakeMirror:
    """A stand-in for ``fetch_url`` serving files from a folder; records every URL asked for.

    fail_first: the first mirror raises (a dead mirror). cut_after: write that many bytes, then
    raise ``error`` (an interrupted download).
    """

    def __init__(self, folder: Path, *, fail_first: bool = False, cut_after: int | None = None,
                 error: BaseException | None = None):
        self.folder, self.fail_first, self.cut_after = folder, fail_first, cut_after
        self.error = error or ConnectionResetError("connection reset by peer")
        self.urls: list[str] = []

    def __call__(self, url, out, timeout=data.DOWNLOAD_TIMEOUT):
        self.urls.append(url)
        if self.fail_first and url.startswith(data.MIRRORS[0]):
            raise urllib.error.URLError("mirror is down")
        body = (self.folder / url.rsplit("/", 1)[1]).read_bytes()
        if self.cut_after is not None:
            out.write(body[:self.cut_after])
            raise self.error
        out.write(body)


def cache_contents(cache: Path) -> list[str]:
    return sorted(os.listdir(cache)) if cache.exists() else []


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No env var, a private cache folder, no network, and no arrays remembered from other tests."""
    monkeypatch.delenv(data.MNIST_ENV_VAR, raising=False)
    monkeypatch.setenv(data.CACHE_ENV_VAR, str(tmp_path / "cache_root"))

    def no_network(url, out, timeout=None):
        pytest.fail(f"the loader tried to download {url} in a test that should not touch the network")

    monkeypatch.setattr(data, "fetch_url", no_network)
    data._read_idx.cache_clear()
    data._sha256_cached.cache_clear()
    yield
    data._read_idx.cache_clear()
    data._sha256_cached.cache_clear()


@pytest.fixture
def cache(tmp_path) -> Path:
    return tmp_path / "cache_root" / "mnist"


# ---------------------------------------------------------------------------- xor, one_hot, split

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_xor_is_the_truth_table(dtype):
    X, y = data.xor(dtype)
    assert X.shape == (4, 2) and y.shape == (4, 1)
    assert X.dtype == dtype and y.dtype == dtype
    assert sorted(map(tuple, X.tolist())) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    np.testing.assert_array_equal(y[:, 0], np.logical_xor(X[:, 0], X[:, 1]))


def test_xor_refuses_integer_dtype():
    with pytest.raises(ValueError, match="floating"):
        data.xor(np.int64)


def test_one_hot_values_and_dtype():
    y = np.array([2, 0, 1, 2, 4])
    Y = data.one_hot(y, 5)
    assert Y.shape == (5, 5) and Y.dtype == np.float32
    np.testing.assert_array_equal(Y.argmax(axis=1), y)
    np.testing.assert_array_equal(Y.sum(axis=1), np.ones(5))
    assert data.one_hot([1, 0], 2, dtype=np.float64).dtype == np.float64
    assert data.one_hot(np.array([], dtype=np.int64), 3).shape == (0, 3)


@pytest.mark.parametrize("y, n_classes, message", [
    ([0, 3], 3, r"0\.\.2"),
    ([-1, 0], 3, r"0\.\.2"),
    ([0.0, 1.0], 3, "integers"),
    ([[0, 1, 0]], 3, "one-hot"),
    ([[1], [2]], 3, "reshape"),
    ([0, 1], 0, "positive integer"),
    ([0, 1], 2.5, "positive integer"),
])
def test_one_hot_rejects_bad_labels(y, n_classes, message):
    with pytest.raises(ValueError, match=message):
        data.one_hot(y, n_classes)


def test_train_val_split_is_a_reproducible_partition():
    X = np.arange(100, dtype=np.float32).reshape(50, 2)
    y = np.arange(50)
    X_train, y_train, X_val, y_val = data.train_val_split(X, y, 10, rng=3)
    assert len(X_val) == len(y_val) == 10 and len(X_train) == len(y_train) == 40
    np.testing.assert_array_equal(X_train[:, 0] // 2, y_train)  # rows stay paired with labels
    np.testing.assert_array_equal(X_val[:, 0] // 2, y_val)
    np.testing.assert_array_equal(np.sort(np.concatenate([y_train, y_val])), y)  # disjoint, complete
    assert np.all(np.diff(y_train) > 0) and np.all(np.diff(y_val) > 0)  # original order kept
    again = data.train_val_split(X, y, 10, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(again[3], y_val)
    other = data.train_val_split(X, y, 10, rng=4)
    assert not np.array_equal(other[3], y_val)


@pytest.mark.parametrize("n_val", [0, 50, 51, -1, 2.5])
def test_train_val_split_rejects_bad_sizes(n_val):
    with pytest.raises(ValueError, match="n_val"):
        data.train_val_split(np.zeros((50, 2)), np.zeros(50), n_val)


def test_train_val_split_rejects_mismatched_rows():
    with pytest.raises(ValueError, match="50 rows but y has 49"):
        data.train_val_split(np.zeros((50, 2)), np.zeros(49), 5)


# ---------------------------------------------------------------------------- reading IDX files

def test_load_from_folder_argument(tmp_path):
    images, labels = make_split(tmp_path / "mnist", "test", n=7)
    X, y = data.load_mnist("test", tmp_path / "mnist", download=False)
    assert X.shape == (7, 784) and X.dtype == np.float32
    assert y.shape == (7,) and y.dtype == np.int64
    np.testing.assert_array_equal(X, images.reshape(7, 784).astype(np.float32) / np.float32(255))
    np.testing.assert_array_equal(y, labels)
    assert X.min() == 0.0 and X.max() == 1.0


def test_unflattened_and_float64(tmp_path):
    images, _ = make_split(tmp_path, "train", n=3)
    X, _ = data.load_mnist("train", str(tmp_path), flatten=False, dtype=np.float64)
    assert X.shape == (3, 28, 28) and X.dtype == np.float64
    np.testing.assert_allclose(X, images / 255.0, rtol=0, atol=1e-15)


def test_conversion_allocates_only_the_float32_result(tmp_path):
    """uint8 -> float32 in one step: a float64 temporary would triple the peak memory."""
    make_split(tmp_path, "train", n=300)
    data.load_mnist("train", tmp_path)  # the decoded files are now remembered in memory
    tracemalloc.start()
    try:
        X, _ = data.load_mnist("train", tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert X.nbytes <= peak < 1.5 * X.nbytes, f"peak {peak} bytes for a {X.nbytes}-byte result"


def test_each_call_returns_fresh_writable_arrays(tmp_path):
    make_split(tmp_path, "train", n=4)
    X, y = data.load_mnist("train", tmp_path)
    X[:] = -1.0
    y[:] = 99
    X2, y2 = data.load_mnist("train", tmp_path)
    assert X2.min() >= 0.0 and y2.max() <= 9
    assert data._read_idx.cache_info().hits >= 2  # the second call did not re-read the files


def test_rewritten_file_is_read_again(tmp_path):
    make_split(tmp_path, "train", n=4, seed=0)
    assert len(data.load_mnist("train", tmp_path)[0]) == 4
    make_split(tmp_path, "train", n=6, seed=1)
    assert len(data.load_mnist("train", tmp_path)[0]) == 6


def test_uncompressed_idx_files_are_accepted(tmp_path):
    images, labels = make_split(tmp_path, "test", n=3, gz=False)
    X, y = data.load_mnist("test", tmp_path)
    np.testing.assert_array_equal(X.reshape(3, 28, 28) * 255, images.astype(np.float32))
    np.testing.assert_array_equal(y, labels)


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match="'train' or 'test'"):
        data.load_mnist("validation", tmp_path)
    with pytest.raises(ValueError, match="floating"):
        data.load_mnist("train", tmp_path, dtype=np.uint8)


def _damage(folder: Path, name: str, array: np.ndarray, **how) -> Path:
    make_split(folder, "train", n=5)
    return write_idx(folder / name, array, **how)


RNG = np.random.default_rng(1)
GOOD_IMAGES = RNG.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
GOOD_LABELS = RNG.integers(0, 10, size=5, dtype=np.uint8)


@pytest.mark.parametrize("name, array, how, message", [
    (TRAIN_IMAGES, GOOD_IMAGES, {"magic": b"\x00\x00\x08\x01"}, "is 0x00000801, expected 0x00000803"),
    (TRAIN_IMAGES, GOOD_IMAGES, {"magic": b"\x1f\x00\x08\x03"}, "magic number"),
    (TRAIN_LABELS, GOOD_LABELS, {"magic": b"\x00\x00\x0d\x01"}, "unsigned bytes"),  # float data
    (TRAIN_LABELS, GOOD_IMAGES, {}, "expected 0x00000801"),  # images where labels belong
    (TRAIN_IMAGES, np.zeros((5, 27, 28), np.uint8), {}, "27x28 pixels"),
    (TRAIN_IMAGES, GOOD_IMAGES, {"cut": 100}, "truncated"),
    (TRAIN_IMAGES, np.zeros((0,), np.uint8), {"magic": b"", "cut": 4}, "magic number is missing"),
    (TRAIN_LABELS, GOOD_LABELS, {"cut": 1}, "truncated"),
    (TRAIN_IMAGES, GOOD_IMAGES, {"extra": b"\x00" * 3}, "extra bytes"),
    (TRAIN_LABELS, np.zeros(4, np.uint8), {}, "holds 5 images but .* holds 4 labels"),
    (TRAIN_LABELS, np.array([1, 2, 10, 3, 4], np.uint8), {}, "label 10"),
])
def test_bad_files_get_an_error_naming_them(tmp_path, name, array, how, message):
    bad = _damage(tmp_path, name, array, **how)
    with pytest.raises(ValueError, match=message) as info:
        data.load_mnist("train", tmp_path, download=False)
    assert str(bad) in str(info.value)


def test_cut_gzip_stream_is_reported(tmp_path):
    make_split(tmp_path, "train", n=5)
    path = tmp_path / TRAIN_IMAGES
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(ValueError, match="not a valid gzip file") as info:
        data.load_mnist("train", tmp_path, download=False)
    assert str(path) in str(info.value)


def test_file_that_is_not_gzip_is_reported(tmp_path):
    make_split(tmp_path, "train", n=5)
    (tmp_path / TRAIN_LABELS).write_bytes(idx_bytes(GOOD_LABELS))  # raw IDX under a .gz name
    with pytest.raises(ValueError, match=f"{TRAIN_LABELS} is not a valid gzip file"):
        data.load_mnist("train", tmp_path, download=False)


def test_bad_file_in_env_folder_is_an_error_not_skipped(tmp_path, monkeypatch):
    make_split(tmp_path / "env", "train", n=5)
    (tmp_path / "env" / TRAIN_IMAGES).write_bytes(b"garbage")
    make_split(tmp_path / "cache_root" / "mnist", "train", n=5)
    trust(monkeypatch, tmp_path / "cache_root" / "mnist")
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(tmp_path / "env"))
    with pytest.raises(ValueError, match="env/train-images"):
        data.load_mnist("train")


# ---------------------------------------------------------------------------- where it looks

def test_precedence_argument_env_cache_download(tmp_path, monkeypatch, cache):
    make_split(tmp_path / "arg", "train", n=3)
    make_split(tmp_path / "env", "train", n=4)
    make_split(tmp_path / "mirror", "train", n=6)
    trust(monkeypatch, tmp_path / "mirror")
    cache.mkdir(parents=True)
    for name in data.FILES["train"]:  # the cache holds a verified earlier download
        (cache / name).write_bytes((tmp_path / "mirror" / name).read_bytes())
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(tmp_path / "env"))

    assert len(data.load_mnist("train", tmp_path / "arg")[0]) == 3
    assert len(data.load_mnist("train")[0]) == 4
    monkeypatch.delenv(data.MNIST_ENV_VAR)
    assert len(data.load_mnist("train")[0]) == 6  # from the cache: fetch_url would fail the test

    for name in data.FILES["train"]:
        (cache / name).unlink()
    mirror = FakeMirror(tmp_path / "mirror")
    monkeypatch.setattr(data, "fetch_url", mirror)
    assert len(data.load_mnist("train")[0]) == 6
    assert mirror.urls == [data.MIRRORS[0] + name for name in data.FILES["train"]]
    assert cache_contents(cache) == sorted(data.FILES["train"])


def test_incomplete_folder_argument_is_an_error_not_a_fall_through(tmp_path, monkeypatch):
    make_split(tmp_path / "arg", "train", n=3)
    (tmp_path / "arg" / TRAIN_LABELS).unlink()
    make_split(tmp_path / "env", "train", n=4)
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(tmp_path / "env"))
    with pytest.raises(FileNotFoundError, match=f"folder=.*missing {TRAIN_LABELS}"):
        data.load_mnist("train", tmp_path / "arg")


def test_incomplete_env_folder_falls_through_to_the_cache(tmp_path, monkeypatch):
    make_split(tmp_path / "env", "test", n=3)
    (tmp_path / "env" / TEST_LABELS).unlink()
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(tmp_path / "env"))
    make_split(tmp_path / "mine", "test", n=2)
    trust(monkeypatch, tmp_path / "mine", "test")
    assert len(data.load_mnist("test", cache_dir=tmp_path / "mine", download=False)[0]) == 2


def test_cache_folder_location(tmp_path, monkeypatch):
    assert data.mnist_cache_dir() == tmp_path / "cache_root" / "mnist"
    assert data.mnist_cache_dir(tmp_path / "x") == tmp_path / "x"
    monkeypatch.delenv(data.CACHE_ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data.mnist_cache_dir() == tmp_path / "xdg" / "mlp_lab" / "mnist"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data.mnist_cache_dir() == tmp_path / "home" / ".cache" / "mlp_lab" / "mnist"


def test_cache_dir_argument_is_used(tmp_path, monkeypatch):
    make_split(tmp_path / "mine", "test", n=2)
    trust(monkeypatch, tmp_path / "mine", "test")
    assert len(data.load_mnist("test", cache_dir=tmp_path / "mine", download=False)[0]) == 2


def test_offline_error_lists_every_place(tmp_path, monkeypatch, cache):
    (tmp_path / "arg").mkdir()
    make_split(tmp_path / "arg", "train", n=2)  # the wrong split: test files are missing
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(tmp_path / "nowhere"))

    def offline(url, out, timeout=None):
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(data, "fetch_url", offline)
    with pytest.raises(FileNotFoundError) as info:
        data.load_mnist("test")
    message = str(info.value)
    for expected in ["folder argument: not given",
                     f"${data.MNIST_ENV_VAR} {tmp_path / 'nowhere'}: folder does not exist",
                     f"cache {cache}: missing {TEST_IMAGES}",
                     data.MIRRORS[0] + TEST_IMAGES, data.MIRRORS[1] + TEST_IMAGES,
                     "Name or service not known", f"set the environment variable {data.MNIST_ENV_VAR}"]:
        assert expected in message
    assert cache_contents(cache) == []


def test_download_false_never_fetches(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"(?s)not given.*not set.*download=False"):
        data.load_mnist("train", download=False)  # fetch_url would fail the test


# ---------------------------------------------------------------------------- downloading

def test_download_verifies_and_caches(tmp_path, monkeypatch, cache):
    images, labels = make_split(tmp_path / "mirror", "test", n=5)
    trust(monkeypatch, tmp_path / "mirror", "test")
    mirror = FakeMirror(tmp_path / "mirror")
    monkeypatch.setattr(data, "fetch_url", mirror)
    X, y = data.load_mnist("test")
    np.testing.assert_array_equal(y, labels)
    assert cache_contents(cache) == sorted(data.FILES["test"])  # no .part left behind
    for name in data.FILES["test"]:
        assert sha256(cache / name) == data.SHA256[name]
    monkeypatch.setattr(data, "fetch_url", FakeMirror(tmp_path / "nothing-here"))
    np.testing.assert_array_equal(data.load_mnist("test")[0], X)  # second time: from the cache


def test_dead_mirror_falls_back_to_the_next(tmp_path, monkeypatch, cache):
    _, labels = make_split(tmp_path / "mirror", "test", n=5)
    trust(monkeypatch, tmp_path / "mirror", "test")
    mirror = FakeMirror(tmp_path / "mirror", fail_first=True)
    monkeypatch.setattr(data, "fetch_url", mirror)
    np.testing.assert_array_equal(data.load_mnist("test")[1], labels)
    assert mirror.urls[:2] == [data.MIRRORS[0] + TEST_IMAGES, data.MIRRORS[1] + TEST_IMAGES]


def test_checksum_mismatch_keeps_nothing(tmp_path, monkeypatch, cache):
    make_split(tmp_path / "mirror", "test", n=5)
    expected = "0" * 64
    monkeypatch.setitem(data.SHA256, TEST_IMAGES, expected)
    monkeypatch.setattr(data, "fetch_url", FakeMirror(tmp_path / "mirror"))
    with pytest.raises(ValueError, match="checksum") as info:
        data.load_mnist("test")
    message = str(info.value)
    assert TEST_IMAGES in message and expected in message
    assert sha256(tmp_path / "mirror" / TEST_IMAGES) in message
    assert cache_contents(cache) == []
    with pytest.raises(FileNotFoundError, match=f"missing {TEST_IMAGES}"):
        data.load_mnist("test", download=False)


@pytest.mark.parametrize("error", [ConnectionResetError("reset by peer"), TimeoutError("timed out")])
def test_interrupted_download_leaves_nothing_trusted(tmp_path, monkeypatch, cache, error):
    make_split(tmp_path / "mirror", "test", n=5)
    trust(monkeypatch, tmp_path / "mirror", "test")
    mirror = FakeMirror(tmp_path / "mirror", cut_after=200, error=error)
    monkeypatch.setattr(data, "fetch_url", mirror)
    with pytest.raises(FileNotFoundError, match=str(error)):
        data.load_mnist("test")
    assert len(mirror.urls) == len(data.MIRRORS)  # each mirror tried once, then it gave up
    assert cache_contents(cache) == []
    with pytest.raises(FileNotFoundError):
        data.load_mnist("test", download=False)


def test_keyboard_interrupt_during_download_removes_the_partial_file(tmp_path, monkeypatch, cache):
    make_split(tmp_path / "mirror", "test", n=5)
    trust(monkeypatch, tmp_path / "mirror", "test")
    monkeypatch.setattr(data, "fetch_url", FakeMirror(tmp_path / "mirror", cut_after=50,
                                                      error=KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        data.load_mnist("test")
    assert cache_contents(cache) == []


def test_leftover_partial_file_is_never_trusted(tmp_path, monkeypatch, cache):
    make_split(tmp_path / "mirror", "test", n=5)
    trust(monkeypatch, tmp_path / "mirror", "test")
    cache.mkdir(parents=True)
    for name in data.FILES["test"]:  # as if a process had been killed just before os.replace
        (cache / f".{name}.k1ll3d.part").write_bytes((tmp_path / "mirror" / name).read_bytes())
    with pytest.raises(FileNotFoundError, match=f"missing {TEST_IMAGES}"):
        data.load_mnist("test", download=False)


def test_corrupt_cached_file_is_not_used_and_is_replaced(tmp_path, monkeypatch, cache):
    images, _ = make_split(tmp_path / "mirror", "test", n=5)
    trust(monkeypatch, tmp_path / "mirror", "test")
    make_split(cache, "test", n=5, seed=9)  # same structure, wrong content
    with pytest.raises(FileNotFoundError, match=f"{TEST_IMAGES} fails its SHA-256 check"):
        data.load_mnist("test", download=False)
    monkeypatch.setattr(data, "fetch_url", FakeMirror(tmp_path / "mirror"))
    X, _ = data.load_mnist("test")
    np.testing.assert_array_equal(X.reshape(images.shape) * 255, images.astype(np.float32))
    assert cache_contents(cache) == sorted(data.FILES["test"])


def test_real_fetch_url_through_file_urls(tmp_path, monkeypatch, cache):
    """The real urllib path, end to end, with file:// mirrors instead of the network."""
    _, labels = make_split(tmp_path / "mirror", "test", n=5)
    trust(monkeypatch, tmp_path / "mirror", "test")
    monkeypatch.setattr(data, "fetch_url", REAL_FETCH_URL)
    monkeypatch.setattr(data, "MIRRORS", ((tmp_path / "down").as_uri() + "/",
                                          (tmp_path / "mirror").as_uri() + "/"))
    np.testing.assert_array_equal(data.load_mnist("test")[1], labels)
    assert cache_contents(cache) == sorted(data.FILES["test"])


# ---------------------------------------------------------------------------- the real MNIST

needs_real_mnist = pytest.mark.skipif(
    not REAL_MNIST_DIR, reason=f"${data.MNIST_ENV_VAR} is not set; point it at the MNIST folder "
                               "(e.g. ../shared/data/mnist) to test the real files")


@needs_real_mnist
def test_real_mnist_through_the_environment_variable(monkeypatch):
    monkeypatch.setenv(data.MNIST_ENV_VAR, REAL_MNIST_DIR)
    for split, n, mean in [("train", 60000, 0.1307), ("test", 10000, 0.1325)]:
        X, y = data.load_mnist(split, download=False)
        assert X.shape == (n, 784) and X.dtype == np.float32
        assert y.shape == (n,) and y.dtype == np.int64
        assert X.min() == 0.0 and X.max() == 1.0
        assert abs(float(X.mean(dtype=np.float64)) - mean) < 1e-3
        np.testing.assert_array_equal(np.unique(y), np.arange(10))
        levels = X[:1000].astype(np.float64) * 255  # every pixel is k / 255 for an integer k
        np.testing.assert_allclose(levels, np.round(levels), rtol=0, atol=1e-4)


@needs_real_mnist
def test_official_hashes_verify_a_download_of_the_real_test_files(monkeypatch, cache):
    """The shared folder's test files are the official release: a 'download' of them passes the
    real SHA-256 table unchanged, and lands in the cache."""
    monkeypatch.setattr(data, "fetch_url", FakeMirror(Path(REAL_MNIST_DIR)))
    X, y = data.load_mnist("test")
    assert X.shape == (10000, 784) and y.shape == (10000,)
    assert cache_contents(cache) == sorted(data.FILES["test"])
