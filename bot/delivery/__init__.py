"""Outbox: business notices, send policy, the workers that send and record outcomes."""
