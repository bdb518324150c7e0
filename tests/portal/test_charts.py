"""Charts where people would rather look than read (#19, item 4): each chart's figures equal
the rows they summarise, and the same figures are there as a table."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from portal import charts
from sollicitaties.models import ApplicationActivity
from trajecten.constants import TrajectoryStatus

TODAY = timezone.localdate()


def _apply(trajectory, days_ago, kind="written_application"):
    return ApplicationActivity.objects.create(
        trajectory=trajectory, date=TODAY - timedelta(days=days_ago), kind=kind,
        organisation="Jumbo", recorded_by=trajectory.employee.user, recorded_by_role="employee",
    )  # fmt: skip


def test_the_weekly_chart_counts_what_the_norm_counts_per_bv(cast, login):
    for days in (0, 0, 21):
        _apply(cast.traj_x1, days)
    _apply(cast.traj_x1, 0, kind="reading_vacancies")  # recorded, does not count
    _apply(cast.traj_x2, 7)
    _apply(cast.traj_x2, 100)  # older than 12 weeks
    response = login(cast.contact_x_all).get(reverse("dashboards:home"))
    chart = response.context["dashboard"].weekly
    series = {s.label: s.values for s in chart.series}
    assert sum(series["X1 BV"]) == 3 and series["X1 BV"][-1] == 2
    assert sum(series["X2 BV"]) == 1
    assert len(chart.categories) == 12
    html = response.content.decode()
    assert 'role="img"' in html and "Sollicitaties per week, laatste 12 weken" in html
    assert "Toon als tabel" in html


def test_a_contact_limited_to_one_bv_sees_only_its_line(cast, login):
    _apply(cast.traj_x2, 0)
    chart = login(cast.contact_x1).get(reverse("dashboards:home")).context["dashboard"].weekly
    assert [s.label for s in chart.series] == ["X1 BV"]


def test_the_timeline_shows_every_open_trajectory_on_the_page(cast, login):
    cast.traj_x2.status = TrajectoryStatus.ENDED
    cast.traj_x2.end_date = TODAY
    cast.traj_x2.save()
    response = login(cast.contact_x_all).get(reverse("dashboards:home"))
    dashboard = response.context["dashboard"]
    open_rows = [t for t in dashboard.rows if not t.is_ended]
    assert [r.label for r in dashboard.timeline.rows] == [t.employee.full_name for t in open_rows]
    assert [r.week for r in dashboard.timeline.rows] == [t.facts.week for t in open_rows]
    assert response.content.decode().count('class="dot"') == len(open_rows)


def test_the_overview_charts_add_up_to_the_overview_figures(cast, login):
    for t, reason in ((cast.traj_x1, "new_job"), (cast.traj_x2, "recovered")):
        t.status, t.end_date, t.closing_reason = TrajectoryStatus.ENDED, TODAY, reason
        t.save()
    overview = login(cast.admin_a).get(reverse("dashboards:agency_overview")).context["overview"]
    assert sum(overview.placements_chart.series[0].values) == overview.closed_with_total == 1
    due, on_time = overview.reports_chart.series
    assert (sum(due.values), sum(on_time.values)) == (overview.reports.total, overview.reports.hits)


def test_long_periods_label_every_few_months():
    months = [f"m{n}" for n in range(36)]
    chart = charts.bar_chart(title="t", categories=months, series=[("a", [1] * 36)])
    assert len(chart.x_ticks) == 12
    assert chart.rows[0] == ("m0", [1])


def test_coordinates_use_a_decimal_point_on_a_dutch_page(cast, login):
    """A Dutch page writes numbers with a comma; an SVG coordinate like x="62,5" breaks."""
    import re

    _apply(cast.traj_x1, 0)
    html = login(cast.contact_x_all).get(reverse("dashboards:home")).content.decode()
    svg = html[html.index("<svg viewBox") : html.rindex("</svg>")]
    assert re.search(r' (?:x|y|x1|x2|y1|y2|cx|cy|width|height)="[^"]*,', svg) is None
    for points in re.findall(r'points="([^"]+)"', svg):  # "x,y x,y": one comma per pair
        assert all(re.fullmatch(r"[\d.]+,[\d.]+", pair) for pair in points.split()), points
