"""`make run`'s server: Django's development server that ends its start-up output with the demo
logins and the address to open, so they are the last thing a newcomer reads (not buried
above the server's own banner). Links in emails follow the port the server listens on
unless ``SITE_URL`` is set."""

import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand

from .seed_demo import demo_login_table


class Command(RunserverCommand):
    help = (
        "Serve the demo (the embedded default only) and print its logins and address after "
        "start-up."
    )

    def handle(self, *args, **options):
        # `make run` turns Django's debug pages off (DJANGO_DEBUG_PAGES=false), so the demo
        # shows the branded error pages; the static files are still served from the checkout.
        options["insecure_serving"] = True
        # WhiteNoise (in the middleware) warns about a missing STATIC_ROOT once DEBUG is off;
        # the demo serves from the apps' folders, so an empty one is all it needs.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        super().handle(*args, **options)

    def on_bind(self, server_port):
        super().on_bind(server_port)
        host = "127.0.0.1" if self.addr in ("0", "0.0.0.0") else self.addr  # noqa: S104
        url = f"{self.protocol}://{host}:{server_port}"
        if "SITE_URL" not in os.environ:
            settings.SITE_URL = url
        self.stdout.write(demo_login_table())
        self.stdout.write(self.style.SUCCESS(f"Open {url}/ and log in with one of these."))
