"""WhatsApp Cloud API outbound bodies: Reply -> JSON bodies for POST /{phone_number_id}/messages (pure)."""

from __future__ import annotations

import re
from typing import Any

from bot.channels.textsplit import split_text, utf16_len
from bot.channels.whatsapp.templates import TemplateParams, TemplateSpec
from bot.chat.messages import Choice, Reply

TEXT_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
CAPTION_LIMIT = 1024
MAX_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
MAX_LIST_ROWS = 10
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
LIST_BUTTON_LABEL = "Pilih"
CHOOSE_PROMPT = "Silakan pilih:"
NUMBERED_HINT = "Balas dengan nomor atau nama pilihan."
_BSUID = re.compile(r"^[A-Z]{2}\.")


def recipient_fields(to: str) -> dict[str, str]:
    """The envelope every body starts with; a BSUID goes in `recipient`, a phone number in `to`."""
    key = "recipient" if _BSUID.match(to) else "to"
    return {"messaging_product": "whatsapp", "recipient_type": "individual", key: to}


def reply_to_bodies(to: str, reply: Reply, media_id: str | None = None) -> list[dict[str, Any]]:
    """The message bodies for one Reply, in sending order.

    Order: leading text, then the attachment (by `media_id`, uploaded beforehand), then the text that
    carries the choices, so buttons end up at the bottom of the chat. `reply.confirms` is not sent:
    WhatsApp shows the user's tap in the chat by itself and has no edit call.
    """
    if reply.attachment is not None and media_id is None:
        raise ValueError("a reply with an attachment needs the uploaded media id")
    text, choices = reply.text, reply.choices
    if len(choices) > MAX_LIST_ROWS:
        text, choices = _numbered(text, choices), ()
    bodies: list[dict[str, Any]] = []
    if choices:
        leading, last = _split_for_interactive(text)
        bodies += [_text_body(to, chunk) for chunk in leading]
        final = _interactive_body(to, last or CHOOSE_PROMPT, choices)
    else:
        bodies += [_text_body(to, chunk) for chunk in split_text(text, TEXT_LIMIT)]
        final = None
    if reply.attachment is not None and media_id is not None:
        attachment = reply.attachment
        media: dict[str, Any] = {"id": media_id}
        if attachment.caption:
            media["caption"] = truncate(attachment.caption, CAPTION_LIMIT)
        if attachment.kind == "document":
            media["filename"] = attachment.filename
            bodies.append({**recipient_fields(to), "type": "document", "document": media})
        else:
            bodies.append({**recipient_fields(to), "type": "image", "image": media})
    if final is not None:
        bodies.append(final)
    return bodies


def template_body(to: str, template: TemplateSpec, params: TemplateParams) -> dict[str, Any]:
    """A template message; raises TemplateParamsError when `params` do not fit the template."""
    body_values, payloads = template.values(params)
    components: list[dict[str, Any]] = []
    if body_values:
        parameters: list[dict[str, Any]] = []
        for name, value in zip(template.parameters, body_values, strict=True):
            parameter = {"type": "text", "text": value}
            if template.parameter_format == "named":
                parameter["parameter_name"] = name
            parameters.append(parameter)
        components.append({"type": "body", "parameters": parameters})
    for index, payload in enumerate(payloads):
        components.append(
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": str(index),
                "parameters": [{"type": "payload", "payload": payload}],
            }
        )
    spec: dict[str, Any] = {"name": template.name, "language": {"code": template.language}}
    if components:
        spec["components"] = components
    return {**recipient_fields(to), "type": "template", "template": spec}


def truncate(text: str, limit: int) -> str:
    """One line of at most `limit` UTF-16 units, cut at a word when that keeps most of it, marked with …."""
    flat = " ".join(text.split())
    if utf16_len(flat) <= limit:
        return flat
    cut = flat
    while utf16_len(cut) > limit - 1:
        cut = cut[:-1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


def _text_body(to: str, text: str) -> dict[str, Any]:
    return {**recipient_fields(to), "type": "text", "text": {"preview_url": False, "body": text}}


def _split_for_interactive(text: str) -> tuple[list[str], str]:
    """(text messages to send first, the last part that fits an interactive body)."""
    chunks = split_text(text, TEXT_LIMIT)
    if not chunks:
        return [], ""
    *leading, last = chunks
    if utf16_len(last) <= INTERACTIVE_BODY_LIMIT:
        return leading, last
    tail = split_text(last, INTERACTIVE_BODY_LIMIT)[-1]
    head = last[: last.rfind(tail)].rstrip()
    return [*leading, *split_text(head, TEXT_LIMIT)], tail


def _interactive_body(to: str, text: str, choices: tuple[Choice, ...]) -> dict[str, Any]:
    titles = [truncate(choice.title, BUTTON_TITLE_LIMIT) for choice in choices]
    if len(choices) <= MAX_BUTTONS and len(set(titles)) == len(titles):
        buttons = [
            {"type": "reply", "reply": {"id": choice.id, "title": title}}
            for choice, title in zip(choices, titles, strict=True)
        ]
        interactive: dict[str, Any] = {
            "type": "button",
            "body": {"text": text},
            "action": {"buttons": buttons},
        }
    else:
        # A list also serves few choices whose short titles would collide as buttons.
        rows = [_row(choice) for choice in choices]
        interactive = {
            "type": "list",
            "body": {"text": text},
            "action": {"button": LIST_BUTTON_LABEL, "sections": [{"rows": rows}]},
        }
    return {**recipient_fields(to), "type": "interactive", "interactive": interactive}


def _row(choice: Choice) -> dict[str, str]:
    row = {"id": choice.id, "title": truncate(choice.title, ROW_TITLE_LIMIT)}
    description = choice.description
    if description is None and row["title"] != " ".join(choice.title.split()):
        description = choice.title  # the full title, when the row title had to be shortened
    if description:
        row["description"] = truncate(description, ROW_DESCRIPTION_LIMIT)
    return row


def _numbered(text: str, choices: tuple[Choice, ...]) -> str:
    lines = [f"{number}. {' '.join(choice.title.split())}" for number, choice in enumerate(choices, 1)]
    return "\n\n".join(part for part in (text.strip(), "\n".join(lines), NUMBERED_HINT) if part)
