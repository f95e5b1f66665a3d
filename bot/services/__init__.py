"""Use cases: the only callers of storage; plain values in, plain results out.

Every door (a chat handler, an office web page, the phone form, a workbook import, a CLI command) gets a `Services`
bound to one unit of work (one transaction) and calls its use cases; none of them touches storage itself. Each use
case lives in the module of its aggregate (reports, cooperatives, trainings, announcements ...) and is reached as an
attribute of `Services` (`services.reports.submit(...)`).
"""

from __future__ import annotations

from bot.domain.health.rules import Rules
from storage.repositories import Repositories


class Services:
    """The use cases bound to one unit of work (one transaction) and this deployment's scoring rules."""

    def __init__(self, repos: Repositories, rules: Rules) -> None:
        self._repos = repos
        self.rules = rules
