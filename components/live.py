"""Reads and writes a page makes on the current database, uncached: forms, accounts, the audit log.

A form needs the current version of the row it edits and a write must not be served from a cache, so these
are not in `components.data`. Each is the domain function with the process's engine bound, called with the
same arguments minus the engine; pages never hold the engine themselves (tests/test_architecture.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine

from components.db import engine
from supervision.access import accounts, audit, wall_links
from supervision.entry import records

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _bound(fn: Callable[Concatenate[Engine, _P], _R]) -> Callable[_P, _R]:
    """`fn` with the engine (created on first use, never at import time) as its first argument."""
    @functools.wraps(fn)
    def call(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        return fn(engine(), *args, **kwargs)
    return call


# Forms (supervision.entry.records): lists to choose a record from, and the record with its version.
enterprise_options = _bound(records.enterprise_options)
environment_records = _bound(records.environment_records)
load_record = _bound(records.load_record)
penalties = _bound(records.penalties)
scoring_items = _bound(records.scoring_items)
self_check_status = _bound(records.self_check_status)
tipoffs = _bound(records.tipoffs)
township_totals = _bound(records.township_totals)

# The audit log (administrators).
audit_actors = _bound(audit.audit_actors)
audit_entries = _bound(audit.audit_entries)

# Accounts and wall links (administrators; change_own_password for everyone signed in with a password).
change_own_password = _bound(accounts.change_own_password)
create_user = _bound(accounts.create_user)
list_users = _bound(accounts.list_users)
set_password = _bound(accounts.set_password)
township_names = _bound(accounts.township_names)
unlock = _bound(accounts.unlock)
update_user = _bound(accounts.update_user)
create_screen_token = _bound(wall_links.create_screen_token)
list_screen_tokens = _bound(wall_links.list_screen_tokens)
revoke_screen_token = _bound(wall_links.revoke_screen_token)
set_screen_params = _bound(wall_links.set_screen_params)
