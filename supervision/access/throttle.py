"""Bounds on sign-in: how many argon2 hashes run at once, and how often one source may fail.

Each argon2 verification takes `argon2_memory_kib` (64 MB by default): fifty concurrent failed
sign-ins once took the server to 2.75 GB. `hashing()` lets only HASH_SLOTS run at a time; the
others queue, so memory stays at about HASH_SLOTS × 64 MB whatever the load.

The throttle counts failed sign-ins in this process over the lock-out window:
- per (source, user name): a source is refused after `lockout_threshold - 1` failures for one name,
  so one source alone can never reach an account's lock-out (nobody can lock someone else's account
  from their desk); the owner, from their own machine, is not affected;
- per source: after SOURCE_FAILURES failures for any names (password spraying) the source waits;
- per unknown name: after `lockout_threshold` failures it gets the very message a locked account gets,
  so the lock-out message no longer tells which names exist.
A refusal by the throttle is decided before the account is looked up, so it tells nothing either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

HASH_SLOTS = 4
SOURCE_FAILURES = 30

_slots = threading.BoundedSemaphore(HASH_SLOTS)


@contextmanager
def hashing() -> Iterator[None]:
    """Hold one of the HASH_SLOTS argon2 slots while hashing or verifying a password."""
    with _slots:
        yield


def masked_name(name: str) -> str:
    """How the audit log names a user name that is not an account: a password typed into the name box
    must not end up in the log, so only a short digest is kept (the same typo gives the same digest)."""
    if not name:
        return "（空）"
    return "未知用户#" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]


class Throttle:
    """Failed sign-ins per source, per (source, name) and per unknown name, over a sliding window."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[tuple[str, ...], deque[dt.datetime]] = {}

    def _recent(self, key: tuple[str, ...], now: dt.datetime, window: dt.timedelta) -> deque[dt.datetime]:
        found = self._failures.setdefault(key, deque())
        while found and now - found[0] >= window:
            found.popleft()
        return found

    def refusal_until(self, source: str | None, name: str, now: dt.datetime, threshold: int,
                      window: dt.timedelta) -> dt.datetime | None:
        """Until when this source must wait before trying `name` again, or None if it may try now."""
        if source is None:
            return None
        with self._lock:
            pair = self._recent(("pair", source, name), now, window)
            anyone = self._recent(("source", source), now, window)
            waits = [pair[0] + window] if len(pair) >= max(1, threshold - 1) else []
            if len(anyone) >= SOURCE_FAILURES:
                waits.append(anyone[0] + window)
            return max(waits) if waits else None

    def failed(self, source: str | None, name: str, now: dt.datetime, window: dt.timedelta,
               unknown: bool) -> int:
        """Count a failure; returns how many failures the unknown `name` now has in the window (0 if known)."""
        with self._lock:
            if source is not None:
                self._recent(("pair", source, name), now, window).append(now)
                self._recent(("source", source), now, window).append(now)
            if not unknown:
                return 0
            names = self._recent(("unknown", name), now, window)
            names.append(now)
            return len(names)

    def unknown_locked_until(self, name: str, now: dt.datetime, threshold: int,
                             window: dt.timedelta) -> dt.datetime | None:
        """An unknown name "locked" like an account would be after `threshold` failures."""
        with self._lock:
            names = self._recent(("unknown", name), now, window)
            return names[threshold - 1] + window if len(names) >= threshold else None

    def forget(self, name: str) -> None:
        """An administrator unlocked the account: its per-source counts go too."""
        with self._lock:
            for key in [k for k in self._failures if k[-1] == name and k[0] in ("pair", "unknown")]:
                del self._failures[key]

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()


THROTTLE = Throttle()
