"""What the bot says, whatever the door: every user-facing word (templates/{id,en}, rendered by render.py), the
message values the use cases compose (messages.py) and what an attachment may be on each platform (attachments.py)."""
