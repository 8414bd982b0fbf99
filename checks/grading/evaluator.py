"""The kernel side of grading: evaluate the learner's functions on inputs the judge sends.

When the grader runs a notebook, ``MLP_LAB_GRADER`` names a Unix socket. A check cell such as
``check_sigmoid(sigmoid)`` then connects there instead of judging in the kernel: the judge (in
the pytest process, which never runs learner code) generates hidden cases, asks for evaluations,
compares, and sends back the verdict, which is printed or raised here for the learner to read.
Nothing decided in this process counts: patching ``checks``, NumPy or builtins here cannot
change a grade, only prevent the check from reporting (which scores zero).
"""

from __future__ import annotations

import os
import socket

from . import protocol

ENV = "MLP_LAB_GRADER"


def _decode_args(packed) -> tuple:
    from ..calling import decode_value

    args = decode_value(packed["data"], packed["arrays"])
    if not isinstance(args, tuple):
        raise protocol.ProtocolError("arguments must arrive as a tuple")
    return args


def serve(exercise: str, functions: dict) -> None:
    """Answer the judge's evaluation requests for ``exercise``; print or raise its verdict."""
    from ..calling import LocalCaller
    from ..failure import CheckFailure

    given = {role: fn for role, fn in functions.items() if fn is not None}
    caller = LocalCaller(given)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(os.environ[ENV])
    try:
        protocol.send(sock, {"type": "hello", "exercise": exercise, "roles": sorted(given)})
        while True:
            msg = protocol.recv(sock)
            if msg["type"] == "call":
                outcomes = [caller.call(msg["role"], *_decode_args(a)) for a in msg["arglists"]]
                protocol.send(sock, {"type": "outcomes", "outcomes": [o.to_dict() for o in outcomes]})
            elif msg["type"] == "verdict":
                if msg["passed"]:
                    print(msg["line"])
                    return
                raise CheckFailure.from_dict(msg["failure"])
            elif msg["type"] == "ignored":
                print(msg["reason"])
                return
    finally:
        sock.close()
