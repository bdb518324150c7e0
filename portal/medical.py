"""The medical-words guard: before text reaches an employer (a conversation shared with the
employer, a report's narrative) it is scanned against the word list in
``portal/data/medical_words_nl.txt``, and the writer confirms or rephrases. The employer must
never learn a diagnosis or cause of illness (domain.md §5). It warns, it never blocks on its
own: a confirmed text goes through, and the confirmation is audited."""

import re
import unicodedata
from functools import cache
from pathlib import Path

WORDS_FILE = Path(__file__).parent / "data" / "medical_words_nl.txt"
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _plain(text: str) -> str:
    """Lower case without accents: "Bètablokker" and "betablokker" are one word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


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
            if m.group() in words or m.group().startswith(stems)
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
