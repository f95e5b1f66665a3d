"""Fakes of the platforms as real loopback servers."""
