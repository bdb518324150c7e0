from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """What developers and the demo need, never a user: the demo's data and server (``make
    run``: ``seed_demo``, ``serve_demo``), the benchmark (``make bench``: ``bench/``) and the
    load test's setup. It reads and writes through the other apps' services; nothing imports
    it."""

    name = "devtools"
    verbose_name = "Developer tools"
