"""A threaded TCP server on loopback that a test can stop and start again on the same port:
the mail sink and the network proxy both stand in for a service that goes down and comes back."""

from __future__ import annotations

import socketserver
import threading


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True  # restarting on the same port must not wait for TIME_WAIT
    daemon_threads = True


def serve(port: int, handler: type[socketserver.BaseRequestHandler]) -> _Server:
    """Listen on 127.0.0.1:`port` (0: any free port, read back from `server_address`)."""
    server = _Server(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def close(server: socketserver.BaseServer | None) -> None:
    if server is not None:
        server.shutdown()
        server.server_close()
