"""Downgrade and override facts of §7.2: turned into `flag:` warnings, never applied to the score."""

from __future__ import annotations

from bot.domain.health.keys import SPECIAL_SUPERVISION_FLAGS

FACTS = {
    "legal_violation": "breach of law or regulation",
    "late_or_wrong_books": "bookkeeping late or wrong",
    "lending_outside_procedure": "loans granted outside the written procedure",
    "missed_reports_3x": "failed to report three times in a row",
    "unaudited_over_2_5bn": "loan volume above Rp 2.5 billion not audited by a public accountant",
    "usp_manager_without_authority": "USP manager without delegated authority",
    "internal_dispute": "dispute among organs or members",
    "outside_interference": "interference by outside parties",
    "engineered_books": "engineered books (rekayasa pembukuan)",
    "unrecorded_business": "business not recorded in the books",
    "no_rat_2_years": "no RAT for two consecutive book years",
}


def points_to_special_supervision(flags: tuple[str, ...]) -> bool:
    """Whether any flag points to dalam_pengawasan_khusus (puts the cooperative on the review list)."""
    return any(f in SPECIAL_SUPERVISION_FLAGS for f in flags)


def flag_warnings(flags: tuple[str, ...]) -> list[str]:
    """One `flag:` warning per true flag."""
    out = []
    for flag in flags:
        effect = (
            "points towards dalam_pengawasan_khusus regardless of the score"
            if flag in SPECIAL_SUPERVISION_FLAGS
            else "downgrade factor"
        )
        out.append(f"flag: {flag}: {FACTS[flag]}; {effect}; category NOT changed automatically, officer decides")
    return out
