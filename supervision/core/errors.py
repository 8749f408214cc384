"""Errors whose (Chinese) message is shown as it is: the command line and the pages report them without a traceback."""

from __future__ import annotations


class UsageError(Exception):
    """Wrong arguments or a wrong place to write; printed with the usage and exit code 2."""


class AuthError(Exception):
    """An account operation that cannot be done; the message (Chinese) is shown to the user."""
