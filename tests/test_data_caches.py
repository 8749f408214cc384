"""Cached data functions expire by data version, never by the clock, and hold a bounded number of entries."""

from __future__ import annotations

import inspect

import components.data as data


def _cached() -> dict[str, object]:
    return {name: fn for name, fn in inspect.getmembers(data) if hasattr(fn, "_info") and hasattr(fn, "clear")}


def test_every_data_function_is_keyed_by_version_not_by_a_ttl() -> None:
    cached = _cached()
    assert len(cached) >= 20
    for name, fn in cached.items():
        info = fn._info  # type: ignore[attr-defined]
        assert info.ttl is None, f"{name}: a TTL makes the whole cold cost recur for the first viewer (issue 21)"
        if name != "national_quota":  # one entry per year of a small reference table
            assert info.max_entries, f"{name}: an unbounded cache grows with every filter combination"
