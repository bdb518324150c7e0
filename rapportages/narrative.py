"""The specialist's text beside the report's own figures (domain.md section 5).

A narrative that says "waarvan 10 meetellend" above a block that counts 9 contradicts the
report itself; UWV reads both. ``mismatches`` finds the numbers in the narrative that name a
figure of the report ("12 sollicitatieactiviteiten", "waarvan 9 meetellend", "3 gesprekken")
and differ from it; the writer corrects the text or confirms it (the confirmation is
audited): a number about something else ("in de vorige periode 8 sollicitaties") can be
right. Only digits are read; what a noun may mean is generous (a "gesprek" is a contact with
the specialist or a job interview), so a warning is a real difference, not a guess.

``starting_text`` writes a first "voortgang" from the period's own figures, which the
specialist edits: the figures in it agree with the blocks by construction.
"""

import re

from django.utils.translation import gettext as _

#: The narrative's fields, in the order the report prints them.
FIELDS = ("progress", "results", "obstacles", "evaluation", "next_steps")

#: A number, an optional "meetellende", and the word after it.
_NUMBER = re.compile(r"(?<![\d.,-])(\d{1,4})\s+(meetellende?\b\s*)?([a-zà-ÿ]+)", re.IGNORECASE)

#: What follows a rate, not a count: "per 4 weken", "per week".
_RATE = re.compile(r"\s+per\b", re.IGNORECASE)

#: Noun (lower case, singular and plural) -> which figures it may name.
NOUNS = {
    **dict.fromkeys(("activiteit", "activiteiten", "sollicitatieactiviteit",
                     "sollicitatieactiviteiten"), ("total",)),
    **dict.fromkeys(("sollicitatie", "sollicitaties"), ("total", "applications")),
    **dict.fromkeys(("meetellend", "meetellende"), ("counting",)),
    **dict.fromkeys(("gesprek", "gesprekken"), ("contacts", "invited")),
    **dict.fromkeys(("contact", "contacten", "contactmoment", "contactmomenten"), ("contacts",)),
    **dict.fromkeys(("uitnodiging", "uitnodigingen"), ("invited",)),
}  # fmt: skip


def figures(blocks: dict) -> dict[str, int]:
    """The report's own figures that a narrative may name, from its blocks."""
    a = blocks.get("applications") or {}
    return {
        "total": a.get("total", 0),
        "counting": a.get("counting", 0),
        "applications": sum(1 for row in a.get("table", []) if row.get("result")),
        "contacts": len(blocks.get("contacts") or []),
        "invited": a.get("invited", 0),
    }


def _named(number: str, counting: str | None, noun: str) -> tuple[int, tuple] | None:
    if counting:
        return int(number), ("counting",)
    kinds = NOUNS.get(noun.lower())
    return (int(number), kinds) if kinds else None


def mismatches(narrative: dict, blocks: dict) -> dict[str, list[str]]:
    """Per narrative field, a message for each number that names a figure of the report and
    differs from it (in the user's language; the figures are the report's)."""
    have = figures(blocks)
    found: dict[str, list[str]] = {}
    for field in FIELDS:
        text = narrative.get(field) or ""
        for match in _NUMBER.finditer(text):
            named = _named(*match.groups())
            if named is None or _RATE.match(text, match.end()):
                continue  # not a figure, or a rate ("4 meetellende activiteiten per 4 weken")
            value, kinds = named
            if any(have[k] == value for k in kinds):
                continue
            found.setdefault(field, []).append(
                _(
                    "“%(text)s”: the report counts %(figure)s in this period. Correct the text, "
                    "or tick the box to keep it."
                )
                % {"text": match.group(0).strip(), "figure": have[kinds[0]]}
            )
    return found


def starting_text(blocks: dict) -> str:
    """A first "voortgang" (Dutch, as reports are) from the period's own figures."""
    a, norm = blocks["applications"], blocks["norm"]
    f = figures(blocks)
    lines = []
    if a["total"]:
        lines.append(
            f"In deze periode {a['total']} "
            f"{'sollicitatieactiviteit' if a['total'] == 1 else 'sollicitatieactiviteiten'}, "
            f"waarvan {a['counting']} meetellend voor de norm ({norm['description']})."
        )
        if f["applications"]:
            lines.append(
                f"Van de {f['applications']} sollicitaties bij werkgevers "
                + ("leidde er 1 tot een uitnodiging." if f["invited"] == 1
                   else f"leidden er {f['invited']} tot een uitnodiging.")
            )  # fmt: skip
    else:
        lines.append("In deze periode zijn geen sollicitatieactiviteiten vastgelegd.")
    if norm["complete"]:
        lines.append(
            f"De norm is gehaald in {norm['met']} van de {norm['complete']} afgeronde "
            f"{'normperiode' if norm['complete'] == 1 else 'normperioden'}."
        )
    contacts = f["contacts"]
    lines.append(
        f"{contacts} {'contactmoment' if contacts == 1 else 'contactmomenten'} met de werknemer."
        if contacts
        else "Geen contactmomenten met de werknemer in deze periode."
    )
    trainings = blocks.get("trainings") or []
    if trainings:
        lines.append(
            "Trainingen en testen: "
            + "; ".join(f"{t['name']} ({t['status'].lower()})" for t in trainings)
            + "."
        )
    changes = [c for c in blocks["search_profile"]["changes"] if c["version"] > 1]
    if changes:
        lines.append(f"Het zoekprofiel is per {changes[-1]['valid_from']} bijgesteld "
                     f"(versie {changes[-1]['version']}).")  # fmt: skip
    return " ".join(lines)
