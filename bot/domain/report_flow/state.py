"""The state of one report conversation: its context, one input, and the JSON-serialisable progress."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, Literal

from bot.domain.check_rules import RuleSet

Stage = Literal["asking", "confirm_change", "confirm_group", "summary", "reason", "done", "cancelled"]
Lang = Literal["id", "en"]
STAGES: Final = ("asking", "confirm_change", "confirm_group", "summary", "reason", "done", "cancelled")
YES: Final = "ya"
NO: Final = "tidak"


@dataclass(frozen=True)
class Context:
    """What the engine needs besides the answers: last period's answers, the officer's language, the stored yearly
    answers, and facts about the cooperative the checks read (its members).

    The office's forms (a new training, an announcement) set `now` and `zone` (moments are read in the office's zone
    and checked against now), their own `rules` (none), no help offer (`help_every=0`) and no typed control words
    ("sama", "tetap", "lewati" are answers there, e.g. a title)."""

    previous: Mapping[str, str] = field(default_factory=dict)
    lang: Lang = "id"
    carried: Mapping[str, str] = field(default_factory=dict)  # stored answers confirmed per sub-aspect (§8.3)
    facts: Mapping[str, Decimal | int | None] = field(default_factory=dict)
    now: datetime | None = None
    zone: str = "Asia/Jakarta"
    rules: RuleSet | None = None  # None: the monthly report's
    help_every: int = 3  # after every third failure at one question: skip / pause / help (0: never)
    control_words: bool = True


@dataclass(frozen=True)
class UserInput:
    """One thing the officer did: typed text or chose an option."""

    text_value: str | None = None
    choice: str | None = None

    @classmethod
    def text(cls, value: str) -> UserInput:
        return cls(text_value=value)

    @classmethod
    def choose(cls, option_id: str) -> UserInput:
        return cls(choice=option_id)


@dataclass(frozen=True)
class Progress:
    """The state of one report conversation; JSON-serialisable."""

    answers: Mapping[str, str] = field(default_factory=dict)
    current: str | None = None
    failures: int = 0
    pending: str | None = None
    stage: Stage = "asking"
    editing: str | None = None  # a section id (asked through), or "item:<key>" (one figure, then the summary)
    listing: str | None = None  # the section whose numbered lines the summary shows
    confirmed: Mapping[str, str] = field(default_factory=dict)  # warning id -> reason ("" when confirmed as asked)
    skipped: tuple[str, ...] = ()
    groups_done: tuple[str, ...] = ()  # sub-aspects whose "Masih sama?" was answered
    carried: tuple[str, ...] = ()  # answers kept by "Masih sama" (not answered anew)

    def to_json(self) -> dict[str, Any]:
        return {
            "v": 1,
            "answers": dict(self.answers),
            "current": self.current,
            "failures": self.failures,
            "pending": self.pending,
            "stage": self.stage,
            "editing": self.editing,
            "listing": self.listing,
            "confirmed": dict(self.confirmed),
            "skipped": list(self.skipped),
            "groups_done": list(self.groups_done),
            "carried": list(self.carried),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Progress:
        """Rebuild from `to_json`; raises ValueError on a malformed document."""
        stage = raw.get("stage", "asking")
        answers = raw.get("answers", {})
        if stage not in STAGES or not isinstance(answers, dict):
            raise ValueError("malformed report progress")
        confirmed = raw.get("confirmed", {})
        if not isinstance(confirmed, dict):
            raise ValueError("malformed report progress")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in (*answers.items(), *confirmed.items())):
            raise ValueError("malformed report answers")
        try:
            return cls(
                answers=dict(answers),
                current=_opt_str(raw.get("current")),
                failures=int(raw.get("failures", 0)),
                pending=_opt_str(raw.get("pending")),
                stage=stage,
                editing=_opt_str(raw.get("editing")),
                listing=_opt_str(raw.get("listing")),
                confirmed=dict(confirmed),
                skipped=tuple(str(k) for k in raw.get("skipped", ())),
                groups_done=tuple(str(k) for k in raw.get("groups_done", ())),
                carried=tuple(str(k) for k in raw.get("carried", ())),
            )
        except TypeError as error:
            raise ValueError("malformed report progress") from error


def _opt_str(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError("malformed report progress")
