"""Finished figures, kept per process, so that a warm page only sends them.

The frames behind a figure are cached (components/data.py), but building a plotly figure from
them still costs 10–60 ms (property validation and template copies): a page of four figures
spent most of its warm run there, and a wall screen pays it on every refresh for every viewer.
So the figure itself is kept, keyed by everything it is drawn from: the data version, what the
signed-in principal may read (every query is scoped by it), the filters, the look and what else the
call site names. st.cache_data would pickle the figure and plotly re-validates it on every unpickle,
which is the cost we avoid; the objects are therefore shared between sessions, and nothing may
change a figure it got from here (st.plotly_chart and the exports only read it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

import plotly.graph_objects as go
import streamlit as st

from components.filters import Filters
from components.session import current_principal
from supervision.access.scope import reader
from supervision.core.metrics import counted_cache
from supervision.core.principal import Principal
from supervision.reporting.charts import Look

_count = counted_cache("figures")
CAPACITY = 512  # figures; a few MB for a province's pages, and a new data version makes old ones unreachable
P = ParamSpec("P")
T = TypeVar("T")


class _Store:
    """A small LRU map, safe for the server's script threads."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.items: OrderedDict[Hashable, Any] = OrderedDict()  # figures, and views made of them
        self.specs: dict[int, str] = {}  # id of a kept figure → its JSON, while the figure is kept
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self.lock:
            fig = self.items.get(key)
            if fig is not None:
                self.items.move_to_end(key)
            return fig

    def put(self, key: Hashable, fig: Any) -> None:
        with self.lock:
            self.items[key] = fig
            self.items.move_to_end(key)
            while len(self.items) > self.capacity:
                _, dropped = self.items.popitem(last=False)
                self.specs.pop(id(dropped), None)


@st.cache_resource(show_spinner=False)
def _store() -> _Store:
    return _Store(CAPACITY)


def memo(key: tuple[Hashable, ...], build: Callable[[], go.Figure]) -> go.Figure:
    """The figure for `key`, built by `build` once per process (two sessions may both build it once).

    A principal in the key stands for what it may read (supervision.access.scope.reader): every figure is drawn
    from scoped reads only, so all city-wide accounts share one figure, and each township's officers theirs.
    """
    return keep(key, build)


def keep(key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
    """As memo, for any finished object that nobody changes once built (a wall's panel group of such figures)."""
    key = tuple(reader(part) if isinstance(part, Principal) else part for part in key)
    store = _store()
    found = store.get(key)
    _count(found is not None)
    if found is None:
        found = build()
        store.put(key, found)
    return cast(T, found)


def spec(fig: go.Figure) -> str:
    """The figure's JSON (what the image export renders), computed once for a kept figure."""
    store = _store()
    with store.lock:
        known = store.specs.get(id(fig))
    if known is not None:
        return known
    text = fig.to_json()
    with store.lock:
        if any(kept is fig for kept in store.items.values()):
            store.specs[id(fig)] = text
    return text


def cached(build: Callable[Concatenate[int, Filters, Look, P], go.Figure]
           ) -> Callable[Concatenate[int, Filters, Look, P], go.Figure]:
    """For a page's figure builder build(version, filters, look, *more) whose queries use the signed-in principal."""
    name = (build.__code__.co_filename, build.__qualname__)

    @wraps(build)
    def run(version: int, f: Filters, look: Look, /, *more: P.args, **named: P.kwargs) -> go.Figure:
        key = (name, version, current_principal(), f, look, more, tuple(sorted(named.items())))
        return memo(key, lambda: build(version, f, look, *more, **named))

    return run
