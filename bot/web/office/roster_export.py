"""A training's participants as an Excel workbook: one sheet of the roster with attendance, one of the invitations'
delivery; Indonesian headers (from the templates), NIK, times in the cooperative's local time."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

from bot.domain.periods import zone_abbrev
from bot.services.training_admin import TrainingDetail
from bot.web.office.export import header_sheet, local_time
from bot.web.office.render import words

ROSTER_WIDTHS = (16, 36, 28, 14, 18, 10, 20, 8)
INVITATION_WIDTHS = (28, 36, 12, 18, 30, 20)


def roster_workbook(found: TrainingDetail, lang: str, office_zone: str) -> bytes:
    """The workbook's bytes (the invitations' times in the office's zone)."""
    w = words(lang)
    book = Workbook(write_only=True)
    headers = [str(h) for h in w.roster_headers]
    sheet = header_sheet(book, str(w.sheet_roster()), headers, ROSTER_WIDTHS, len(found.roster))
    waiting = 0
    for line in found.roster:
        waiting += line.status == "waitlisted"
        sheet.append(
            [
                line.nik,
                line.cooperative,
                line.officer,
                str(w.officer_role(line.role)),
                str(w.roster_status(line.status)),
                waiting if line.status == "waitlisted" else None,
                local_time(sheet, line.attended_at, line.timezone),
                zone_abbrev(line.timezone) if line.attended_at else "",
            ]
        )
    headers = [str(h) for h in w.invitation_headers]
    sheet = header_sheet(book, str(w.sheet_invitations()), headers, INVITATION_WIDTHS, len(found.recipients))
    for recipient in found.recipients:
        sheet.append(
            [
                recipient.officer,
                recipient.cooperative,
                recipient.channel,
                str(w.delivery_status(recipient.status)),
                str(w.failure_kind(recipient.failure)) if recipient.failure else "",
                local_time(sheet, recipient.sent_at, office_zone),
            ]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
