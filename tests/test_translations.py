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
