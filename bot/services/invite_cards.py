"""Invitation cards: a picture to print or forward with the cooperative, role, code, expiry, a QR code for each
platform the bot is on, and one line of instructions (words from templates invites.*)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import matplotlib
import qrcode
from PIL import Image, ImageDraw, ImageFont

from bot.domain.periods import format_datetime
from bot.words import render

WIDTH = 1240
MARGIN = 70
QR_SIZE = 460
INK = (24, 32, 40)
MUTED = (90, 100, 110)
BAND = (0, 109, 91)


@dataclass(frozen=True)
class InviteCard:
    """What one card shows; a link is None when the bot is not on that platform (no QR for it)."""

    organisation: str
    role: str
    code: str
    expires_at: datetime
    zone: ZoneInfo
    uses: int
    telegram_link: str | None
    whatsapp_link: str | None
    telegram_username: str | None = None
    whatsapp_number: str | None = None


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name), size)


def _qr(link: str) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=2)
    code.add_data(link)
    picture = code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    return picture.resize((QR_SIZE, QR_SIZE), Image.Resampling.NEAREST)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int = WIDTH - 2 * MARGIN) -> list[str]:
    """`text` in lines no wider than `width` pixels."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def spaced(code: str) -> str:
    """A code in groups of the reader can keep in mind: ABCDE-FGHJK."""
    return "-".join(code[i : i + 5] for i in range(0, len(code), 5))


@dataclass(frozen=True)
class CardWords:
    """The words on a card (Indonesian), and the QR codes it carries as (platform, link)."""

    title: str
    organisation: str
    role: str
    expiry: str
    code_label: str
    instructions: str
    platforms: tuple[tuple[str, str], ...]


def card_words(card: InviteCard) -> CardWords:
    """What the card says."""

    def say(message: str, **values: object) -> str:
        return render.text("id", f"invites.{message}", **values)

    offered = (("Telegram", card.telegram_link), ("WhatsApp", card.whatsapp_link))
    return CardWords(
        title=say("card_title"),
        organisation=card.organisation,
        role=say("card_role", role=card.role),
        expiry=say("card_expiry", when=format_datetime(card.expires_at, card.zone, "id"), uses=card.uses),
        code_label=say("card_code_label"),
        instructions=say(
            "card_instructions",
            telegram=bool(card.telegram_link),
            whatsapp=bool(card.whatsapp_link),
            username=(card.telegram_username or "").lstrip("@"),
            number=card.whatsapp_number or "",
            code=card.code,
        ),
        platforms=tuple((name, link) for name, link in offered if link),
    )


def card_png(card: InviteCard) -> bytes:
    """The card as a PNG."""
    words = card_words(card)
    platforms = words.platforms
    lines: list[tuple[str, int, bool, tuple[int, int, int]]] = [
        (part, 50, True, INK) for part in _wrap(card.organisation, _font(50, True))
    ]
    lines.append((words.role, 36, False, MUTED))
    lines.append(("", 40, False, INK))
    lines += [(part, 34, True, INK) for part in _wrap(words.expiry, _font(34, True))]
    height = 150 + sum(size + 18 for _, size, _, _ in lines) + 40 + 120 + 40
    height += (QR_SIZE + 110) if platforms else 0
    wrapped = _wrap(words.instructions, _font(32))
    height += len(wrapped) * 42 + MARGIN
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 110), fill=BAND)
    draw.text((MARGIN, 30), words.title, font=_font(44, True), fill="white")
    y = 150
    for text, size, bold, colour in lines:
        draw.text((MARGIN, y), text, font=_font(size, bold), fill=colour)
        y += size + 18
    y += 40
    label = words.code_label
    draw.text((MARGIN, y + 62), label, font=_font(36), fill=MUTED, anchor="ls")
    draw.text(
        (MARGIN + int(_font(36).getlength(label)) + 30, y + 62),
        spaced(card.code),
        font=_font(80, True),
        fill=INK,
        anchor="ls",
    )
    y += 120 + 40
    if platforms:
        gap = (WIDTH - 2 * MARGIN - len(platforms) * QR_SIZE) // max(1, len(platforms) - 1) if len(platforms) > 1 else 0
        x = MARGIN if len(platforms) > 1 else (WIDTH - QR_SIZE) // 2
        for name, link in platforms:
            image.paste(_qr(link), (x, y))
            title = _font(38, True)
            width = int(draw.textlength(name, font=title))
            draw.text((x + (QR_SIZE - width) // 2, y + QR_SIZE + 20), name, font=title, fill=INK)
            x += QR_SIZE + gap
        y += QR_SIZE + 110
    for part in wrapped:
        draw.text((MARGIN, y), part, font=_font(32), fill=INK)
        y += 42
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
