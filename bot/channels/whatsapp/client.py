"""WhatsApp Cloud API sender: replies and templates to the Graph API, errors turned into SendOutcome.

The sender does not track the 24-hour window. Replies to an inbound message (`business_initiated=False`)
are always sent free-form. A business-initiated send goes out free-form only when the caller passes
`window_open=True` (it knows the officer's last inbound time); otherwise it returns "needs_template"
without calling Meta, and the caller sends `send_template(...)`, or holds the notice when no template
is configured (`has_template`). A 131047 from Meta (window closed after all) is "needs_template" too.

With `media`, a stored file is uploaded once and later recipients get it by the media id Meta gave it, for as long
as Meta keeps it (`MEDIA_ID_REUSE`); a media id Meta refuses is replaced by a new upload (bot.channels.media).
"""

from __future__ import annotations

import io
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.channels.media import by_id_or_upload
from bot.channels.whatsapp.outbound import recipient_fields, reply_to_bodies, template_body
from bot.channels.whatsapp.pacing import TokenBucket
from bot.channels.whatsapp.templates import TemplateParams, TemplateParamsError, TemplateSpec
from bot.chat.messages import Address, Attachment, Reply
from bot.delivery.senders import SendOutcome
from bot.words.attachments import MediaIds, MediaKey, megabytes, upload_limit
from storage import jsonio

log = logging.getLogger(__name__)

# Codes that mean "stop sending on this number until an operator acts" (token, account locked or blocked).
AUTH_CODES: frozenset[int] = frozenset({190, 131031, 368, 130497})
# Codes worth retrying, with the pause Meta's guidance implies (None: the worker's own backoff).
RETRY_CODES: Mapping[int, float | None] = {
    130429: 2.0,  # throughput per number; jittered 1..4 s below
    131056: 6.0,  # pair rate: one user, too many messages
    4: 300.0,  # app call rate
    80007: 300.0,  # WABA call rate
    131048: 4 * 3600.0,  # spam rate limit: resume hours later
    131049: 24 * 3600.0,  # marketing template withheld for this user
    1: None,
    2: None,
    131000: None,
    131016: None,
    131052: None,  # media download: one more try
    131053: None,  # media upload: one more try
}
WINDOW_CLOSED = 131047
MEDIA_ID_REUSE = timedelta(days=28)  # Meta keeps our uploads 30 days (platforms.md §2.7): two days to spare
# Meta refused the media of a message: download/upload error (platforms.md §2.10: re-upload once), or an invalid
# parameter that names the media (an unknown or expired id [U: the exact code is not documented]).
MEDIA_ERRORS: frozenset[int] = frozenset({131052, 131053})
MEDIA_PARAMETER_ERRORS: frozenset[int] = frozenset({100, 131009})


def classify_error(code: int | None, http_status: int, reason: str) -> SendOutcome:
    """The outcome for a Graph error: by Meta's error code; by HTTP status only when there is no code."""
    if code in AUTH_CODES:
        return SendOutcome("auth_failed", error=reason)
    if code == WINDOW_CLOSED:
        return SendOutcome("needs_template", error=reason)
    if code is not None and code in RETRY_CODES:
        pause = RETRY_CODES[code]
        if code == 130429:
            pause = random.uniform(1.0, 4.0)
        return SendOutcome("retry", retry_after=pause, error=reason)
    if code is None and (http_status >= 500 or http_status == 429):
        return SendOutcome("retry", error=reason)
    if code is not None and http_status >= 500:
        return SendOutcome("retry", error=reason)
    return SendOutcome("failed", error=reason)


class WhatsAppSender:
    """Sends Replies and template notices from one business phone number."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_url: str,
        phone_number_id: str,
        token: str,
        templates: Mapping[str, TemplateSpec] | None = None,
        *,
        timeout: float = 15.0,
        throttle: TokenBucket | None = None,
        media: MediaIds | None = None,
    ) -> None:
        self._session = session
        self._phone_number_id = phone_number_id
        self._api = api_url.rstrip("/")
        self._base = f"{self._api}/{phone_number_id}"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._json_headers = self._headers | {"Content-Type": "application/json"}
        self._templates = dict(templates or {})
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self.throttle = throttle or TokenBucket(80.0)
        self.media = media

    def __repr__(self) -> str:
        return f"WhatsAppSender({self._base!r})"  # never the token

    def has_template(self, kind: str) -> bool:
        return kind in self._templates

    async def send(
        self,
        address: Address,
        reply: Reply,
        *,
        business_initiated: bool = False,
        window_open: bool | None = None,
        callback_data: str | None = None,
    ) -> SendOutcome:
        """Send one reply (several messages when long or with a picture)."""
        if address.channel != "whatsapp":
            return SendOutcome("failed", error=f"not a WhatsApp address: {address.channel}")
        if business_initiated and window_open is not True:
            return SendOutcome("needs_template", error="24-hour window closed or unknown: send a template")
        attachment = reply.attachment
        if attachment is None:
            return await self._post_all(reply_to_bodies(address.user_id, reply), callback_data)
        media_id = await self._media_id(attachment)
        if isinstance(media_id, SendOutcome):
            return media_id
        bodies = reply_to_bodies(address.user_id, reply, media_id)
        return await self._post_all(bodies, callback_data, lambda: self._media_id(attachment, refused=media_id))

    async def send_template(
        self, address: Address, kind: str, params: TemplateParams, *, callback_data: str | None = None
    ) -> SendOutcome:
        """Send the approved template configured for a notice kind (allowed outside the 24-hour window)."""
        spec = self._templates.get(kind)
        if spec is None:
            return SendOutcome("failed", error=f"no WhatsApp template configured for notice kind {kind!r}")
        try:
            body = template_body(address.user_id, spec, params)
        except TemplateParamsError as exc:
            return SendOutcome("failed", error=str(exc))
        return await self._post_all([body], callback_data)

    async def mark_read(self, message_id: str) -> SendOutcome:
        """Show blue ticks on an inbound message (a courtesy; not a message, so not paced by the throttle)."""
        body = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
        result = await self._request(f"{self._base}/messages", body)
        return result if isinstance(result, SendOutcome) else SendOutcome("sent")

    async def upload(self, attachment: Attachment) -> str | SendOutcome:
        """Upload a picture or document; its media id, or the outcome that stopped it."""
        limit = upload_limit("whatsapp", attachment.kind)
        if len(attachment.data) > limit:
            return SendOutcome("failed", error=f"{attachment.filename} is larger than {megabytes(limit)}")
        form = aiohttp.FormData()
        form.add_field("messaging_product", "whatsapp")
        form.add_field("type", attachment.content_type)
        upload = io.BytesIO(attachment.data)  # a stream: aiohttp warns that large bytes may hold the event loop
        form.add_field("file", upload, filename=attachment.filename, content_type=attachment.content_type)
        result = await self._request(f"{self._base}/media", form=form)
        if isinstance(result, SendOutcome):
            return result
        media_id = result.get("id")
        if not isinstance(media_id, str) or not media_id:
            return SendOutcome("retry", error="media upload answered without an id")
        return media_id

    async def _media_id(self, attachment: Attachment, refused: str | None = None) -> str | SendOutcome:
        """The media id to send `attachment` by: for a stored file, the one Meta gave it before while it is valid
        (not `refused`), else a new upload (one at a time per file); the outcome that stopped the upload."""
        key = media_key(self._phone_number_id, attachment)
        if key is None or self.media is None:
            return await self.upload(attachment)
        if refused is not None:
            await self.media.forget(key, refused)

        async def upload() -> tuple[str | SendOutcome, str | None]:
            uploaded = await self.upload(attachment)
            return uploaded, uploaded if isinstance(uploaded, str) else None

        return await by_id_or_upload(self.media, key, by_id=_as_is, upload=upload, max_age=MEDIA_ID_REUSE)

    async def _post_all(
        self,
        bodies: list[dict[str, Any]],
        callback_data: str | None,
        reupload: Callable[[], Awaitable[str | SendOutcome]] | None = None,
    ) -> SendOutcome:
        """Post the bodies in order; when Meta refuses the media of one, `reupload` gives a new id and it goes again
        (once): the bodies before it are not sent twice."""
        sent: list[str] = []
        for number, body in enumerate(bodies, 1):
            if callback_data and "type" in body:
                body = {**body, "biz_opaque_callback_data": callback_data[:512]}
            await self.throttle.acquire()
            result = await self._request(f"{self._base}/messages", body)
            if isinstance(result, SendOutcome) and reupload is not None and _media_refused(body, result):
                fresh, reupload = await reupload(), None
                if isinstance(fresh, SendOutcome):
                    result = fresh
                else:
                    await self.throttle.acquire()
                    result = await self._request(f"{self._base}/messages", _with_media_id(body, fresh))
            if isinstance(result, SendOutcome):
                prefix = f"part {number} of {len(bodies)}: " if len(bodies) > 1 else ""
                return SendOutcome(
                    result.status,
                    provider_message_ids=tuple(sent),
                    retry_after=result.retry_after,
                    error=prefix + (result.error or ""),
                )
            sent.extend(_message_ids(result))
        return SendOutcome("sent", provider_message_ids=tuple(sent))

    async def download(self, media_id: str, limit: int) -> bytes | int | None:
        """A file a user sent (its media URL from the Graph API, then the file, both with the token): its bytes, its
        size when over `limit` (not fetched), or None when it cannot be had."""
        try:
            async with self._session.get(
                f"{self._api}/{quote(media_id, safe='')}", headers=self._headers, timeout=self._timeout
            ) as response:
                info = _json_object(await response.text()) if response.status == 200 else None
            url = info.get("url") if info else None
            size = info.get("file_size") if info else None
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                return None
            if isinstance(size, int) and size > limit:
                return size
            async with self._session.get(url, headers=self._headers, timeout=self._timeout) as response:
                if response.status != 200:
                    return None
                data = await response.content.read(limit + 1)
        except (TimeoutError, aiohttp.ClientError) as exc:
            log.warning("whatsapp: media %.20s not fetched (%s)", media_id, type(exc).__name__)
            return None
        return len(data) if len(data) > limit else data

    async def _request(
        self, url: str, body: dict[str, Any] | None = None, *, form: aiohttp.FormData | None = None
    ) -> dict[str, Any] | SendOutcome:
        """POST a JSON `body` (or a `form`) to the Graph API: the JSON answer on success, else the classified outcome.
        The JSON both ways by storage.jsonio (orjson: the same JSON value as the standard library's, in UTF-8)."""
        if body is not None:
            payload: aiohttp.FormData | bytes = jsonio.dumps(body).encode()
            headers = self._json_headers
        else:
            payload, headers = form or aiohttp.FormData(), self._headers
        try:
            async with self._session.post(url, data=payload, headers=headers, timeout=self._timeout) as response:
                status = response.status
                answer = await response.read()
        except TimeoutError:
            log.warning("whatsapp: no answer from the Graph API within %.1f s", self._timeout.total or 0)
            return SendOutcome("retry", error="timeout waiting for the WhatsApp API")
        except aiohttp.ClientError as exc:
            log.warning("whatsapp: network error %s", type(exc).__name__)
            return SendOutcome("retry", error=f"network error: {type(exc).__name__}")
        data = _json_object(answer)
        if 200 <= status < 300:
            return data if data is not None else {}
        code, reason = _error_reason(data, status)
        outcome = classify_error(code, status, reason)
        if code == 130429:
            self.throttle.slow_down()
        log.warning("whatsapp: send %s (%s)", outcome.status, reason)
        return outcome


def media_key(phone_number_id: str, attachment: Attachment) -> MediaKey | None:
    """A stored file as a business number knows it (the file name goes with each message, not the upload); None for
    an attachment that is not a stored file."""
    if attachment.file_id is None:
        return None
    variant = f"{attachment.kind}:{attachment.content_type}"
    return MediaKey("whatsapp", phone_number_id, attachment.file_id, variant)


async def _as_is(media_id: str) -> str | SendOutcome:
    return media_id


def _media_refused(body: dict[str, Any], outcome: SendOutcome) -> bool:
    """Whether Meta refused the media id of this picture or document message (uploading again may help)."""
    if body.get("type") not in ("image", "document"):
        return False
    reason = outcome.error or ""
    if any(f"(#{code})" in reason for code in MEDIA_ERRORS):
        return True
    return any(f"(#{code})" in reason for code in MEDIA_PARAMETER_ERRORS) and "media" in reason.lower()


def _with_media_id(body: dict[str, Any], media_id: str) -> dict[str, Any]:
    kind = body["type"]
    return {**body, kind: {**body[kind], "id": media_id}}


def _json_object(text: str | bytes) -> dict[str, Any] | None:
    try:
        data = jsonio.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _error_reason(data: dict[str, Any] | None, status: int) -> tuple[int | None, str]:
    error = data.get("error") if data else None
    if not isinstance(error, dict):
        return None, f"HTTP {status} without a Graph error body"
    code = error.get("code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    message = str(error.get("message") or error.get("title") or "").strip()
    error_data = error.get("error_data")
    details = error_data.get("details") if isinstance(error_data, dict) else None
    reason = f"(#{code}) {message}" if code is not None and f"(#{code})" not in message else message
    if details:
        reason += f": {details}"
    return code, reason[:300]


def _message_ids(data: dict[str, Any]) -> list[str]:
    messages = data.get("messages")
    if not isinstance(messages, list):
        return []
    return [m["id"] for m in messages if isinstance(m, dict) and isinstance(m.get("id"), str)]


__all__ = ["WhatsAppSender", "classify_error", "media_key", "recipient_fields"]
