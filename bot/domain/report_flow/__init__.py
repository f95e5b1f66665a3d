"""The report conversation as a pure step engine (goflow style): state plus one input in, new state plus events out.

The host (the report handler) loads `Progress` from storage, calls the engine, stores the new progress, and renders
the events as replies. The engine does no I/O and never raises on user input: every text (empty, 5,000
characters, emoji, "satu juta", a negative where none is allowed) gives a `Problem`, and earlier answers are
never lost. Commands (/batal, /bantuan) are the host's business; the engine only sees answers and option ids.

API::

    start(questions, context, prefilled=None) -> Step        # first Ask (or the Summary if all answered)
    advance(questions, progress, user_input, context) -> Step
    resume(questions, progress, context) -> Step             # re-send the current prompt after a pause
    edit(questions, progress, key, context) -> Step          # ask one answer again, then back to the summary
    forget_carried(progress) -> Progress                     # a full re-ask: answers kept by "Masih sama" go
    Step(progress, events); Progress.to_json() / Progress.from_json(raw)

Inputs: `UserInput.text("12,3 jt")` or `UserInput.choose("same")`. Option ids (<= 48 bytes): ``same`` (same as
last month), ``keep`` (keep the current answer, offered when re-asking), ``yes``/``no``, ``opt:<id>`` (choice
questions), ``skip``, ``pause``, ``help`` (offered by NeedHelp), ``back`` (back to the summary), ``submit``,
``edit:<section>`` (the section's numbered lines), ``item:<key>`` (one line), ``cancel``. Typed words work too:
"sama", "tetap", "lewati", "kirim", "ubah neraca", "ubah 8", "batal", and the number of a listed option for yes/no
and choice questions and the summary (of a line while a section's lines are listed).

Figures computed from other answers (`report_checks.derivable`: total assets, SHU kotor, SHU sebelum pajak) are
never asked; the summary shows them as computed and `Submitted` carries them. The checks (`report_checks.check`)
run on the summary: blocking problems keep *Kirim* from sending, open warnings need a reason first.

Events, in the order the host should send them:

* `Accepted(question, value)`: an answer was stored (the host echoes it: "Kas: Rp12.300.000").
* `Problem(code, question, example)`: the input could not be used; the host words the friendly re-ask from `code`
  (one of `PROBLEM_CODES`) and `example`; always followed by the `Ask` again (with `problem` set) or,
  after every third failure at one question, by `NeedHelp` (offering skip / pause / help, and typing still works).
* `ConfirmGroup(group, items, ...)`: "Masih sama?" for the carried answers of one sub-aspect (`Context.carried`,
  spec §8.3), asked before its first item; ``still`` keeps them all (`GroupDecided` with the kept keys), ``changed``
  asks the sub-aspect's items one by one, each offering its stored answer (``same``). Typed "masih sama", "ya",
  "ada perubahan", "tidak" or the option's number work too.
* `ConfirmChange(question, old, new, change_pct, options, finding)`: a likely typo (a change of more than half,
  1,000 times last period, a figure too small) asked back once; "yes" keeps it (the warning is confirmed), "no" asks
  again, a new amount replaces it.
* `Ask(...)`: the next question with numbering, previous and current values, and `options` for buttons.
* `Summary(sections, ..., blocking, warnings, numbers)`: the numbered lines, every blocking problem and open warning;
  choices Kirim / Ubah <bagian> / Batal. `SectionList(section, options)`: one section's numbered lines.
* `SubmitRefused(blocking, numbers, options)`: *Kirim* while the books do not add up.
* `AskReason(warnings, numbers, options)`: *Kirim* with open warnings; a reason confirms them all.
* `Submitted(answers, skipped, carried, confirmed)` (carried: the keys kept by "Masih sama", not answered anew;
  confirmed: warning id -> reason), `Cancelled(kept_answers)`, `Paused()`, `HelpRequested(question)`.

The engine holds no words: events carry codes, stored answers and the form's own texts; the chat words them
(bot/chat/report_words.py, templates report_flow.j2). `Offer(id, word, value)`: `word` names a button's label.

Answers are stored as strings: amounts as plain decimals ("12300000", "-2500000", "1250000.50"), yes/no as
"ya"/"tidak", integers as digits, choices as the option id, texts as typed (trimmed), moments as ISO text with their
offset, "none" (no limit, no deadline, now) as "".

The office's short forms (forms_data/new_training.json, announcement.json) run on this same engine: their questions
are texts, choices, integers within `limits`, moments (in the future, after another answer, not after another) and
a segment, which the host checks against the office's records and hands in already read; their `Summary` is the
preview, `submit` saves. A moment that no longer holds (an end before a start just changed) is asked again before
the summary, and one that has gone by since it was typed is asked again at *Kirim* instead of being saved.
"""

from __future__ import annotations

from bot.domain.report_flow.events import (
    PROBLEM_CODES,
    Accepted,
    Ask,
    AskReason,
    Cancelled,
    CarriedItem,
    ConfirmChange,
    ConfirmGroup,
    Event,
    GroupDecided,
    HelpRequested,
    NeedHelp,
    Offer,
    OfferWord,
    Paused,
    Problem,
    ProblemCode,
    SectionList,
    Step,
    SubmitRefused,
    Submitted,
    Summary,
    SummaryItem,
    SummarySection,
)
from bot.domain.report_flow.prompts import questions_left
from bot.domain.report_flow.state import NO, YES, Context, Progress, UserInput
from bot.domain.report_flow.steps import advance, edit, forget_carried, resume, start

__all__ = [
    "NO",
    "PROBLEM_CODES",
    "YES",
    "Accepted",
    "Ask",
    "AskReason",
    "Cancelled",
    "CarriedItem",
    "ConfirmChange",
    "ConfirmGroup",
    "Context",
    "Event",
    "GroupDecided",
    "HelpRequested",
    "NeedHelp",
    "Offer",
    "OfferWord",
    "Paused",
    "Problem",
    "ProblemCode",
    "Progress",
    "SectionList",
    "Step",
    "SubmitRefused",
    "Submitted",
    "Summary",
    "SummaryItem",
    "SummarySection",
    "UserInput",
    "advance",
    "edit",
    "forget_carried",
    "questions_left",
    "resume",
    "start",
]
