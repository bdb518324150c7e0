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
