"""The signed-in user of this browser session."""

from __future__ import annotations

from supervision.principal import Principal, Role


def current_principal() -> Principal:
    """Everyone reads as a leader until sign-in (issue 5) replaces this with the session's account."""
    return Principal("guest", "访客", Role.LEADER)
