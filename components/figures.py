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
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
# How long a thread waits for another to finish building the same object before it builds its own: far above a
# cold build at province scale, and a bound should a build hang on the database (no worse than no waiting).
WAIT_S = 120.0
P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class _Gate:
    """Whoever holds `lock` builds the key's object; `users` counts the threads at this gate."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    users: int = 0


class _Store:
    """A small LRU map, safe for the server's script threads, that builds each missing object once."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.items: OrderedDict[Hashable, Any] = OrderedDict()  # figures, and views made of them
        self.specs: dict[int, str] = {}  # id of a kept figure → its JSON, while the figure is kept
        self.gates: dict[Hashable, _Gate] = {}  # keys being built now
        self.lock = threading.Lock()

    @contextmanager
    def turn(self, key: Hashable, wait_s: float) -> Iterator[None]:
        """Build `key` one thread at a time: the others wait here (up to `wait_s`) and then find it kept."""
        with self.lock:
            gate = self.gates.setdefault(key, _Gate())
            gate.users += 1
        held = gate.lock.acquire(timeout=wait_s)
        try:
            yield
        finally:
            if held:
                gate.lock.release()
            with self.lock:
                gate.users -= 1
                if not gate.users:
                    del self.gates[key]

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
    """The figure for `key`, built by `build` once per process (sessions that ask meanwhile wait for it).

    A principal in the key stands for what it may read (supervision.access.scope.reader): every figure is drawn
    from scoped reads only, so all city-wide accounts share one figure, and each township's officers theirs.
    """
    return keep(key, build)


def keep(key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
    """As memo, for any finished object that nobody changes once built (a wall's panel group of such figures).

    Built once: when a hundred walls open together after a restart, each of them building the same view at the
    same time kept 88 script threads busy with one picture (py-spy, issue 21) and their first screens came
    after 24 s. A failed build lets the next waiter try. Gates nest one way only (a view's, then its figures'),
    so they cannot deadlock.
    """
    key = tuple(reader(part) if isinstance(part, Principal) else part for part in key)
    store = _store()
    found = store.get(key)
    if found is None:
        with store.turn(key, WAIT_S):
            found = store.get(key)  # built by the thread this one waited for
            if found is None:
                _count(False)
                built = build()
                store.put(key, built)
                return built
    _count(True)
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
