"""The OpenEnv app around a :class:`~arena.serve.hub.Hub`, and the socket it listens on.

:func:`build_app` is OpenEnv's own ``create_app`` (routes ``/ws`` for sessions, ``/reset``,
``/step`` and ``/state`` stateless over HTTP, ``/health``, ``/schema``, ``/metadata``) with
the session bounds (``max_sessions``: more are refused with OpenEnv's
``CAPACITY_REACHED``; ``idle_timeout``: OpenEnv's reaper closes a session idle that long,
checking every ``max(timeout / 4, 5)`` seconds) and one addition: a refused request on
an HTTP route is HTTP 400 with its one-line reason, not a server error.

:class:`Server` binds the socket first (a port in use is one line before anything
starts; port 0 takes a free one, read back from :attr:`Server.url`), then runs uvicorn
on it, in the foreground (:meth:`Server.run`) or on a thread (:meth:`Server.start`,
:meth:`Server.stop`: tests and scripts). uvicorn's access log is off and its messages go
through the caller's logging (the command line makes every line terminal-safe).
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import socket
import threading
import time
from typing import Any

from arena.serve.hub import Hub

__all__ = ["build_app", "Server", "is_loopback", "WS_MAX_BYTES"]

WS_MAX_BYTES = 1 << 20
"""Largest WebSocket message the server reads (an action is at most 64 KiB of text)."""


def build_app(hub: Hub, max_sessions: int = 8, idle_timeout: float | None = 300.0) -> Any:
    """The FastAPI app serving ``hub``'s game over OpenEnv's protocol."""
    from fastapi import Request
    from fastapi.responses import JSONResponse
    from openenv.core.env_server import ConcurrencyConfig, create_app

    from arena.serve.env import ArenaAction, ArenaEnvironment, ArenaObservation, ServeError

    app = create_app(functools.partial(ArenaEnvironment, hub), ArenaAction, ArenaObservation,
                     env_name=hub.game_spec,
                     concurrency_config=ConcurrencyConfig(max_concurrent_envs=max_sessions,
                                                          session_timeout=idle_timeout))

    @app.exception_handler(ServeError)
    async def refused(request: Request, err: ServeError) -> JSONResponse:
        return JSONResponse(status_code=400, content={"detail": str(err)})

    return app


class _ClosedSocketNoise(logging.Filter):
    """Drops one known false alarm: when a client disconnects first, OpenEnv's ``/ws``
    handler closes the socket again and catches ``RuntimeError``, but uvicorn's
    WebSocket implementation raises ``WebSocketDisconnect``, logged as an error with a
    traceback though the session ended normally."""

    def filter(self, record: logging.LogRecord) -> bool:
        err = record.exc_info[1] if record.exc_info else None
        return type(err).__name__ != "WebSocketDisconnect"


_NOISE = _ClosedSocketNoise()


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise ValueError(f"--host {host!r} is not an address of this machine ({err}); "
                         "e.g. --host 127.0.0.1") from err
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as err:
        sock.close()
        raise OSError(err.errno, f"cannot listen on {host}:{port} ({err.strerror}); pass "
                      "another --port, or --port 0 for any free one") from err
    sock.listen(128)
    return sock


class Server:
    """``app`` listening on ``host:port`` (see the module docstring)."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 8000) -> None:
        import uvicorn

        self.sock = _bind(host, port)
        self.host = host
        self.port = self.sock.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(
            app, log_config=None, access_log=False, lifespan="on", ws="websockets-sansio",
            ws_max_size=WS_MAX_BYTES, timeout_graceful_shutdown=5))
        self._thread: threading.Thread | None = None
        logging.getLogger("uvicorn.error").addFilter(_NOISE)  # adding it twice is a no-op

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def run(self) -> None:
        """Serve until stopped (Ctrl-C in the foreground, :meth:`stop` from elsewhere)."""
        try:
            self._server.run(sockets=[self.sock])
        finally:
            self.sock.close()

    @property
    def started(self) -> bool:
        """Whether the server got as far as accepting connections."""
        return bool(self._server.started)

    def start(self, timeout: float = 30.0) -> "Server":
        """Serve on a thread; returns once the server accepts connections."""
        self._thread = threading.Thread(target=self.run, name="arena-serve", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server on {self.url} did not start within "
                                   f"{timeout:g} s")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Close every session and stop serving (what Ctrl-C does in the foreground)."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
