"""Every yearly item of the form fits the column its answer is stored in (PostgreSQL refuses a longer key)."""

from __future__ import annotations

from sqlalchemy import String

from bot.domain import forms
from storage.models import ManagementAnswer


def test_every_yearly_item_key_fits_the_stored_answers_column() -> None:
    column = ManagementAnswer.__table__.c.item_key.type
    assert isinstance(column, String) and column.length is not None
    width = column.length
    yearly = [q.key for q in forms.load_form().questions if q.yearly]
    assert any(k.startswith("compliance.ready_") for k in yearly)
    assert [k for k in yearly if len(k) > width] == []
