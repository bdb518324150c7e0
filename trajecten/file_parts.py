"""What other apps add to the trajectory file: tabs, entries of its log, and notes on the WvP
clock's signals.

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
_signal_notes: dict[str, Callable[..., list]] = {}


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


def add_signal_note(name: str, note: Callable[..., list]) -> None:
    """Let an app restate the clock's signals from what it knows (the RIV check: a late start
    whose valid reason is signed off): ``note(user=, trajectory=, signals=)`` returns the
    signals to show."""
    _signal_notes.setdefault(name, note)


def noted_signals(*, user, trajectory, signals: list) -> list:
    """The clock's signals as the apps that know more restate them."""
    for note in _signal_notes.values():
        signals = note(user=user, trajectory=trajectory, signals=signals)
    return signals
