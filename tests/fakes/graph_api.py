"""A fake WhatsApp Graph API: a real aiohttp server on 127.0.0.1 that checks and records what is sent."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import re
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

WINDOW = timedelta(hours=24)
UPLOAD_LIFETIME = timedelta(days=30)  # media we upload (platforms.md §2.7)
INBOUND_MEDIA_LIFETIME = timedelta(days=7)  # media users send (webhook media ids)
TITLES: dict[int, str] = {
    100: "Invalid parameter",
    190: "Error validating access token",
    130429: "Rate limit hit",
    131000: "Something went wrong",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    131026: "Message undeliverable",
    131047: "Re-engagement message",
    131052: "Media download error",
    131053: "Media upload error",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
    132018: "There was an issue with the parameters in your template",
}
_BAD_TEMPLATE_TEXT = re.compile(r"[\n\t]| {5,}")


def signed(payload: dict[str, Any], secret: str) -> tuple[bytes, dict[str, str]]:
    """A webhook body as Meta sends it (UTF-8, not ASCII-escaped) and its X-Hub-Signature-256 header."""
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return raw, signed_headers(raw, secret)


def signed_headers(raw: bytes, secret: str) -> dict[str, str]:
    """The headers Meta sends with these exact bytes, whatever they are (garbage and all): a valid signature."""
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


def error_body(code: int, details: str = "") -> dict[str, Any]:
    """A Graph error response body, shaped like Meta's."""
    title = TITLES.get(code, "Error")
    return {
        "error": {
            "message": f"(#{code}) {title}",
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details or title},
            "fbtrace_id": "AFakeTrace",
        }
    }


@dataclass
class GraphCall:
    """One request the fake received, and what it answered."""

    method: str
    path: str
    headers: dict[str, str]
    json: dict[str, Any] | None = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)
    status: int = 0
    response: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Failure:
    code: int
    http_status: int
    hang: bool = False


class FakeGraphAPI:
    """The Graph API endpoints kopsehat uses, with Meta's checks and errors; tests steer it directly."""

    def __init__(
        self,
        *,
        token: str = "fake-graph-token",
        version: str = "v25.0",
        phone_number_id: str = "109876543210987",
        messages_per_second: float = 1000.0,
        pair_burst: int | None = None,
        pair_interval: float = 6.0,
        window_error: str = "sync",
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.token = token
        self.version = version
        self.phone_number_id = phone_number_id
        self.messages_per_second = messages_per_second
        self.pair_burst = pair_burst
        self.pair_interval = pair_interval
        self.window_error = window_error  # "sync": HTTP 400 131047; "async": 200 then a failed status
        self.now = now
        self.calls: list[GraphCall] = []
        self.templates: dict[tuple[str, str], int] = {}
        self.pending_statuses: list[dict[str, Any]] = []
        self.later_statuses: tuple[str, ...] = ()  # after "sent", for a message that arrives: e.g. ("delivered",)
        self.read_error: int | None = None  # when set, marking a message as read answers this Graph error
        self.unknown_media_code = 100  # how a message naming an unknown or expired media id is refused
        self._last_inbound: dict[str, datetime] = {}
        self._not_on_whatsapp: set[str] = set()
        self._failures: deque[_Failure | None] = deque()  # None: let one request through
        self._media: dict[str, tuple[bytes, str, datetime]] = {}  # bytes, MIME type, valid until
        self._ids = itertools.count(1)
        self._sent_times: deque[float] = deque()
        self._pair_times: dict[str, deque[float]] = {}
        self._closing = asyncio.Event()
        self._flowing = asyncio.Event()  # cleared by `hold`: messages calls wait until `release`
        self._flowing.set()
        app = web.Application(client_max_size=200 * 1024 * 1024)
        app.router.add_post("/{ver}/{pnid}/messages", self._messages)
        app.router.add_post("/{ver}/{pnid}/media", self._upload)
        app.router.add_get("/media-dl/{media_id}", self._download)
        app.router.add_get("/{ver}/{media_id}", self._media_info)
        self._server = TestServer(app, host="127.0.0.1")

    # -- control -------------------------------------------------------------------------------

    async def start(self) -> None:
        await self._server.start_server()

    async def close(self) -> None:
        self._closing.set()
        await self._server.close()

    @property
    def root(self) -> str:
        return str(self._server.make_url("")).rstrip("/")

    @property
    def url(self) -> str:
        """The API base the bot is configured with (KOPSEHAT_WHATSAPP_API_URL), version included."""
        return f"{self.root}/{self.version}"

    def user_wrote(self, wa_id: str, at: datetime | None = None) -> None:
        """The user sent us a message at `at` (default now): their 24-hour window is open from then."""
        self._last_inbound[wa_id] = at or self.now()

    def fail_next(self, code: int, count: int = 1, *, http_status: int | None = None, after: int = 0) -> None:
        """After `after` requests go through, `count` requests fail with Graph error `code`.

        The HTTP status is 401 for 190 and 400 otherwise, as Meta answers, unless `http_status` is given.
        """
        status = http_status or (401 if code == 190 else 400)
        self._failures.extend([None] * after)
        self._failures.extend(_Failure(code, status) for _ in range(count))

    def hang_next(self, count: int = 1, *, after: int = 0) -> None:
        """After `after` requests go through, `count` requests never answer (until the fake closes)."""
        self._failures.extend([None] * after)
        self._failures.extend(_Failure(0, 0, hang=True) for _ in range(count))

    def hold(self) -> None:
        """Calls to /messages (messages and read marks) wait, unanswered, until `release`."""
        self._flowing.clear()

    def release(self) -> None:
        self._flowing.set()

    def register_template(self, name: str, language: str, parameter_count: int) -> None:
        self.templates[(name, language)] = parameter_count

    def not_on_whatsapp(self, wa_id: str, gone: bool = True) -> None:
        """Sends to this user are accepted, then fail asynchronously with 131026 (`gone=False`: they are back)."""
        if gone:
            self._not_on_whatsapp.add(wa_id)
        else:
            self._not_on_whatsapp.discard(wa_id)

    def add_media(self, data: bytes, mime_type: str) -> str:
        """Media a user sent (as if from a webhook); returns its media id."""
        return self._keep_media(data, mime_type, INBOUND_MEDIA_LIFETIME)

    def forget_media(self, media_id: str) -> None:
        """Meta no longer has this media (deleted or expired early): messages naming it are refused."""
        self._media.pop(media_id, None)

    def fail_later(self, wa_id: str, code: int, kind: str = "document") -> str:
        """The last accepted message of `kind` to `wa_id` fails afterwards, e.g. Meta could not use its media (131052,
        131053): a `failed` status with `code` is queued for the next status webhook. Its wamid."""
        for call in reversed(self.calls):
            body = call.json if call.path.endswith("/messages") and call.status == 200 else None
            if body is not None and body.get("type") == kind and _recipient(body) == wa_id:
                wamid = str(call.response["messages"][0]["id"])
                self._queue_status(wamid, wa_id, body, "failed", code)
                return wamid
        raise LookupError(f"no {kind} message was accepted for {wa_id}")

    def uploads(self) -> list[GraphCall]:
        """The media upload calls (POST /{pnid}/media), answered or not."""
        return [call for call in self.calls if call.method == "POST" and call.path.endswith("/media")]

    def messages_to(self, wa_id: str) -> list[dict[str, Any]]:
        """Bodies of the messages accepted for this recipient, in order."""
        return [
            call.json
            for call in self.calls
            if call.path.endswith("/messages")
            and call.status == 200
            and call.json is not None
            and _recipient(call.json) == wa_id
        ]

    def read_receipts(self) -> list[str]:
        """Ids of the inbound messages the bot marked as read (accepted calls), in order."""
        return [
            call.json["message_id"]
            for call in self.calls
            if call.path.endswith("/messages")
            and call.status == 200
            and call.json is not None
            and call.json.get("status") == "read"
        ]

    def status_webhook(self) -> dict[str, Any] | None:
        """A webhook payload carrying the statuses produced so far (then forgotten), or None."""
        if not self.pending_statuses:
            return None
        statuses, self.pending_statuses = self.pending_statuses, []
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "6281100000000", "phone_number_id": self.phone_number_id},
            "statuses": statuses,
        }
        return {
            "object": "whatsapp_business_account",
            "entry": [{"id": "200000000000001", "changes": [{"field": "messages", "value": value}]}],
        }

    # -- endpoints -------------------------------------------------------------------------------

    async def _messages(self, request: web.Request) -> web.Response:
        await self._flowing.wait()
        call = self._record(request)
        try:
            call.json = await request.json()
        except ValueError:
            return self._answer(call, 400, error_body(100, "body is not JSON"))
        early = await self._gate(request, call)
        if early is not None:
            return early
        body = call.json if isinstance(call.json, dict) else {}
        problem = _validate(body, self.templates) or self._check_media(body)
        if problem is not None:
            return self._answer(call, 400, error_body(*problem))
        if body.get("status") == "read":  # not a message: no throughput or pair limit
            if self.read_error is not None:
                return self._answer(call, 400, error_body(self.read_error))
            return self._answer(call, 200, {"success": True})
        if not self._throughput_ok():
            return self._answer(call, 400, error_body(130429))
        recipient = _recipient(body)
        if not self._pair_ok(recipient):
            return self._answer(call, 400, error_body(131056))
        wamid = f"wamid.FAKE.{next(self._ids)}"
        window_closed = body.get("type") != "template" and not self._window_open(recipient)
        if window_closed and self.window_error == "sync":
            return self._answer(call, 400, error_body(131047))
        self._queue_status(wamid, recipient, body, "sent")
        if window_closed:
            self._queue_status(wamid, recipient, body, "failed", 131047)
        elif recipient in self._not_on_whatsapp:
            self._queue_status(wamid, recipient, body, "failed", 131026)
        else:
            for status in self.later_statuses:
                self._queue_status(wamid, recipient, body, status)
        contact = {"input": recipient, "user_id" if "to" not in body else "wa_id": recipient}
        answer = {"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": wamid}]}
        return self._answer(call, 200, answer)

    async def _upload(self, request: web.Request) -> web.Response:
        call = self._record(request)
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                call.files[name] = (value.filename, value.content_type, value.file.read())
            else:
                call.form[name] = str(value)
        early = await self._gate(request, call)
        if early is not None:
            return early
        if call.form.get("messaging_product") != "whatsapp" or "file" not in call.files or not call.form.get("type"):
            return self._answer(call, 400, error_body(100, "messaging_product, type and file are required"))
        _, content_type, data = call.files["file"]
        return self._answer(call, 200, {"id": self._keep_media(data, content_type, UPLOAD_LIFETIME)})

    async def _media_info(self, request: web.Request) -> web.Response:
        call = self._record(request)
        early = await self._gate(request, call)
        if early is not None:
            return early
        media_id = request.match_info["media_id"]
        if self._media_valid(media_id) is None:
            return self._answer(call, 400, error_body(100, "unknown media id"))
        data, mime_type, _ = self._media[media_id]
        info = {
            "messaging_product": "whatsapp",
            "url": f"{self.root}/media-dl/{media_id}",
            "mime_type": mime_type,
            "sha256": hashlib.sha256(data).hexdigest(),
            "file_size": len(data),
            "id": media_id,
        }
        return self._answer(call, 200, info)

    async def _download(self, request: web.Request) -> web.StreamResponse:
        call = self._record(request)
        early = await self._gate(request, call)
        if early is not None:
            return early
        media = self._media.get(request.match_info["media_id"])
        if media is None:
            return self._answer(call, 404, error_body(100, "unknown media"))
        call.status = 200
        return web.Response(body=media[0], content_type=media[1])

    # -- helpers ---------------------------------------------------------------------------------

    def _keep_media(self, data: bytes, mime_type: str, lifetime: timedelta) -> str:
        media_id = str(1_013_859_600_285_441 + next(self._ids))  # 16 digits, like Meta's
        self._media[media_id] = (data, mime_type, self.now() + lifetime)
        return media_id

    def _media_valid(self, media_id: str) -> tuple[bytes, str, datetime] | None:
        media = self._media.get(media_id)
        return media if media is not None and self.now() < media[2] else None

    def _check_media(self, body: dict[str, Any]) -> tuple[int, str] | None:
        """A picture or document sent by a media id Meta does not have (never uploaded, deleted or expired)."""
        kind = body.get("type")
        media_id = body.get(kind, {}).get("id") if kind in ("image", "document") else None
        if media_id is None or self._media_valid(str(media_id)) is not None:
            return None
        return self.unknown_media_code, f"Param {kind}['id'] is not a valid media id (unknown or expired): {media_id}"

    def _record(self, request: web.Request) -> GraphCall:
        call = GraphCall(request.method, request.path, dict(request.headers))
        self.calls.append(call)
        return call

    def _answer(self, call: GraphCall, status: int, body: dict[str, Any]) -> web.Response:
        call.status, call.response = status, body
        return web.json_response(body, status=status)

    async def _gate(self, request: web.Request, call: GraphCall) -> web.Response | None:
        """Token, phone number id and staged failures: the answer when one of them stops the request."""
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return self._answer(call, 401, error_body(190, "Invalid OAuth access token"))
        pnid = request.match_info.get("pnid")
        if pnid is not None and pnid != self.phone_number_id:
            return self._answer(call, 400, error_body(100, f"Unsupported post request: {pnid}"))
        if self._failures:
            failure = self._failures.popleft()
            if failure is None:
                return None
            if failure.hang:
                await self._closing.wait()
                return self._answer(call, 500, error_body(131000))
            return self._answer(call, failure.http_status, error_body(failure.code))
        return None

    def _throughput_ok(self) -> bool:
        now = time.monotonic()
        while self._sent_times and now - self._sent_times[0] >= 1.0:
            self._sent_times.popleft()
        if len(self._sent_times) >= self.messages_per_second:
            return False
        self._sent_times.append(now)
        return True

    def _pair_ok(self, recipient: str) -> bool:
        if self.pair_burst is None:
            return True
        now = time.monotonic()
        times = self._pair_times.setdefault(recipient, deque())
        while times and now - times[0] >= self.pair_interval * self.pair_burst:
            times.popleft()
        if len(times) >= self.pair_burst:
            return False
        times.append(now)
        return True

    def _window_open(self, recipient: str) -> bool:
        last = self._last_inbound.get(recipient)
        return last is not None and self.now() - last < WINDOW

    def _queue_status(
        self, wamid: str, recipient: str, body: dict[str, Any], status: str, code: int | None = None
    ) -> None:
        event: dict[str, Any] = {
            "id": wamid,
            "status": status,
            "timestamp": str(int(self.now().timestamp())),
            "recipient_id": recipient,
        }
        if "biz_opaque_callback_data" in body:
            event["biz_opaque_callback_data"] = body["biz_opaque_callback_data"]
        if code is not None:
            title = TITLES[code]
            event["errors"] = [{"code": code, "title": title, "message": title, "error_data": {"details": title}}]
        self.pending_statuses.append(event)


def _recipient(body: dict[str, Any]) -> str:
    return str(body.get("to") or body.get("recipient") or "")


def _validate(body: dict[str, Any], templates: dict[tuple[str, str], int]) -> tuple[int, str] | None:
    """Meta's schema checks on a /messages body: (error code, details) when it would be refused."""
    if body.get("messaging_product") != "whatsapp":
        return 131008, "messaging_product must be whatsapp"
    if body.get("status") == "read":  # mark as read: exactly these fields (platforms.md §2.7)
        if not isinstance(body.get("message_id"), str) or not body["message_id"]:
            return 131008, "message_id is required"
        extra = set(body) - {"messaging_product", "status", "message_id"}
        return (100, f"unexpected fields for a read receipt: {sorted(extra)}") if extra else None
    if not (body.get("to") or body.get("recipient")):
        return 131008, "to or recipient is required"
    kind = body.get("type")
    content = body.get(kind) if isinstance(kind, str) else None
    if not isinstance(content, dict):
        return 131008, f"{kind} object is required"
    if kind == "text":
        text = content.get("body")
        if not isinstance(text, str) or not text or len(text) > 4096:
            return 131009, "text.body must be 1..4096 characters"
    elif kind == "interactive":
        return _validate_interactive(content)
    elif kind in ("image", "document"):
        if not (content.get("id") or content.get("link")):
            return 131008, "media id or link is required"
        if len(content.get("caption", "")) > 1024:
            return 131009, "caption is too long"
    elif kind == "template":
        return _validate_template(content, templates)
    return None


def _validate_interactive(interactive: dict[str, Any]) -> tuple[int, str] | None:
    body_text = interactive.get("body", {}).get("text")
    if not isinstance(body_text, str) or not body_text or len(body_text) > 1024:
        return 131009, "interactive body must be 1..1024 characters"
    action = interactive.get("action", {})
    if interactive.get("type") == "button":
        buttons = action.get("buttons", [])
        titles = [b.get("reply", {}).get("title", "") for b in buttons]
        ids = [b.get("reply", {}).get("id", "") for b in buttons]
        if not 1 <= len(buttons) <= 3 or len(set(titles)) != len(titles):
            return 131009, "1..3 buttons with unique titles"
        if any(not t or len(t) > 20 for t in titles) or any(not i or len(i) > 256 for i in ids):
            return 131009, "button title 1..20, id 1..256"
        return None
    if interactive.get("type") == "list":
        label = action.get("button", "")
        sections = action.get("sections", [])
        rows = [row for section in sections for row in section.get("rows", [])]
        if not label or len(label) > 20 or not 1 <= len(rows) <= 10:
            return 131009, "list label 1..20 and 1..10 rows"
        if len(sections) > 1 and any(not s.get("title") for s in sections):
            return 131009, "section titles are required with several sections"
        for row in rows:
            if not row.get("title") or len(row["title"]) > 24 or len(row.get("description", "")) > 72:
                return 131009, "row title 1..24, description ..72"
            if not row.get("id") or len(row["id"]) > 200:
                return 131009, "row id 1..200"
        return None
    return 131009, "unknown interactive type"


def _validate_template(template: dict[str, Any], templates: dict[tuple[str, str], int]) -> tuple[int, str] | None:
    key = (template.get("name", ""), template.get("language", {}).get("code", ""))
    if key not in templates:
        return 132001, f"template {key[0]!r} ({key[1]}) does not exist"
    texts = [
        parameter.get("text", "")
        for component in template.get("components", [])
        if component.get("type") == "body"
        for parameter in component.get("parameters", [])
    ]
    if len(texts) != templates[key]:
        return 132000, f"expected {templates[key]} parameters, got {len(texts)}"
    if any(_BAD_TEMPLATE_TEXT.search(text) or not text for text in texts):
        return 132018, "parameters must not contain newlines, tabs or more than 4 spaces"
    return None


FIXTURES = Path(__file__).parent.parent / "fixtures" / "whatsapp"


def webhook_fixture(name: str) -> dict[str, Any]:
    """A real-shaped webhook payload from tests/fixtures/whatsapp/<name>.json."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture
async def fake_graph() -> AsyncIterator[FakeGraphAPI]:
    """A fake Graph API on 127.0.0.1: `.url` (version included), `.token`, `.calls`, `.fail_next(...)`."""
    fake = FakeGraphAPI()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()
