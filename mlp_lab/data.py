"""Data for the course: XOR, one-hot labels, a reproducible validation split, and MNIST.

MNIST is read from the four IDX ``.gz`` files with gzip and ``np.frombuffer`` only. ``load_mnist``
looks, in order, at: the ``folder`` argument; the folder named by ``$MLP_LAB_MNIST_DIR``; the
per-user cache (``$MLP_LAB_CACHE_DIR/mnist``, else ``$XDG_CACHE_HOME/mlp_lab/mnist``, else
``~/.cache/mlp_lab/mnist``); and otherwise downloads the official files into that cache.

Trust: files in a folder you name are checked structurally (IDX magic number, dimensions, sizes,
image and label counts agree), not by checksum, so a rebuilt copy of MNIST works. Files in the cache
were downloaded by this module and are checked against the official SHA-256 before use. A download
goes to a temporary ``.part`` file in the cache folder, is verified, then renamed with ``os.replace``,
so an interrupted or corrupt download never leaves a file that a later run would trust.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

import numpy as np

MNIST_ENV_VAR = "MLP_LAB_MNIST_DIR"
CACHE_ENV_VAR = "MLP_LAB_CACHE_DIR"

#: Tried in turn; each serves the four official files under their official names.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
DOWNLOAD_TIMEOUT = 30.0  # seconds without data before a mirror is given up

#: split -> (images file, labels file)
FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

#: SHA-256 of the official files, checked for downloads and for files in the cache.
SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

_ROWS = _COLS = 28
_N_CLASSES = 10


# ---------------------------------------------------------------------------- small data sets

def xor(dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """The XOR truth table: y = x1 XOR x2.

    Returns X (4, 2) and y (4, 1), both of ``dtype``, rows (0,0), (0,1), (1,0), (1,1).
    """
    dtype = _float_dtype("xor", dtype)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=dtype)
    y = np.array([[0], [1], [1], [0]], dtype=dtype)
    return X, y


def one_hot(y, n_classes: int, dtype=np.float32) -> np.ndarray:
    """Y[i, y[i]] = 1, every other entry 0.

    y: (N,) integer labels in 0..n_classes-1. Returns Y (N, n_classes) of ``dtype``
    (built with zeros and one scatter, so float32 stays float32).
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 1:
        raise ValueError(f"one_hot: n_classes must be a positive integer, got {n_classes!r}.")
    dtype = _float_dtype("one_hot", dtype)
    y = np.asarray(y)
    if y.ndim != 1:
        hint = ""
        if y.ndim == 2 and y.shape[1] == 1:
            hint = " Flatten it with y.reshape(-1)."
        elif y.ndim == 2 and y.shape[1] == n_classes:
            hint = " It already looks one-hot encoded."
        raise ValueError(f"one_hot: labels must be a 1-D array of shape (N,), got shape {y.shape}.{hint}")
    if y.size and not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"one_hot: labels must be integers (class indices), got dtype {y.dtype}. "
                         f"Convert them with y.astype(np.int64).")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"one_hot: labels must lie in 0..{n_classes - 1} for n_classes={n_classes}, "
                         f"got values from {y.min()} to {y.max()}.")
    Y = np.zeros((y.shape[0], n_classes), dtype=dtype)
    Y[np.arange(y.shape[0]), y.astype(np.intp, copy=False)] = 1
    return Y


def train_val_split(X: np.ndarray, y: np.ndarray, n_val: int, rng=0):
    """Hold out ``n_val`` random rows: returns ``X_train, y_train, X_val, y_val``.

    X: (N, ...), y: (N, ...). rng: a Generator or a seed; the same seed gives the same split.
    The two parts are disjoint, cover every row once, and keep the original row order.
    """
    if len(X) != len(y):
        raise ValueError(f"train_val_split: X has {len(X)} rows but y has {len(y)}; they must match.")
    n = len(X)
    if isinstance(n_val, bool) or not isinstance(n_val, (int, np.integer)) or not 0 < n_val < n:
        raise ValueError(f"train_val_split: n_val must be an integer between 1 and {n - 1} "
                         f"(the number of rows to hold out of {n}), got {n_val!r}.")
    order = np.random.default_rng(rng).permutation(n)
    val, train = np.sort(order[:n_val]), np.sort(order[n_val:])
    return X[train], y[train], X[val], y[val]


# ---------------------------------------------------------------------------- MNIST

def load_mnist(split: str = "train", folder=None, *, flatten: bool = True, dtype=np.float32,
               download: bool = True, cache_dir=None) -> tuple[np.ndarray, np.ndarray]:
    """MNIST images x = pixel / 255 in [0, 1] and their digit labels.

    split: "train" (60,000 images) or "test" (10,000). folder: a folder holding the IDX files.
    Returns images (N, 784), or (N, 28, 28) with flatten=False, of ``dtype`` (float32 by default;
    converted from uint8 in one step, never through float64), and labels int64 (N,) in 0..9.
    download=False never touches the network. cache_dir overrides the per-user cache folder.
    Both arrays are new on every call (decoded files are kept in memory per process).
    """
    if split not in FILES:
        raise ValueError(f"load_mnist: split must be 'train' or 'test', got {split!r}.")
    dtype = _float_dtype("load_mnist", dtype)
    images_u8, labels_u8 = _find_split(split, folder, download, cache_dir)
    shape = (len(images_u8), _ROWS * _COLS) if flatten else (len(images_u8), _ROWS, _COLS)
    images = np.empty(shape, dtype=dtype)
    np.divide(images_u8.reshape(shape), dtype.type(255), out=images)
    return images, labels_u8.astype(np.int64)


def mnist_cache_dir(cache_dir=None) -> Path:
    """The per-user folder where downloaded MNIST files are kept.

    ``cache_dir`` if given, else ``$MLP_LAB_CACHE_DIR/mnist``, ``$XDG_CACHE_HOME/mlp_lab/mnist``,
    or ``~/.cache/mlp_lab/mnist``.
    """
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    if os.environ.get(CACHE_ENV_VAR):
        return Path(os.environ[CACHE_ENV_VAR]).expanduser() / "mnist"
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root).expanduser() / "mlp_lab" / "mnist"


def _find_split(split: str, folder, download: bool, cache_dir) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 28, 28) uint8 and labels (N,) uint8 from the first place that has both files."""
    names = FILES[split]
    looked = []  # one line per place, for the error when nothing is found

    places = [("folder argument", folder, "not given"),
              (f"${MNIST_ENV_VAR}", os.environ.get(MNIST_ENV_VAR) or None, "not set")]
    for label, path, why_absent in places:
        if path is None:
            looked.append(f"{label}: {why_absent}")
            continue
        path = Path(path).expanduser()
        found = [_find_file(path, name) for name in names]
        if all(found):
            return _read_pair(*found)
        missing = [name for name, f in zip(names, found) if f is None]
        problem = "folder does not exist" if not path.is_dir() else "missing " + ", ".join(missing)
        if label == "folder argument":  # an explicit folder is a clear intent: never fall through to a download
            raise FileNotFoundError(
                f"load_mnist: folder={str(path)!r}: {problem}. Put the MNIST files "
                f"({', '.join(names)}, .gz or not) there, or leave folder unset to use "
                f"${MNIST_ENV_VAR}, the cache or a download.")
        looked.append(f"{label} {path}: {problem}")

    cache = mnist_cache_dir(cache_dir)
    to_download, notes = [], []
    for name in names:  # only files that pass the official SHA-256 are trusted here
        file = cache / name
        if not file.is_file():
            to_download.append(name)
            notes.append(f"missing {name}")
        elif _sha256_cached(str(file), *_stamp(file)) != SHA256[name]:
            to_download.append(name)
            notes.append(f"{name} fails its SHA-256 check (not used)")
    if not to_download:
        return _read_pair(cache / names[0], cache / names[1])
    looked.append(f"cache {cache}: " + "; ".join(notes))

    if not download:
        looked.append("download: not attempted (download=False)")
    else:
        failures = []
        for name in to_download:
            failures = _download(name, cache)
            if failures:  # offline or every mirror down: no point trying the next file
                break
        if not failures:
            return _read_pair(cache / names[0], cache / names[1])
        looked.append("download into the cache failed:" + "".join(f"\n       - {f}" for f in failures))

    raise FileNotFoundError(
        f"load_mnist: could not find the MNIST {split!r} files ({', '.join(names)}).\n"
        "Looked, in order, at:\n" + "".join(f"  {i}. {line}\n" for i, line in enumerate(looked, 1))
        + "To fix it, either connect to the internet and run again (the files, about 11 MB, are "
        f"downloaded once and cached), or copy the four MNIST .gz files into a folder and pass "
        f"folder='/that/folder' or set the environment variable {MNIST_ENV_VAR}=/that/folder."
    )


def _find_file(folder: Path, name: str) -> Path | None:
    """``folder/name``, or the uncompressed ``folder/name`` without ``.gz``, whichever exists."""
    for candidate in (folder / name, folder / name[:-len(".gz")]):
        if candidate.is_file():
            return candidate
    return None


def _stamp(path: Path) -> tuple[int, int]:
    """(modification time in ns, size): changes whenever the file is replaced or rewritten."""
    st = path.stat()
    return st.st_mtime_ns, st.st_size


def _read_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Parse and cross-check an images file and a labels file."""
    images = _read_idx(str(images_path), *_stamp(images_path), 3)
    labels = _read_idx(str(labels_path), *_stamp(labels_path), 1)
    if images.shape[1:] != (_ROWS, _COLS):
        raise ValueError(f"load_mnist: {images_path} holds images of {images.shape[1]}x{images.shape[2]} "
                         f"pixels, but MNIST images are {_ROWS}x{_COLS}. Is it the right file?")
    if len(images) != len(labels):
        raise ValueError(f"load_mnist: {images_path} holds {len(images)} images but {labels_path} holds "
                         f"{len(labels)} labels; the two files must come from the same split.")
    if labels.size and labels.max() >= _N_CLASSES:
        raise ValueError(f"load_mnist: {labels_path} contains the label {labels.max()}; MNIST labels "
                         f"are digits 0..9. The file is corrupt or not an MNIST labels file.")
    return images, labels


@functools.lru_cache(maxsize=4)
def _read_idx(path: str, mtime_ns: int, size: int, ndim: int) -> np.ndarray:
    """The uint8 array stored in an IDX file (gzip-compressed if its name ends in .gz), read-only.

    Cached per (path, mtime, size): a replaced file is read again. Raises ValueError naming the
    file if it is not gzip, is truncated, or its header (magic number, dimensions) is wrong.
    """
    raw = Path(path).read_bytes()
    try:
        data = gzip.decompress(raw) if path.endswith(".gz") else raw
    except (OSError, EOFError) as err:
        raise ValueError(f"load_mnist: {path} is not a valid gzip file ({err}); it is corrupt or was "
                         "cut short. Replace it with a fresh copy.") from None
    kind = "images (idx3)" if ndim == 3 else "labels (idx1)"
    header = 4 + 4 * ndim
    if len(data) < header or data[:3] != b"\x00\x00\x08" or data[3] != ndim:
        magic = "0x" + data[:4].hex() if data else "missing"
        raise ValueError(f"load_mnist: {path} is not an IDX {kind} file of unsigned bytes: its magic "
                         f"number is {magic}, expected 0x000008{ndim:02x}. "
                         "Check that the file is the right one and not corrupt.")
    dims = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = math.prod(dims)  # Python ints: a corrupt header cannot overflow
    if len(data) - header != expected:
        what = "truncated" if len(data) - header < expected else "has extra bytes at the end"
        raise ValueError(f"load_mnist: {path} is {what}: its header announces dimensions {dims} "
                         f"({expected} bytes of data) but it holds {len(data) - header}. "
                         "Replace it with a fresh copy.")
    array = np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)
    array.flags.writeable = False
    return array


# ---------------------------------------------------------------------------- download

def fetch_url(url: str, out: BinaryIO, timeout: float = DOWNLOAD_TIMEOUT) -> None:
    """Copy the body of ``url`` into the open binary file ``out``; raise OSError on failure.

    The only function that touches the network (tests replace it). urllib is imported here so
    that ``import mlp_lab`` stays fast.
    """
    import urllib.request
    with urllib.request.urlopen(url, timeout=timeout) as response:
        shutil.copyfileobj(response, out, 1 << 20)


def _download(name: str, cache: Path) -> list[str]:
    """Download ``name`` into ``cache`` from the first mirror that answers; [] on success.

    Returns one line per failed attempt when none succeeded. Raises ValueError on a SHA-256 mismatch.
    """
    import http.client  # only for its exception type; imported late, like urllib
    errors = []
    for mirror in MIRRORS:
        url = mirror + name
        try:
            cache.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=cache)
        except OSError as err:
            return [f"cannot write to the cache folder {cache} ({err})"]
        try:
            with os.fdopen(fd, "wb") as out:
                fetch_url(url, out)
                out.flush()
                os.fsync(out.fileno())
            got = _sha256(tmp)
            if got != SHA256[name]:
                raise ValueError(f"load_mnist: the download of {name} from {url} failed its checksum: "
                                 f"expected SHA-256 {SHA256[name]}, got {got}. Nothing was saved; "
                                 "run again later, or download the file yourself and pass its folder.")
            os.replace(tmp, cache / name)
            return []
        except (OSError, http.client.HTTPException) as err:
            errors.append(f"{url} failed ({type(err).__name__}: {err})")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return errors


def _sha256(path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@functools.lru_cache(maxsize=8)
def _sha256_cached(path: str, mtime_ns: int, size: int) -> str:
    """``_sha256`` remembered per (path, mtime, size), so a cached file is hashed once per process."""
    return _sha256(path)


def _float_dtype(where: str, dtype) -> np.dtype:
    """``np.dtype(dtype)`` if it is a floating type; ValueError otherwise."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or not np.issubdtype(dt, np.floating):
        raise ValueError(f"{where}: dtype must be a floating type such as np.float32 or np.float64, "
                         f"got {dtype!r}.")
    return dt
