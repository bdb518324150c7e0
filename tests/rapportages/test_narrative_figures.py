"""Free text that contradicts the figures (issue 39, item 7): numbers in the narrative that
name a figure of the report and differ from it are said at the field before the text is fixed
(given out, the first step of signing); keeping them is confirmed and audited. A starting text
for "voortgang" is written from the period's own figures, for the specialist to edit."""

import re
from datetime import date, datetime, time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from rapportages import content, narrative
from rapportages.models import Report

#: The draft fixture's period is 4 May - 3 August 2026; its file has four activities in it
#: (three counting), one conversation shared and two not, none invited but one (Jumbo).
OFFER_DAY = date(2026, 8, 4)


@pytest.fixture(autouse=True)
def _on_offer_day():
    with time_machine.travel(timezone.make_aware(datetime.combine(OFFER_DAY, time(10))),
                             tick=False):  # fmt: skip
        yield


def _blocks(report):
    return content.build(report, today=OFFER_DAY)


def test_the_numbers_that_name_a_figure_are_read(draft):
    blocks = _blocks(draft)
    assert narrative.figures(blocks) == {
        "total": 4, "counting": 3, "applications": 3, "contacts": 3, "invited": 1,
    }  # fmt: skip
    text = {
        "progress": "In deze periode 4 sollicitatieactiviteiten, waarvan 10 meetellend.",
        "evaluation": "De norm is gehaald in 2 van de 3 normperioden; 3 gesprekken gevoerd, "
        "1 uitnodiging. Er waren 7 contactmomenten en 12 weken rust.",
        "results": "Ruim 5 sollicitaties, 2 meetellende activiteiten (norm: 9 meetellende "
        "activiteiten per 4 weken, 4 sollicitaties per week).",
    }
    found = narrative.mismatches(text, blocks)
    assert list(found) == ["progress", "results", "evaluation"]
    assert "“10 meetellend”: de rapportage telt er 3" in found["progress"][0]
    assert [m.split("”")[0] for m in found["results"]] == [
        "“5 sollicitaties", "“2 meetellende activiteiten"
    ]  # fmt: skip
    assert len(found["evaluation"]) == 1 and "7 contactmomenten" in found["evaluation"][0]


def test_the_sign_page_says_it_at_the_field_and_offering_needs_a_confirmation(
    cast, draft, login, api
):
    Report.objects.filter(pk=draft.pk).update(
        progress="In deze periode 4 sollicitatieactiviteiten, waarvan 10 meetellend."
    )
    client = login(cast.specialist_a)
    page = client.get(reverse("rapportages:sign", args=[draft.uuid])).content.decode()
    field = page.split('id="id_progress"', 1)[1].split('class="field', 1)[0]
    error = re.search(r'<p class="error" role="alert">(.*?)</p>', field, re.S).group(1)
    assert "10 meetellend" in error and "3" in error  # the message sits at its field
    assert 'name="figures_confirmed"' in page

    refused = client.post(reverse("rapportages:offer", args=[draft.uuid]), follow=True)
    draft.refresh_from_db()
    assert draft.review_requested_at is None
    assert "cijfers" in refused.redirect_chain[-1][0]
    # Through the API: the fields are named.
    answer = api(cast.specialist_a).post(f"/api/v1/reports/{draft.uuid}/offer/", {}, format="json")
    assert answer.status_code == 400
    assert {"progress", "figures_confirmed"} <= set(answer.json()["fields"])

    kept = client.post(reverse("rapportages:offer", args=[draft.uuid]),
                       {"figures_confirmed": "on"})  # fmt: skip
    assert kept.status_code == 302
    draft.refresh_from_db()
    assert draft.review_requested_at is not None
    event = AuditEvent.objects.filter(details__has_key="narrative_figures_confirmed").get()
    assert "10 meetellend" in str(event.details)


def test_the_starting_text_is_written_from_the_figures_and_passes_its_own_check(
    cast, draft, login, api
):
    Report.objects.filter(pk=draft.pk).update(progress="")
    client = login(cast.specialist_a)
    page = client.get(reverse("rapportages:detail", args=[draft.uuid])).content.decode()
    assert "?begintekst=1" in page
    page = client.get(reverse("rapportages:detail", args=[draft.uuid]) + "?begintekst=1")
    textarea = re.search(r'<textarea name="progress"[^>]*>(.*?)</textarea>',
                         page.content.decode(), re.S).group(1)  # fmt: skip
    assert textarea.strip().startswith(
        "In deze periode 4 sollicitatieactiviteiten, waarvan 3 meetellend voor de norm"
    )
    assert "leidde er 1 tot een uitnodiging" in textarea
    assert "3 contactmomenten met de werknemer" in textarea
    via_api = api(cast.specialist_a).get(f"/api/v1/reports/{draft.uuid}/starting-text/").json()
    assert via_api["progress"] == narrative.starting_text(_blocks(draft))
    # Nothing was stored; saved as written, it is given out without a question.
    draft.refresh_from_db()
    assert draft.progress == ""
    Report.objects.filter(pk=draft.pk).update(progress=via_api["progress"])
    assert client.post(reverse("rapportages:offer", args=[draft.uuid])).status_code == 302
    draft.refresh_from_db()
    assert draft.review_requested_at is not None
    # Another agency's specialist gets no starting text.
    assert (
        api(cast.specialist_b).get(f"/api/v1/reports/{draft.uuid}/starting-text/").status_code
        == 404
    )
