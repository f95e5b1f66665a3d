"""Tests of the channel edges."""
