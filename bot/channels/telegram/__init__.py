"""Telegram: the Bot API edge (webhook or polling), sender and pacing."""
