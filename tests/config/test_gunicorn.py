"""The web container's gunicorn settings (config/gunicorn.conf.py), read as gunicorn reads them."""

import os
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"


def test_two_workers_per_core_plus_one_unless_web_concurrency_says(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    cores = len(os.sched_getaffinity(0))
    assert runpy.run_path(str(CONF))["workers"] == cores * 2 + 1

    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    settings = runpy.run_path(str(CONF))
    assert settings["workers"] == 3
    assert settings["bind"] == "0.0.0.0:8000"


def test_gunicorn_accepts_the_file():
    from gunicorn.config import Config

    config = Config()
    for name, value in runpy.run_path(str(CONF)).items():
        if name in config.settings:
            config.set(name, value)
    assert config.workers >= 3
    assert config.forwarded_allow_ips == ["*"]
