"""The documented format is the one the code reads (docs/transfer.md)."""

import json
import re
from pathlib import Path

from overdracht import format as fmt

DOC = Path(__file__).resolve().parents[2] / "docs" / "transfer.md"


def examples() -> list:
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", DOC.read_text(), re.S)]


def test_the_documented_example_parses_without_an_error(db):
    manifest, trajectory = examples()
    assert (manifest["format"], manifest["version"]) == (fmt.FORMAT, fmt.VERSION)
    values, errors = fmt.parse(trajectory)
    assert errors == {}
    assert values["key"] == "RAP-2026-0142"


def test_every_field_the_format_reads_is_documented():
    text = DOC.read_text()
    names = {*fmt.EMPLOYEE_FIELDS, *fmt.CASE_FIELDS, *fmt.TRAJECTORY_FIELDS,
             *fmt.SEARCH_PROFILE_FIELDS, *fmt.APPLICATION_FIELDS, *fmt.REPORT_FIELDS}  # fmt: skip
    for _key, _model, fields, _user in fmt.LISTS:
        names.update(fields)
    for _key, _model, fields in fmt.SINGLES:
        names.update(fields)
    undocumented = sorted(n for n in names if not re.search(rf"\b{n}\b", text))
    assert undocumented == []


def test_a_missing_history_date_is_an_error_not_today():
    """A conversation without its date would land on the day of the import."""
    _manifest, trajectory = examples()
    del trajectory["conversations"][0]["date"]
    values, errors = fmt.parse(trajectory)
    assert values is None
    assert list(errors) == ["conversations[0].date"]
