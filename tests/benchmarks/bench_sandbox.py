"""The ``sandbox`` benchmark: simulator requests per second vs a bare stdlib HTTP server."""

from __future__ import annotations

import statistics
import time
from typing import Any


def _requests_per_second(base_url: str, headers: dict[str, str], path: str,
                         connections: int, seconds: float) -> float:
    import concurrent.futures

    import httpx

    def worker() -> int:
        count = 0
        with httpx.Client(base_url=base_url, headers=headers) as client:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                client.get(path).raise_for_status()
                count += 1
        return count

    with concurrent.futures.ThreadPoolExecutor(connections) as pool:
        total = sum(pool.map(lambda _: worker(), range(connections)))
    return total / seconds


def sandbox(seconds: float = 1.5, rounds: int = 3) -> dict[str, Any]:
    """Simulator requests per second on loopback (keep-alive), next to a bare stdlib
    ThreadingHTTPServer answering a fixed JSON body (the baseline)."""
    import http.server
    import socket
    import threading

    from app.sandbox import Sandbox

    class Fixed(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        body = b'{"remaining_credits": 500}'

        def setup(self) -> None:
            super().setup()  # no Nagle delay, as in the simulator
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(self.body)))
            self.end_headers()
            self.wfile.write(self.body)

        def log_message(self, *args: object) -> None:
            pass

    baseline = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Fixed)
    baseline.daemon_threads = True
    threading.Thread(target=baseline.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{baseline.server_address[1]}"
    headers = {"X-API-ID": "sandbox", "X-API-KEY": "sandbox"}
    path = "/api/remaining_credits/"
    figures: dict[str, Any] = {"benchmark": "sandbox", "seconds_per_round": seconds,
                               "rounds": rounds}
    try:
        with Sandbox() as server:
            for connections in (1, 4):
                ours, bare = [], []
                for _ in range(rounds):
                    ours.append(_requests_per_second(server.base_url, headers, path,
                                                     connections, seconds))
                    bare.append(_requests_per_second(base_url, headers, path, connections,
                                                     seconds))
                key = f"{connections}_conn"
                figures[f"sandbox_rps_{key}_median"] = round(statistics.median(ours))
                figures[f"bare_stdlib_rps_{key}_median"] = round(statistics.median(bare))
                figures[f"ratio_sandbox_to_bare_{key}"] = round(
                    statistics.median(ours) / statistics.median(bare), 2)
    finally:
        baseline.shutdown()
        baseline.server_close()
    return figures



# ---- polling --------------------------------------------------------------------------------
