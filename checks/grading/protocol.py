"""Messages between the judge (pytest process) and the evaluator (learner's kernel).

A message is any nest of dicts, lists, str, int, float, bool, None and NumPy arrays. On the wire:
``[8-byte length][JSON][8-byte length][.npz]``: arrays travel in an ``.npz`` archive loaded with
``allow_pickle=False``, so nothing the kernel sends can execute code in the judge. Sizes are
bounded before anything is decoded: each part on the wire, and the arrays by what their ``.npy``
headers say they hold, so a small compressed archive that would expand to gigabytes is refused
after reading a few bytes of it.
"""

from __future__ import annotations

import io
import json
import socket
import struct
import zipfile

import numpy as np

_LEN = struct.Struct("!Q")
MAX_BYTES = 256 * 1024 * 1024          # a single part larger than this on the wire is refused
MAX_ARRAY_BYTES = 256 * 1024 * 1024    # nor may the arrays of one message hold more, decoded


class ProtocolError(Exception):
    """The other side sent something that is not a valid message (or hung up)."""


def _pack(obj, arrays: dict):
    if isinstance(obj, np.ndarray):
        if obj.dtype == object:
            raise ProtocolError("object arrays cannot be sent")
        key = f"a{len(arrays)}"
        arrays[key] = obj
        return {"__array__": key}
    if isinstance(obj, np.generic):
        return _pack(np.asarray(obj), arrays) if not isinstance(obj, (np.bool_,)) else bool(obj)
    if isinstance(obj, dict):
        return {str(k): _pack(v, arrays) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_pack(v, arrays) for v in obj]
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise ProtocolError(f"cannot send a {type(obj).__name__}")


def _unpack(obj, arrays):
    if isinstance(obj, dict):
        if set(obj) == {"__array__"}:
            return arrays[obj["__array__"]]
        return {k: _unpack(v, arrays) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_unpack(v, arrays) for v in obj]
    return obj


def encode(obj) -> bytes:
    arrays: dict = {}
    head = json.dumps(_pack(obj, arrays), allow_nan=True).encode()
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    body = buf.getvalue()
    return _LEN.pack(len(head)) + head + _LEN.pack(len(body)) + body


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise ProtocolError("the other side closed the connection")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _recv_part(sock):
    (n,) = _LEN.unpack(_recv_exact(sock, _LEN.size))
    if n > MAX_BYTES:
        raise ProtocolError(f"message of {n} bytes is larger than the limit")
    return _recv_exact(sock, n)


def send(sock: socket.socket, obj) -> None:
    sock.sendall(encode(obj))


_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


def _check_decoded_size(body: bytes) -> None:
    """Refuse an ``.npz`` whose arrays would hold more than MAX_ARRAY_BYTES, from their headers only."""
    total = 0
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        for member in archive.infolist():
            with archive.open(member) as f:
                version = np.lib.format.read_magic(f)
                read_header = _HEADER_READERS.get(version)
                if read_header is None:
                    raise ProtocolError(f"unsupported .npy version {version}")
                shape, _, dtype = read_header(f, max_header_size=10000)
            total += int(np.prod(shape, dtype=object)) * dtype.itemsize
            if total > MAX_ARRAY_BYTES:
                raise ProtocolError(f"the arrays of this message would take more than "
                                    f"{MAX_ARRAY_BYTES // 2**20} MiB once decoded; refused")


def recv(sock: socket.socket):
    head = _recv_part(sock)
    body = _recv_part(sock)
    try:
        meta = json.loads(head)
        _check_decoded_size(body)
        with np.load(io.BytesIO(body), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        return _unpack(meta, arrays)
    except (ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
        raise ProtocolError(f"malformed message: {exc}") from None
