"""A TCP server on 127.0.0.1 that answers HTTP requests with whatever bytes a test
wants: broken status lines, control characters in reason phrases and headers,
headers without end, lying lengths, resets. ``tests.feedserver`` speaks
correct HTTP; this one is for the servers that do not.

Each path maps to a behaviour: a function given the socket after the request
has been read. Every connection is closed when the server closes, so a test
never leaves a thread behind.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable
from types import TracebackType

Behaviour = Callable[[socket.socket, threading.Event], None]


def send(data: bytes) -> Behaviour:
    """Write ``data`` and close."""

    def run(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(data)

    return run


def send_then_reset(data: bytes) -> Behaviour:
    """Write ``data`` and close with a TCP reset instead of a clean close."""

    def run(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(data)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    return run


def repeat(head: bytes, chunk: bytes, interval: float) -> Behaviour:
    """Write ``head``, then ``chunk`` every ``interval`` seconds until stopped."""

    def run(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(head)
        while not stop.wait(interval):
            conn.sendall(chunk)

    return run


def silence(conn: socket.socket, stop: threading.Event) -> None:
    """Read the request, answer nothing, keep the connection open."""
    stop.wait()


class RawServer:
    def __init__(self) -> None:
        self.behaviours: dict[str, Behaviour] = {}
        self.stop = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.1)
        self._threads: list[threading.Thread] = []
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._accept = threading.Thread(target=self._serve, name="rawserver", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def add(self, path: str, behaviour: Behaviour) -> str:
        self.behaviours[path] = behaviour
        return self.base_url + path

    def __enter__(self) -> RawServer:
        self._accept.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop.set()
        self._accept.join(timeout=5)
        with self._lock:
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(timeout=5)
        self._sock.close()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            with self._lock:
                self._conns.append(conn)
                self._threads.append(thread)
            thread.start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(5)
            request = b""
            while b"\r\n\r\n" not in request and len(request) < 65536:
                data = conn.recv(4096)
                if not data:
                    return
                request += data
            path = request.split(b" ", 2)[1].decode("latin-1") if b" " in request else "/"
            behaviour = self.behaviours.get(path.split("?", 1)[0])
            if behaviour is None:
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            else:
                behaviour(conn, self.stop)
        except OSError:
            pass
        finally:
            conn.close()
