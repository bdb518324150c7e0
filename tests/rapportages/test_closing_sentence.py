"""The closing sentence of a final report ends with one full stop, whatever the note ends in
(issue 39, item 6: "Gelukt!." and "(zie verslag.).")."""

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

from rapportages import content


@pytest.mark.parametrize(
    ("note", "printed"),
    [
        ("", "Reden: Nieuwe baan bij een andere werkgever."),
        ("Start bij Jumbo", "Reden: Nieuwe baan bij een andere werkgever: Start bij Jumbo."),
        ("Start bij Jumbo.", "Reden: Nieuwe baan bij een andere werkgever: Start bij Jumbo."),
        ("Gelukt!", "Reden: Nieuwe baan bij een andere werkgever: Gelukt!"),
        ("Via Randstad (zie verslag.)", "werkgever: Via Randstad (zie verslag.)"),
        ("Via Randstad (proeftijd)", "werkgever: Via Randstad (proeftijd)."),
        ("Echt?", "werkgever: Echt?"),
    ],
)
def test_the_closing_sentence_ends_once(note, printed):
    trajectory = SimpleNamespace(
        closing_note=note,
        get_closing_reason_display=lambda: "Nieuwe baan bij een andere werkgever",
        ended_with_placement=True,
        end_date=None,
    )
    s = {"closing": content._closing(trajectory)}
    html = " ".join(render_to_string("rapportages/_body.html", {"s": s}).split())
    sentence = html.split("Het traject is op", 1)[1].split("</p>", 1)[0]
    assert sentence.endswith(printed)
    assert not any(bad in sentence for bad in ("!.", ".).", "?.", ".."))


def test_the_last_norm_period_of_an_ended_trajectory_ends_on_its_end_date(db, cast):
    """Issue 39, item 6: "17-10-2026 – 13-11-2026 … deelperiode" for a trajectory ended on
    8 November."""
    from datetime import date

    from tests.factories import TrajectoryFactory

    t = TrajectoryFactory(
        legal_entity=cast.x1, specialist=cast.specialist_a, status="ended",
        start_date=date(2026, 8, 22), referral_date=date(2026, 8, 20),
        end_date=date(2026, 11, 8), closing_reason="new_job",
    )  # fmt: skip
    norm = content._norm(t, date(2026, 8, 22), content._File(t, date(2026, 11, 8), []))
    last = norm["periods"][-1]
    assert last["partial"] and last["period"] == "17-10-2026 – 08-11-2026"
    assert all(p["period"].endswith(("-2026",)) for p in norm["periods"])
