"""Charts drawn on the server as SVG: no JavaScript, no library to serve, nothing from a CDN.

Each function turns figures the page already has into geometry for a small template
(``portal/_chart_*.html``), which draws the SVG with a title and description and repeats the
same figures as a table for screen readers and for anyone who would rather read. Pure: no
database, no request.
"""

import math
from dataclasses import dataclass, field
from datetime import date

#: Colours that stay apart for the common forms of colour blindness (Okabe-Ito), dark enough
#: for a 3:1 contrast against white as WCAG asks of graphics.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8a6d00", "#56B4E9"]

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 200, 36, 28, 12


def _n(value: float) -> str:
    """A coordinate as SVG wants it: a decimal point whatever the page's language (a Dutch
    page would otherwise write "62,5")."""
    return f"{value:.1f}"


@dataclass
class Series:
    label: str
    values: list[float | None]  # None: no figure for that category (a gap in a line)
    colour: str = ""
    segments: list[str] = field(default_factory=list)  # for a line: "x,y x,y ..." per run
    dots: list[tuple[str, str, float]] = field(default_factory=list)  # (x, y, value)
    bars: list[tuple[str, str, str, str, int]] = field(default_factory=list)


@dataclass
class Chart:
    title: str
    categories: list[str]
    series: list[Series]
    width: int = WIDTH
    height: int = HEIGHT
    y_max: int = 1
    y_ticks: list[tuple[str, int]] = field(default_factory=list)  # (y, value)
    x_ticks: list[tuple[str, str]] = field(default_factory=list)  # (x, label)
    dotted: bool = False  # a dot on every value of a line: few categories, or gaps

    @property
    def empty(self) -> bool:
        return not any(any(v for v in s.values if v is not None) for s in self.series)

    @property
    def rows(self) -> list[tuple[str, list[float | None]]]:
        """The same figures as a table: one row per category."""
        return [(c, [s.values[i] for s in self.series]) for i, c in enumerate(self.categories)]


def _scale(chart: Chart, y_max: int | None = None) -> tuple[float, float]:
    values = [v for s in chart.series for v in s.values if v is not None]
    chart.y_max = y_max or _nice(math.ceil(max(values, default=0)))
    plot_height = chart.height - BOTTOM - TOP
    chart.y_ticks = [
        (_n(chart.height - BOTTOM - plot_height * v / chart.y_max), v)
        for v in sorted({0, chart.y_max // 2, chart.y_max})
    ]
    step = (chart.width - LEFT - 8) / max(1, len(chart.categories))
    return step, plot_height


def _x_ticks(step: float, categories: list[str]) -> list[tuple[float, str]]:
    """A label under every category, or under every k-th when there are too many to read."""
    every = max(1, -(-len(categories) // 12))
    return [(_n(LEFT + step * (n + 0.5)), c) for n, c in enumerate(categories) if n % every == 0]


def _nice(top: int) -> int:
    """A round axis maximum at or above ``top``, even (so its half is whole)."""
    for nice in (2, 4, 6, 10, 20, 40, 60, 100, 200, 400, 1000, 2000, 5000, 10000):
        if top <= nice:
            return nice
    return top + top % 2


def line_chart(
    *,
    title: str,
    categories: list[str],
    series: list[tuple[str, list[float | None]]],
    y_max: int | None = None,
):
    """A line per series; ``y_max`` fixes the scale (100 for a percentage, 10 for a mark).
    A category without a figure (None) breaks the line and has no dot."""
    chart = Chart(title, categories, [Series(label, list(values)) for label, values in series])
    step, plot_height = _scale(chart, y_max)
    base = chart.height - BOTTOM
    for i, s in enumerate(chart.series):
        s.colour = PALETTE[i % len(PALETTE)]
        run: list[str] = []
        for n, v in enumerate([*s.values, None]):
            if v is None:
                if len(run) > 1:
                    s.segments.append(" ".join(run))
                run = []
                continue
            x, y = _n(LEFT + step * (n + 0.5)), _n(base - plot_height * v / chart.y_max)
            run.append(f"{x},{y}")
            s.dots.append((x, y, v))
    chart.x_ticks = _x_ticks(step, categories)
    chart.dotted = len(categories) <= 8 or any(v is None for s in chart.series for v in s.values)
    return chart


def bar_chart(*, title: str, categories: list[str], series: list[tuple[str, list[int]]]):
    chart = Chart(title, categories, [Series(label, list(values)) for label, values in series])
    step, plot_height = _scale(chart)
    base = chart.height - BOTTOM
    width = step * 0.8 / max(1, len(chart.series))
    for i, s in enumerate(chart.series):
        s.colour = PALETTE[i % len(PALETTE)]
        for n, v in enumerate(s.values):
            height = plot_height * v / chart.y_max
            x = LEFT + step * n + step * 0.1 + width * i
            s.bars.append((_n(x), _n(base - height), _n(width), _n(height), v))
    chart.x_ticks = _x_ticks(step, categories)
    return chart


@dataclass
class TimelineRow:
    label: str
    week: int
    x: str
    y: str
    url: str


@dataclass
class Timeline:
    """Where every trajectory stands on one WvP timeline (week 1 to 104 and beyond with an
    extension), with the weeks the law marks."""

    title: str
    rows: list[TimelineRow]
    marks: list[tuple[str, int, str]]  # (x, week, label)
    width: int = WIDTH
    height: int = 0
    weeks: int = 104


#: The weeks the law marks, labelled by number (the file's clock names them): probleemanalyse
#: (6), 42-week notification, first-year evaluation (52), latest 2e spoor start (58), WIA
#: application advised (91), end of the waiting time (104).
TIMELINE_MARKS = [(6, "6"), (42, "42"), (52, "52"), (58, "58"), (91, "91"), (104, "104")]


def timeline(*, title: str, rows: list[tuple[str, int, str]]) -> Timeline:
    """``rows``: (label, current WvP week, link) per trajectory."""
    weeks = max([104, *(week for _label, week, _url in rows)])
    span = WIDTH - 170 - 12

    def x(week: int) -> str:
        return _n(170 + span * min(week, weeks) / weeks)

    lines = [
        TimelineRow(label, week, x(week), _n(24 + 18 * n), url)
        for n, (label, week, url) in enumerate(rows)
    ]
    return Timeline(
        title=title,
        rows=lines,
        marks=[(x(week), week, label) for week, label in TIMELINE_MARKS],
        height=24 + 18 * len(lines) + 8,
        weeks=weeks,
    )


def last_weeks(today: date, n: int) -> list[date]:
    """The Mondays of the last ``n`` ISO weeks, the current one last."""
    from datetime import timedelta

    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n - 1 - i) for i in range(n)]
