"""The people who talk to the bot: their chat accounts and the officers behind them."""

from __future__ import annotations

from storage.repositories import Repositories

LANGUAGES = ("id", "en")


class OfficerService:
    """The use cases about one person of one unit of work."""

    def __init__(self, repos: Repositories) -> None:
        self._repos = repos

    async def choose_language(self, identity_id: int, language: str) -> None:
        """Speak `language` ("id" or "en") to this chat account from now on, and to the officer behind it on every
        channel."""
        if language not in LANGUAGES:
            raise ValueError(f"no language {language!r}")
        identity = await self._repos.identities.get(identity_id)
        if identity is None:
            raise LookupError(f"no chat account {identity_id}")
        identity.language = language
        officer = await self._repos.officers.get(identity.officer_id) if identity.officer_id else None
        if officer is not None:
            officer.language = language
