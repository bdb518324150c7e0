"""`make webhook-receiver`: a webhook receiver for the demo and for trying an integration.

It listens on 127.0.0.1, checks each message's signature as a receiving system should (the
Standard Webhooks library, with the secrets of the endpoints that point at it, read from the
database, or ``--secret``), answers 204 and prints what arrived. ``--fail N`` answers the
first N with 503, to watch Spoorboek send them again."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError

from portal.models import WebhookEndpoint
from portal.tenancy import SystemCommand


class Command(SystemCommand):
    help = "Receive Spoorboek's webhooks on 127.0.0.1 and print them, signatures checked."

    def add_arguments(self, parser):
        parser.add_argument("port", nargs="?", type=int, default=8124)
        parser.add_argument("--secret", action="append", default=[], help="whsec_… (repeatable)")
        parser.add_argument("--fail", type=int, default=0, help="Answer the first N with 503.")

    def handle(self, *args, port: int, secret: list[str], fail: int, **options):
        secrets = secret or list(
            WebhookEndpoint.objects.filter(url__startswith=f"http://127.0.0.1:{port}/")
            .values_list("secret", flat=True)
            .distinct()
        )
        if not secrets:
            self.stderr.write("No endpoint points at this port: give --secret whsec_….")
        failing = {"left": fail}
        lock = threading.Lock()
        out = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {name.lower(): value for name, value in self.headers.items()}
                with lock:
                    fails = failing["left"] > 0
                    failing["left"] -= fails
                answer = 503 if fails else 204
                # Printed before answering: whoever waits for the answer then finds the line.
                out.show(headers, body, secrets, answered=answer)
                self.send_response(answer)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.stdout.write(f"Listening on http://127.0.0.1:{port}/ (Ctrl+C stops).")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()

    def show(self, headers, body, secrets, *, answered) -> None:
        verified = None
        for candidate in secrets:
            try:
                verified = Webhook(candidate).verify(body, headers)
                break
            except WebhookVerificationError:
                continue
        stamp = headers.get("webhook-id", "?")
        if verified is None:
            self.stdout.write(
                self.style.ERROR(f"{stamp}: signature NOT valid (answered {answered})")
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{stamp}: {verified['type']}, signature valid (answered {answered})"
            )
        )
        self.stdout.write(json.dumps(verified["data"], indent=2, ensure_ascii=False))
