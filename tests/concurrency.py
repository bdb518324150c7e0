"""Run a function in several threads at once, each with its own database connection."""

import threading

from django.db import connections


def run_concurrently(func, threads: int = 2, timeout: float = 60) -> list[Exception]:
    """Start ``func`` in ``threads`` threads behind a barrier; return what they raised."""
    barrier, errors = threading.Barrier(threads), []

    def run():
        try:
            barrier.wait(timeout=10)
            func()
        except Exception as exc:  # collected for the test to assert on
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=timeout)
    return errors
