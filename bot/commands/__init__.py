"""Subcommands of the kopsehat command line."""
