"""The report conversation as a pure step engine (goflow style): state plus one input in, new state plus events out.

The host (the report handler) loads `Progress` from storage, calls the engine, stores the new progress, and renders
the events as replies. The engine does no I/O and never raises on user input: every text (empty, 5,000
characters, emoji, "satu juta", a negative where none is allowed) gives a `Problem`, and earlier answers are
never lost. Commands (/batal, /bantuan) are the host's business; the engine only sees answers and option ids.

API::

    start(questions, context, prefilled=None) -> Step        # first Ask (or the Summary if all answered)
    advance(questions, progress, user_input, context) -> Step
    resume(questions, progress, context) -> Step             # re-send the current prompt after a pause
    forget_carried(progress) -> Progress                     # a full re-ask: answers kept by "Masih sama" go
    Step(progress, events); Progress.to_json() / Progress.from_json(raw)

Inputs: `UserInput.text("12,3 jt")` or `UserInput.choose("same")`. Option ids (<= 48 bytes): ``same`` (same as
last month), ``keep`` (keep the current answer, offered when re-asking), ``yes``/``no``, ``opt:<id>`` (choice
questions), ``skip``, ``pause``, ``help`` (offered by NeedHelp), ``back`` (leave a section edit for the summary),
``submit``, ``edit:<section>``, ``cancel``. Typed words work too: "sama", "tetap", "lewati", "kirim",
"ubah neraca", "batal", and the number of a listed option for yes/no and choice questions and the summary.

Events, in the order the host should send them:

* `Accepted(key, value, echo)`: an answer was stored; echo is short ("Kas: Rp12.300.000").
* `Problem(code, question, example, message)`: the input could not be used; `message` is the friendly re-ask
  in the context's language (`PROBLEM_MESSAGES`); always followed by the `Ask` again (with `problem` set) or,
  after every third failure at one question, by `NeedHelp` (offering skip / pause / help, and typing still works).
* `ConfirmGroup(group, items, ...)`: "Masih sama?" for the carried answers of one sub-aspect (`Context.carried`,
  spec §8.3), asked before its first item; ``still`` keeps them all (`GroupDecided` with the kept keys), ``changed``
  asks the sub-aspect's items one by one, each offering its stored answer (``same``). Typed "masih sama", "ya",
  "ada perubahan", "tidak" or the option's number work too.
* `ConfirmChange(question, old, new, change_pct, options)`: a figure moved more than 50% since last period;
  "yes" keeps it, "no" asks again, a new amount replaces it.
* `CrossCheckFailed(check, keys)`: answers contradict each other; the keys in `check.reask` are asked again
  one by one (with a ``keep`` option). If the check still fails after that, `CheckKept(check)` is emitted,
  the answers stay as given (the assessment warns about it) and the report goes on.
* `Ask(...)`: the next question with numbering, previous and current values, and `options` for buttons.
* `Summary(sections, options)`: everything answered; choices Kirim / Ubah <bagian> / Batal.
* `Submitted(answers, skipped, carried)` (carried: the keys kept by "Masih sama", not answered anew),
  `Cancelled(kept_answers)`, `Paused()`, `HelpRequested(question)`.

Answers are stored as strings: amounts as plain decimals ("12300000", "-2500000", "1250000.50"), yes/no as
"ya"/"tidak", integers as digits, choices as the option id.
"""

from __future__ import annotations

from bot.domain.report_flow.events import (
    Accepted,
    Ask,
    Cancelled,
    CarriedItem,
    CheckKept,
    ConfirmChange,
    ConfirmGroup,
    CrossCheckFailed,
    Event,
    GroupDecided,
    HelpRequested,
    NeedHelp,
    Offer,
    Paused,
    Problem,
    Step,
    Submitted,
    Summary,
    SummaryItem,
    SummarySection,
)
from bot.domain.report_flow.state import NO, YES, Context, Progress, UserInput
from bot.domain.report_flow.steps import advance, forget_carried, resume, start
from bot.domain.report_flow.words import PROBLEM_MESSAGES, display_value, echo, problem_message

__all__ = [
    "NO",
    "PROBLEM_MESSAGES",
    "YES",
    "Accepted",
    "Ask",
    "Cancelled",
    "CarriedItem",
    "CheckKept",
    "ConfirmChange",
    "ConfirmGroup",
    "Context",
    "CrossCheckFailed",
    "Event",
    "GroupDecided",
    "HelpRequested",
    "NeedHelp",
    "Offer",
    "Paused",
    "Problem",
    "Progress",
    "Step",
    "Submitted",
    "Summary",
    "SummaryItem",
    "SummarySection",
    "UserInput",
    "advance",
    "display_value",
    "echo",
    "forget_carried",
    "problem_message",
    "resume",
    "start",
]
