"""A TCP forwarder on loopback that a test can cut and restore, on the same port, as a network
between an app server and Redis or PostgreSQL breaks and comes back."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading

from anmian.web.tests import loopback


class TCPProxy:
    def __init__(self, target_port: int, port: int = 0):
        self.target_port, self.port = target_port, port
        self._server: socketserver.ThreadingTCPServer | None = None
        self._open: set[socket.socket] = set()

    def start(self) -> TCPProxy:
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                upstream = socket.create_connection(("127.0.0.1", proxy.target_port))
                proxy._open.update((self.request, upstream))

                def pump(src: socket.socket, dst: socket.socket) -> None:
                    try:
                        while data := src.recv(65536):
                            dst.sendall(data)
                    except OSError:
                        pass
                    finally:
                        for s in (src, dst):
                            with contextlib.suppress(OSError):
                                s.shutdown(socket.SHUT_RDWR)

                back = threading.Thread(target=pump, args=(upstream, self.request), daemon=True)
                back.start()
                pump(self.request, upstream)
                back.join()

        self._server = loopback.serve(self.port, Handler)
        self.port = self._server.server_address[1]
        return self

    def cut(self) -> None:
        """Stop listening and drop every open connection, as a lost network would."""
        loopback.close(self._server)
        self._server = None
        for s in list(self._open):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self._open.clear()
