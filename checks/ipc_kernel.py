"""A Jupyter kernel manager whose kernel listens on ZMQ ``ipc`` sockets (files) instead of TCP ports.

Both the grader's judge (through nbval) and ``mlp-lab execute`` (through nbclient) start kernels
with it: no port is opened, and the kernel does not warn that it is "running over TCP without
encryption" on every start.
"""

from __future__ import annotations

from jupyter_client.manager import KernelManager


def ipc_kernel_manager(prefix: str) -> type[KernelManager]:
    """A KernelManager class whose kernels put their sockets at ``prefix``-1, ``prefix``-2, ... and
    their connection file at ``prefix``-connection.json (``prefix``: a path in a private folder,
    short enough for a Unix socket name: about 100 characters)."""

    class IpcKernelManager(KernelManager):
        def __init__(self, **kwargs):
            super().__init__(transport="ipc", ip=prefix, connection_file=f"{prefix}-connection.json", **kwargs)

    return IpcKernelManager
