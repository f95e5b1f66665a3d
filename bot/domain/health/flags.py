"""Downgrade and override facts of §7.2: turned into `flag:` notes, never applied to the score."""

from __future__ import annotations

from bot.domain.health.keys import SPECIAL_SUPERVISION_FLAGS
from bot.domain.health.notes import Note, note


def points_to_special_supervision(flags: tuple[str, ...]) -> bool:
    """Whether any flag points to dalam_pengawasan_khusus (puts the cooperative on the review list)."""
    return any(f in SPECIAL_SUPERVISION_FLAGS for f in flags)


def flag_notes(flags: tuple[str, ...]) -> list[Note]:
    """One `flag:` note per true flag."""
    return [
        note("flag", "flag_special" if flag in SPECIAL_SUPERVISION_FLAGS else "flag_downgrade", flag=flag)
        for flag in flags
    ]
