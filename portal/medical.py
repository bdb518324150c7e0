"""The medical-words guard: before text reaches an employer (a conversation shared with the
employer, a report's narrative) it is scanned against the word list in
``portal/data/medical_words_nl.txt``, and the writer confirms or rephrases. The employer must
never learn a diagnosis or cause of illness (domain.md §5). It warns, it never blocks on its
own: a confirmed text goes through, and the confirmation is audited.

Text is normalised before it is matched, so that a word is found however it is written:
Unicode NFKC (full-width and ligature forms), format characters removed (a zero-width space or
soft hyphen inside a word), look-alike letters of other scripts read as the Latin letter they
imitate (Unicode's confusables table, through ``confusable_homoglyphs``: a Cyrillic "\\u0435"),
accents dropped, and a word with digits in it read with the digits as the letters they stand
for ("h3rnia") and as its runs of letters ("hernia2").

``EMPLOYER_TEXT`` lists every free-text field an employer contact can read, with where it is
checked; ``EXEMPT`` every other one with the reason (``tests/portal/test_medical_words.py``
fails on a field in neither).
"""

import re
import unicodedata
from functools import cache
from pathlib import Path

from confusable_homoglyphs import confusables

WORDS_FILE = Path(__file__).parent / "data" / "medical_words_nl.txt"
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LETTERS = re.compile(r"[a-z]{3,}")
#: Digits written for the letters they look like.
_LEET = (str.maketrans("0134578", "oieastb"), str.maketrans("0134578", "olea5tb"))


@cache
def _latin(char: str) -> str:
    """The Latin letter or digit that ``char`` imitates (Unicode's confusables), else itself."""
    if char.isascii():
        return char
    found = confusables.is_confusable(char, preferred_aliases=["latin"], greedy=True)
    for glyph in found[0]["homoglyphs"] if found else ():
        if len(glyph["c"]) == 1 and glyph["c"].isascii() and glyph["c"].isalnum():
            return glyph["c"]
    return char


def _plain(text: str) -> str:
    """Lower case, without accents, format characters or look-alikes: "Bètablokker",
    "beta\\u200bblokker" and "b\\u0435tablokker" (a Cyrillic e) are all "betablokker"."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(_latin(c) for c in text if unicodedata.category(c) != "Cf")
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _readings(token: str) -> set[str]:
    """The ways a word may be meant: as written, and with digits in it as letters or left
    out between its runs of letters."""
    if token.isalpha() or not any(c.isalpha() for c in token):
        return {token}
    return {token, *(token.translate(table) for table in _LEET), *_LETTERS.findall(token)}


@cache
def _terms() -> tuple[frozenset, tuple, tuple]:
    words, stems, phrases = set(), [], []
    for line in WORDS_FILE.read_text(encoding="utf-8").splitlines():
        term = _plain(line.strip())
        if not term or term.startswith("#"):
            continue
        if " " in term:
            phrases.append(term.rstrip("*"))
        elif term.endswith("*"):
            stems.append(term[:-1])
        else:
            words.add(term)
    return frozenset(words), tuple(stems), tuple(phrases)


#: Every free-text field an employer contact can read (a model of ``portal.access`` whose rule
#: lets them see it), and the service that checks it before the employer can read it.
EMPLOYER_TEXT = {
    "trajecten.conversationreport": {
        "fields": ("participants", "summary", "agreements", "next_appointment"),
        "checked_by": "trajecten.services.records.record_save (when shared with the employer)",
    },
    "trajecten.workcapacity": {
        "fields": ("possibilities", "limitations"),
        "checked_by": "trajecten.services.records.record_save",
    },
    "trajecten.searchprofile": {
        "fields": ("sectors", "kinds_of_work", "region", "change_note"),
        "checked_by": "trajecten.services.records.search_profile_save",
    },
    "trajecten.searchfunction": {
        "fields": ("title", "reason"),
        "checked_by": "trajecten.services.records.search_profile_save",
    },
    "trajecten.document": {
        "fields": ("title", "original_name"),  # the uploaded file's name is shown too
        "checked_by": "trajecten.services.records.record_save (when shared with the employer)",
    },
    "rapportages.report": {
        "fields": (
            "progress",
            "results",
            "obstacles",
            "evaluation",
            "next_steps",
            "correction_note",
            "employee_view",
        ),
        "checked_by": "rapportages.services.responses.report_offer, writing.employee_view_set",
    },
    "rapportages.reportresponse": {
        "fields": ("reason",),
        "checked_by": "rapportages.services.responses.report_respond",
    },
    "trajecten.trajectory": {
        "fields": ("closing_note",),
        "checked_by": "trajecten.services.closing.trajectory_close",
    },
    "trajecten.message": {
        "fields": ("body",),
        "checked_by": "trajecten.messaging.message_post (written by agency staff)",
    },
    "sollicitaties.applicationnorm": {
        "fields": ("reason",),
        "checked_by": "sollicitaties.services.norm_set",
    },
    "rapportages.rivexception": {
        "fields": ("reason",),
        "checked_by": "rapportages.services.riv.riv_exception_sign",
    },
}

#: The other free-text fields an employer contact can read, and why no check is needed.
EXEMPT = {
    "trajecten.workcapacity": {
        "advice_author": "the name of who gave the advice (company doctor, labour expert)",
        "fml_reference": "the reference of the FML document, a code",
    },
    "trajecten.searchprofile": {"wage_indication": "an amount or range"},
    "trajecten.placement": {
        "new_employer": "the name of the new employer",
        "function": "the name of the new job",
    },
    "sollicitaties.applicationactivity": {
        "organisation": "the employer applied to",
        "vacancy_title": "the vacancy's title",
        "vacancy_url": "the vacancy's address",
        "place": "a town",
        "contact_person": "a name at the employer applied to",
        "notes": "never shown to an employer: private to the employee and the agency "
        "(access.sees_private_notes)",
        "idempotency_fingerprint": "a hash of what the phone sent, never shown",
    },
    "sollicitaties.tempagencyregistration": {"agency_name": "the name of a temp agency"},
    "trajecten.document": {"content_type": "a file type the portal detects"},
    "sollicitaties.evidence": {
        "original_name": "the name of the employee's own proof of an application, which they "
        "choose to upload; shared with the employer only where the agency shares evidence",
        "content_type": "a file type the portal detects",
    },
    "rapportages.report": {
        "pdf_error": "a system message while the PDF is made (an employer sees no signed draft)",
        "review_sha256": "a hash of the text given out",
        "pdf_sha256": "a hash of the PDF",
        "signed_elsewhere_by": "the name of who signed a report in the system the file came "
        "from (overdracht)",
    },
    "rapportages.reportresponse": {
        "content_sha256": "a hash of the text responded to",
        "authenticated_by": "how the respondent signed in, a label the portal writes",
    },
    "rapportages.bundlejob": {
        "pdf_sha256": "a hash",
        "zip_sha256": "a hash",
        "error": "a system message about making the file",
    },
    "kwaliteit.surveyinvitation": {
        "email": "never shown: survey answers are read only as aggregates",
        "language": "a language code",
        "comment": "never shown to an employer (kwaliteit.outcomes: comments for staff only)",
    },
    "rapportages.rivexception": {
        "rule": "the key of a rule of the RIV check, written by the portal",
        "subject": "the key of a WvP step or report, written by the portal",
    },
    "trajecten.trajectory": {
        "contact_preferences": "how and when the employee likes to be reached, asked at "
        "referral by the employer itself",
        "external_ref": "the trajectory's key in the system it came from, a code",
    },
}


def medical_words(*texts: str) -> list[str]:
    """The medical words found in ``texts``, as written, in order, each once."""
    words, stems, phrases = _terms()
    found: list[str] = []
    for text in texts:
        if not text:
            continue
        plain = _plain(text)
        hits = [
            (m.start(), m.end())
            for m in _WORD.finditer(plain)
            if any(r in words or r.startswith(stems) for r in _readings(m.group()))
        ]
        for phrase in phrases:
            pattern = rf"\b{re.escape(phrase)}[a-z0-9-]*"
            hits += [(m.start(), m.end()) for m in re.finditer(pattern, plain)]
        for start, end in _outermost(hits):
            # The same positions in the original text: NFKD may lengthen it, so re-find.
            word = _original(text, plain, start, end)
            if word.lower() not in (w.lower() for w in found):
                found.append(word)
    return found


def _outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping hits as one, the longest first: "psychische klachten", not "psychische"."""
    kept: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end))
    return kept


def _original(text: str, plain: str, start: int, end: int) -> str:
    if len(text) == len(plain):
        return text[start:end]
    return plain[start:end]


def check(words: list[str], *, confirmed: bool, field: str = "medical_confirmed") -> None:
    """Refuse (at ``field``) while medical words are unconfirmed: the writer rephrases, or
    confirms that the text may be shared. Nothing found, or confirmed: nothing happens."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if words and not confirmed:
        raise ValidationError(
            {
                field: _(
                    "These words may be medical: %(words)s. The employer must never learn a "
                    "diagnosis or cause of illness. Rephrase the text, or tick the box to "
                    "confirm that it may be shared."
                )
                % {"words": ", ".join(f"“{w}”" for w in words)}
            }
        )
