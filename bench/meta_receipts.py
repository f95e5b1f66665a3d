"""Meta's delivery receipts for the benchmarks' fake Graph API (bench/peer_compare.py's `--fake`): for each message it
accepts, the status webhooks Meta posts back (`sent`, `delivered`, `read`, one POST each, in that order, a little
apart), signed with the App Secret as Meta signs them, shaped as ../shared/domain/platforms.md §2.4 has them (`sent`
and `delivered` with `conversation` and `pricing`; `biz_opaque_callback_data` echoed). Bounded: one try per webhook
(an answer other than 200 is counted, not retried), on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

APP_SECRET = "channels-compare-secret"  # the App Secret the benchmarks' `kopsehat run` is given
PHONE_NUMBER_ID = "109876543210987"
STATUSES = ("sent", "delivered", "read")
GAPS = (0.0, 0.05, 0.2)  # seconds before each status (after the previous one was answered)


def status_payload(wamid: str, recipient: str, status: str, callback: str | None) -> dict[str, Any]:
    """A webhook carrying one status of one message."""
    event: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": recipient,
    }
    if callback is not None:
        event["biz_opaque_callback_data"] = callback
    if status in ("sent", "delivered"):
        expires = str(int(time.time()) + 86_400)
        event["conversation"] = {
            "id": f"conv{recipient}",
            "expiration_timestamp": expires,
            "origin": {"type": "service"},
        }
        event["pricing"] = {
            "billable": False,
            "pricing_model": "PMP",
            "category": "service",
            "type": "free_customer_service",
        }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281100000000", "phone_number_id": PHONE_NUMBER_ID},
        "statuses": [event],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }


class ReceiptPoster:
    """Posts the receipts of accepted messages to the webhook of the server that sent them; counts what is under way."""

    def __init__(self) -> None:
        import aiohttp

        self._session: aiohttp.ClientSession | None = None
        self.in_flight = 0  # receipts scheduled and not yet answered
        self.posted = 0
        self.non_200 = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def accepted(self, port: int, wamid: str, recipient: str, callback: str | None) -> None:
        """A message was accepted from the server listening on `port`: its receipts follow."""
        self.in_flight += len(STATUSES)
        task = asyncio.create_task(
            self._post_all(f"http://127.0.0.1:{port}/whatsapp/webhook", wamid, recipient, callback)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post_all(self, url: str, wamid: str, recipient: str, callback: str | None) -> None:
        import aiohttp

        from tests.fakes.graph_api import signed

        if self._session is None:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        for status, gap in zip(STATUSES, GAPS, strict=True):
            await asyncio.sleep(gap)
            raw, headers = signed(status_payload(wamid, recipient, status, callback), APP_SECRET)
            try:
                async with self._session.post(url, data=raw, headers=headers) as answer:
                    await answer.read()
                    self.non_200 += answer.status != 200
            except aiohttp.ClientError:
                self.non_200 += 1
            self.posted += 1
            self.in_flight -= 1

    def counts(self) -> dict[str, int]:
        return {"in_flight": self.in_flight, "posted": self.posted, "non_200": self.non_200}
