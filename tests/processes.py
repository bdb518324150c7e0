"""Real services started by a test and always stopped after it: a Redis of the test's own, a
Celery worker or beat, and Celery taken out of eager mode. The fault tests
(tests/rapportages/test_faults.py) and the queue test (tests/config/test_queues.py) share them.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from config.celery import app as celery_app
from tests.conftest import worker_environment

ROOT = Path(__file__).resolve().parents[1]
#: Arguments that make a Celery worker start quickly and alone.
QUIET_WORKER = ("worker", "-P", "solo", "--without-heartbeat", "--without-mingle",
                "--without-gossip")  # fmt: skip


def wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def pings(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.exceptions.ConnectionError:
        return False


class RedisServer:
    """A ``redis-server`` on loopback, keeping its files (if any) in ``folder``."""

    def __init__(self, port: int, folder, *, aof: bool):
        self.url = f"redis://127.0.0.1:{port}/0"
        persistence = ("--appendonly", "yes", "--appendfsync", "always") if aof else (
            "--appendonly", "no")  # fmt: skip
        self.command = [shutil.which("redis-server"), "--port", str(port), "--bind",
                        "127.0.0.1", "--dir", str(folder), "--save", "", *persistence]  # fmt: skip
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL)
        assert wait_for(lambda: pings(self.url), 10)

    def crash(self) -> None:
        """Killed with SIGKILL: a crash, not a clean shutdown."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


@contextmanager
def own_redis(port: int, folder, *, aof: bool = False):
    """A Redis of the test's own (``aof``: with the append-only file on, as docker-compose runs
    it), stopped afterwards whatever happened."""
    server = RedisServer(port, folder, aof=aof)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def not_eager():
    """Tasks go to the broker instead of running in the test's process."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = eager


def start_celery(*args: str, app: str = "config", redis_url: str | None = None, **env):
    """A Celery process (``args``: ``worker …`` or ``beat …``) with the test's settings."""
    environment = {
        **os.environ, **worker_environment(), "REDIS_URL": redis_url or os.environ["REDIS_URL"],
        "EMAIL_URL": "dummymail://", **env,
    }  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", app, *args, "-l", "WARNING"],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def start_worker(queue: str, redis_url: str | None = None, **env) -> subprocess.Popen:
    return start_celery(*QUIET_WORKER, "-Q", queue, redis_url=redis_url, **env)


def stop(*processes) -> None:
    """Stop what still runs (SIGTERM: a worker ends its current task first)."""
    for process in processes:
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait(timeout=60)


@contextmanager
def running(*processes):
    """Stop ``processes`` when the block ends, whatever happened in it."""
    try:
        yield processes
    finally:
        stop(*processes)
