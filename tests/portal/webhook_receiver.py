"""A webhook receiver on 127.0.0.1 for the tests: it records every request it is sent and
answers each with the next status of ``answers`` (then 200), as a real receiver that is down
for a while and then recovers."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook


class Receiver:
    def __init__(self, answers=(), port: int = 0):
        self.answers = list(answers)
        self.received: list[tuple[dict[str, str], bytes]] = []
        self._port = port

    def __enter__(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append((dict(self.headers.items()), body))
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/spoorboek"

    def last_verified(self, secret: str) -> dict:
        """The last payload, checked as a receiver would, now (its timestamp is recent)."""
        headers, body = self.received[-1]
        return Webhook(secret).verify(body, headers)

    def verified(self, secret: str) -> list[dict]:
        """Every payload received, each checked as a receiver would (raises if one fails)."""
        return [Webhook(secret).verify(body, headers) for headers, body in self.received]


def free_port() -> int:
    """A port nobody listens on (for a receiver that is down, started on it later)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
