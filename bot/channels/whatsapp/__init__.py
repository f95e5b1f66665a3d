"""WhatsApp Cloud API: the webhook edge, sender, receipts and pacing."""
