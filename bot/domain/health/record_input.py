"""The optional `cooperative` object of the assess input: the dates and facts the clinic and checklist need."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any

from bot.domain.health.compliance import CooperativeRecord

DATE_FIELDS = ("founded_on", "last_rat_date", "rat_reported_on", "nik_expires_on", "ods_updated_on")
BOOL_FIELDS = ("is_kkmp", "has_savings_and_loan_unit", "has_nib", "has_npwp", "ad_art_sop", "separate_books",
               "kkmp_data_entered", "audited")  # fmt: skip
RECORD_KEYS = ("as_of", "tags", "readiness", "last_rat_book_year", "loans_outstanding", *DATE_FIELDS, *BOOL_FIELDS)


def _date(value: Any, path: str, problems: list[str]) -> date | None:
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(f"{path}: must be a date YYYY-MM-DD")
    return None


def parse_record(
    value: Any, cooperative_type: str, problems: list[str]
) -> tuple[CooperativeRecord | None, date | None, list[str]]:
    """The record, the assessment date (`as_of`) and the unknown keys; problems are appended."""
    if not isinstance(value, dict):
        problems.append("cooperative: must be an object of dates and yes/no facts")
        return None, None, []
    unknown = [str(k) for k in value if k not in RECORD_KEYS]
    found: dict[str, Any] = {"cooperative_type": cooperative_type}
    for key in DATE_FIELDS:
        if value.get(key) is not None:
            found[key] = _date(value[key], f"cooperative.{key}", problems)
    for key in BOOL_FIELDS:
        if key in value and value[key] is not None:
            if isinstance(value[key], bool):
                found[key] = value[key]
            else:
                problems.append(f"cooperative.{key}: must be true, false or null")
    year = value.get("last_rat_book_year")
    if year is not None:
        if isinstance(year, int) and not isinstance(year, bool) and 1900 <= year <= 2200:
            found["last_rat_book_year"] = year
        else:
            problems.append("cooperative.last_rat_book_year: must be a year such as 2025")
    loans = value.get("loans_outstanding")
    if loans is not None:
        if isinstance(loans, (int, Decimal)) and not isinstance(loans, bool) and loans >= 0:
            found["loans_outstanding"] = Decimal(loans)
        else:
            problems.append("cooperative.loans_outstanding: must be a number of rupiah, 0 or more")
    tags = value.get("tags", [])
    if isinstance(tags, list) and all(isinstance(t, str) for t in tags):
        found["tags"] = frozenset(tags)
    else:
        problems.append('cooperative.tags: must be a list of words such as "kkmp" or "kopontren"')
    readiness = value.get("readiness", {})
    if isinstance(readiness, dict) and all(isinstance(v, bool) for v in readiness.values()):
        found["readiness"] = {str(k): v for k, v in readiness.items()}
    else:
        problems.append("cooperative.readiness: must be an object of item: true/false")
    as_of = _date(value["as_of"], "cooperative.as_of", problems) if value.get("as_of") is not None else None
    assert set(found) <= {f.name for f in fields(CooperativeRecord)}
    return CooperativeRecord(**found), as_of, unknown
