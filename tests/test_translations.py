"""The nl, en and pl catalogues are complete, and the compiled .mo files match them."""

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale"


@pytest.mark.parametrize("language", ["nl", "en", "pl"])
def test_catalogue_is_complete_and_compiled(language):
    po = polib.pofile(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert not po.untranslated_entries(), [e.msgid for e in po.untranslated_entries()]
    assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()]
    mo = polib.mofile(LOCALE / language / "LC_MESSAGES" / "django.mo")
    compiled = {(e.msgid, e.msgstr or str(e.msgstr_plural)) for e in mo}
    source = {(e.msgid, e.msgstr or str(e.msgstr_plural)) for e in po.translated_entries()}
    assert source <= compiled, "run `make messages`: the .mo file is older than the .po file"


def test_placeholders_survive_translation():
    for language in ("nl", "pl"):
        for entry in polib.pofile(LOCALE / language / "LC_MESSAGES" / "django.po"):
            if entry.msgid_plural:
                continue
            for token in ("%s", "%(name)s", "%(agency)s", "%(days)s", "%(email)s"):
                assert entry.msgid.count(token) == entry.msgstr.count(token), entry.msgid


def _texts(language):
    for entry in polib.pofile(LOCALE / language / "LC_MESSAGES" / "django.po"):
        yield entry, [entry.msgstr, *entry.msgstr_plural.values()]


def test_the_dutch_ui_uses_one_form_of_address():
    """ "je" everywhere, in pages and emails: never the formal "u" or "uw"."""
    import re

    formal = re.compile(r"\b([Uu]w|[Uu])\b")
    found = [e.msgid for e, texts in _texts("nl") if any(formal.search(t) for t in texts)]
    assert not found, found


def test_polish_calls_a_job_application_zgloszenie_not_an_app():
    """ "aplikacja" reads as an app on a phone; a job application is a "zgłoszenie"."""
    found = [
        e.msgid
        for e, texts in _texts("pl")
        if "application" in e.msgid.lower()
        and "WIA" not in e.msgid
        and any("aplikac" in t.lower() for t in texts)
    ]
    assert not found, found


def test_counted_nouns_have_plural_forms():
    """A count in front of a noun goes through ngettext ("1 opdracht", "2 opdrachten")."""
    import re

    counted = re.compile(r"%\((n|m|count|days|h|used|left)\)s (tasks|assignments|minutes|weeks|"
                         r"days|rows|vacancies|temp agencies|counting activities)\b")  # fmt: skip
    found = [e.msgid for e, _ in _texts("en") if not e.msgid_plural and counted.search(e.msgid)]
    assert not found, found


@pytest.mark.parametrize(
    ("language", "counts", "expected"),
    [
        ("nl", (1, 1, 1, 1), ["1 actief traject", "1 aanmelding wacht op een intake",
                              "1 verlopen taak of opdracht", "1 rapportage te schrijven"]),
        ("nl", (2, 0, 3, 0), ["2 actieve trajecten", "0 aanmeldingen wachten op een intake",
                              "3 verlopen taken en opdrachten", "0 rapportages te schrijven"]),
        ("pl", (1, 2, 5, 0), ["1 aktywna ścieżka", "2 zgłoszenia czekają na rozmowę wstępną",
                              "5 zaległych zadań i poleceń", "0 raportów do napisania"]),
        ("en", (1, 0, 1, 2), ["1 active trajectory", "0 referrals waiting for an intake",
                              "1 overdue task or assignment", "2 reports due"]),
    ],
)  # fmt: skip
def test_the_day_cards_agree_with_their_numbers(language, counts, expected, rf):
    """Issue 40, item 5: "1 aanmeldingen wachten", Polish "0 raporty"."""
    import re

    from django.template.loader import render_to_string
    from django.utils import translation

    active, referred, overdue, reports = counts
    day = {"caseload": {"active": active, "referred": referred}, "overdue_count": overdue,
           "reports_count": reports}  # fmt: skip
    with translation.override(language):
        html = render_to_string("dashboards/_dashboard_specialist_live.html",
                                {"day": day, "request": rf.get("/")})  # fmt: skip
    cards = re.findall(r'<li class="figure">(.*?)</li>', html, re.S)
    texts = [" ".join(re.sub(r"<[^>]+>", " ", card).split()) for card in cards]
    assert texts[:4] == expected
