"""Cached data functions expire by data version, never by the clock, and hold a bounded number of entries."""

from __future__ import annotations

import inspect

import components.data as data


def _cached() -> dict[str, object]:
    """The module's own st.cache_data functions (not the engine's cache_resource it imports)."""
    return {name: fn for name, fn in inspect.getmembers(data)
            if hasattr(fn, "_info") and getattr(fn, "__module__", "") == data.__name__
            and type(fn._info).__name__ == "CachedDataFuncInfo"}


def test_every_data_function_is_keyed_by_version_not_by_a_ttl() -> None:
    cached = _cached()
    assert len(cached) >= 20
    for name, fn in cached.items():
        info = fn._info  # type: ignore[attr-defined]
        assert info.ttl is None, f"{name}: a TTL makes the whole cold cost recur for the first viewer (issue 21)"
        if name != "national_quota":  # one entry per year of a small reference table
            assert info.max_entries, f"{name}: an unbounded cache grows with every filter combination"
