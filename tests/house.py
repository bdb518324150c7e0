"""The house's own code, as the tests that read it see it: its apps and their source files
(without migrations, management commands and the benchmark)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("portal", "trajecten", "sollicitaties", "rapportages", "kwaliteit", "dashboards", "privacy",
        "overdracht", "facturen")  # fmt: skip


def sources(*, skip=()):
    """(path relative to the repository, text) of every module of the apps."""
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or "/management/" in relative or "/bench/" in relative:
                continue
            if any(relative.startswith(s) for s in skip):
                continue
            yield relative, path.read_text()
