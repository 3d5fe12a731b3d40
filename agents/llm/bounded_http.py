"""One HTTP POST bounded in wall-clock time, whatever the server does.

A socket timeout bounds each read, not the whole exchange: a server that sends a byte
every few seconds never trips it. :func:`post` therefore arms a timer for the whole
exchange (connect, send, headers, body); when it fires it shuts the socket down, which
wakes any blocked read, and the call raises :class:`Expired`. Only the standard library is
used. The OpenAI-compatible backend (:mod:`agents.llm.openai_backend`) retries on top.
"""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.parse
from typing import Any, NamedTuple

__all__ = ["Reply", "Expired", "TooLarge", "post"]


class Expired(Exception):
    """The exchange ran past its time limit (the timer shut its socket)."""


class TooLarge(Exception):
    """The reply was longer than the byte limit."""


class Reply(NamedTuple):
    status: int
    reason: str
    headers: Any
    payload: bytes


def post(url: str, data: bytes, headers: dict[str, str], limit: float,
         max_bytes: int) -> Reply:
    """POST ``data`` to ``url`` and read the whole reply within ``limit`` seconds.

    Raises :class:`Expired` past the limit, :class:`TooLarge` past ``max_bytes``,
    ``http.client.IncompleteRead`` for a reply shorter than its ``Content-Length``, and
    whatever ``http.client`` or the socket raise otherwise (``HTTPException``,
    ``OSError``)."""
    parts = urllib.parse.urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = kind(parts.hostname or "", parts.port, timeout=limit)
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        if conn.sock is not None:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    timer = threading.Timer(limit, expire)
    timer.daemon = True
    timer.start()
    try:
        conn.connect()
        if expired.is_set():  # the timer fired before there was a socket to shut
            raise Expired()
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request("POST", target, body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read(max_bytes + 1)
        if response.length and len(payload) <= max_bytes:  # the server stopped short
            raise http.client.IncompleteRead(payload, response.length)
    except (http.client.HTTPException, OSError) as err:
        if expired.is_set():
            raise Expired() from err
        raise
    finally:
        timer.cancel()
        conn.close()
    if expired.is_set():
        raise Expired()
    if len(payload) > max_bytes:
        raise TooLarge()
    return Reply(response.status, response.reason, response.headers, payload)
