"""What other apps add to the trajectory file: tabs and entries of its log.

The file is ``trajecten``'s page, but the applications tab and log entries are
``sollicitaties``' and the reports tab ``rapportages``'. Those apps build on this one, so this
one never imports them: each adds its parts once, in its ``AppConfig.ready()``
(``add_tab``, ``add_log_source``), and the file shows them in the order of INSTALLED_APPS.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class LogEntry:
    """One line of the file's chronological log."""

    day: date
    kind: str
    text: str


@dataclass(frozen=True)
class ExtraTab:
    """A tab another app adds to the file (e.g. sollicitaties' applications)."""

    key: str
    label: object
    template: str
    context: Callable[..., dict]  # (user=, trajectory=, today=, params=request.GET) -> dict
    visible: Callable[[object], bool] = lambda user: True


_tabs: dict[str, ExtraTab] = {}
_log_sources: dict[str, Callable[..., list[LogEntry]]] = {}


def add_tab(tab: ExtraTab) -> None:
    """Add a tab to the file (once per key: a second ``ready()`` changes nothing)."""
    _tabs.setdefault(tab.key, tab)


def add_log_source(name: str, entries: Callable[..., list[LogEntry]]) -> None:
    """Add the entries an app contributes to the file's log: ``entries(user=, trajectory=)``
    returns those the user may see."""
    _log_sources.setdefault(name, entries)


def extra_tabs() -> tuple[ExtraTab, ...]:
    """The tabs other apps added, in the order they were added."""
    return tuple(_tabs.values())


def other_log_entries(*, user, trajectory) -> list[LogEntry]:
    """The log entries other apps add for this user and trajectory."""
    return [e for source in _log_sources.values() for e in source(user=user, trajectory=trajectory)]
