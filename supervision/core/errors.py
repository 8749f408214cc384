"""Errors every layer may raise and the command line reports without a traceback."""

from __future__ import annotations


class UsageError(Exception):
    """Wrong arguments or a wrong place to write; printed with the usage and exit code 2."""
