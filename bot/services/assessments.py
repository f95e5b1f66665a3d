"""From a stored report revision to health assessments: which framework, which figures, which flags."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import forms
from bot.domain.figures import COMPLIANCE_FACTS
from bot.domain.health import keys
from bot.domain.health.assessment import assess
from bot.domain.health.clinic import Treatment, treat
from bot.domain.health.compliance import CooperativeRecord
from bot.domain.health.flags import points_to_special_supervision
from bot.domain.health.inputs import InputProblems
from bot.domain.health.result import HealthResult, Result
from bot.domain.health.rules import Rules
from bot.domain.periods import Period, months_elapsed
from storage.models import Assessment, Cooperative, ReportRevision
from storage.repositories import Repositories


@dataclass(frozen=True)
class Scored:
    """One assessment of a report: the framework's result, or why it could not be computed."""

    framework: str
    cooperative_type: str
    result: Result | None
    problems: tuple[str, ...] = ()


def exact_json(value: Any) -> Any:
    """The result as storable JSON: Decimals become their exact decimal strings, never floats."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: exact_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [exact_json(v) for v in value]
    return value


def is_savings_and_loan(cooperative: Cooperative) -> bool:
    """KSP and USP cooperatives are scored with the official Perdep 06/2016 framework only."""
    return cooperative.type in keys.SAVINGS_AND_LOAN_TYPES


def frameworks_for(cooperative: Cooperative) -> list[tuple[str, str]]:
    """(framework, cooperative_type) pairs that apply: KSP/USP official; others indicative, plus their unit."""
    if is_savings_and_loan(cooperative):
        return [(keys.PERDEP, cooperative.type)]
    pairs = [(keys.INDICATIVE, cooperative.type)]
    if cooperative.has_savings_unit:
        pairs.append((keys.PERDEP, "usp"))
    return pairs


def figures_for(framework: str, figures: dict[str, Any]) -> dict[str, str]:
    """The figures one framework reads from a report's answers, keyed by the specification's figure keys."""
    found = forms.figures_for(forms.load_form().questions, {k: str(v) for k, v in figures.items()}, framework)
    return {key: format(value, "f") for key, value in found.items()}


def management_counts(answers: dict[str, bool]) -> dict[str, int] | None:
    """ "ya" counts per sub-aspect from item answers keyed management.<sub>.<n>; None when none were given."""
    if not answers:
        return None
    counts = dict.fromkeys(keys.MANAGEMENT_SUBS, 0)
    for item, yes in answers.items():
        parts = item.split(".")
        if len(parts) == 3 and parts[1] in counts and yes:
            counts[parts[1]] += 1
    return counts


def derived_flags(cooperative: Cooperative, period: Period, submitted_periods: set[str]) -> list[str]:
    """Flags the bot knows itself: no RAT for two book years, three missed monthly reports in a row."""
    flags = []
    end = period.end_date()
    if cooperative.rat_date is not None and (end - cooperative.rat_date).days > 2 * 366:
        flags.append("no_rat_2_years")
    previous = [period.previous(), period.previous().previous(), period.previous().previous().previous()]
    if cooperative.created_at.date() < previous[-1].end_date() and not any(
        str(p) in submitted_periods for p in previous
    ):
        flags.append("missed_reports_3x")
    return flags


def score_figures(
    cooperative: Cooperative,
    period: Period,
    figures: dict[str, Any],
    management: dict[str, bool],
    rules: Rules,
    flags: list[str] | None = None,
) -> list[Scored]:
    """Every assessment that applies to this cooperative's figures for `period`."""
    elapsed = months_elapsed(period, cooperative.fiscal_year_start_month)
    scored = []
    for framework, type_ in frameworks_for(cooperative):
        data: dict[str, Any] = {
            "framework": framework,
            "cooperative_type": type_,
            "months_elapsed": elapsed,
            "figures": figures_for(framework, figures),
            "flags": dict.fromkeys(flags or [], True),
        }
        counts = management_counts(management) if framework == keys.PERDEP else None
        if counts is not None:
            data["management"] = counts
        outcome = assess(data, rules)
        if isinstance(outcome, InputProblems):
            scored.append(Scored(framework, type_, None, outcome.problems))
        else:
            scored.append(Scored(framework, type_, outcome))
    return scored


def weak_points(result: Result) -> list[str]:
    """The aspects that lost the most points (up to three), or the indicators in a weak or watch band."""
    if isinstance(result, HealthResult):
        losing = sorted((a for a in result.aspects if a.score < a.weight), key=lambda a: a.score - a.weight)
        return [a.key for a in losing[:3]]
    return [i.key for i in result.indicators if i.band in ("weak", "watch")]


def clinic_json(treatment: Treatment, result: Result) -> tuple[dict[str, Any], dict[str, Any]]:
    """The diagnosis (state, findings, weak points) and the prescription (plan, compliance steps) as stored."""
    contract = treatment.to_dict()
    diagnosis = {"state": treatment.state, "findings": contract["diagnosis"], "weak": weak_points(result)}
    return diagnosis, {"coaching": contract["coaching"], "compliance": contract["compliance"]}


READINESS = "compliance.ready_"  # the form's readiness items (KKMP, kopontren), asked until in place


def record_of(cooperative: Cooperative, answers: dict[str, bool]) -> CooperativeRecord:
    """What the checklist and the clinic know of a cooperative: its dates, tags and the yes/no facts answered."""
    facts: dict[str, Any] = {
        fact.record_field: answers[f"compliance.{key}"]
        for key, fact in COMPLIANCE_FACTS.items()
        if fact.kind == "yesno" and f"compliance.{key}" in answers
    }
    rat = cooperative.rat_date
    readiness = {k.removeprefix(READINESS): v for k, v in answers.items() if k.startswith(READINESS)}
    if "compliance.nib" in answers:  # asked of every cooperative; a readiness item of a KKMP too
        readiness["nib"] = answers["compliance.nib"]
    return CooperativeRecord(
        cooperative_type=cooperative.type,
        is_kkmp="kkmp" in (cooperative.tags or ()),
        has_savings_and_loan_unit=cooperative.has_savings_unit,
        last_rat_book_year=None if rat is None else rat.year - 1,
        last_rat_date=rat,
        rat_reported_on=cooperative.ods_updated_on,  # the RAT is reported to the Dinas through ODS
        nik_expires_on=cooperative.nik_valid_until,
        founded_on=cooperative.founded_on,
        ods_updated_on=cooperative.ods_updated_on,
        tags=frozenset(cooperative.tags or ()),
        readiness=readiness,
        **facts,
    )


async def assess_revision(
    repos: Repositories, cooperative: Cooperative, period: Period, revision: ReportRevision, rules: Rules
) -> list[Scored]:
    """Score a submitted revision and store each result with the rules' version."""
    answers = {key: row.answer for key, row in (await repos.management.answers(cooperative.id)).items()}
    submitted = set(await repos.reports.submitted_periods(cooperative.id))
    scored = score_figures(
        cooperative, period, revision.figures, answers, rules, derived_flags(cooperative, period, submitted)
    )
    record = record_of(cooperative, answers)
    today = revision.created_at.astimezone(ZoneInfo(cooperative.timezone)).date()
    for item in scored:
        if item.result is None:
            continue
        result_json = exact_json(item.result.to_dict())
        total = result_json.get("total")
        diagnosis, prescription = clinic_json(treat(item.result, rules, "id", record, today), item.result)
        await repos.assessments.add(
            Assessment(
                cooperative_id=cooperative.id,
                revision_id=revision.id,
                period=str(period),
                framework=item.framework,
                official=False,
                provisional=bool(result_json.get("provisional", True)),
                total=Decimal(total) if total is not None else None,
                category=result_json.get("category"),
                result=result_json,
                rules_hash=rules.version_hash,
                standing="provisional",
                special_flag=points_to_special_supervision(item.result.flags),
                diagnosis=diagnosis,
                prescription=prescription,
                created_at=revision.created_at,
            )
        )
    return scored
