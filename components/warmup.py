"""The background warm-up: after every change of the data, read once what the first viewers would wait for.

An import or a form bumps the data version, so every cached read and kept figure of the old version is out of
reach: without this, the first leader to open the overview after an import, and every wall at its next
refresh, paid the whole cold cost (at province scale seconds, the year's check run most of it). One thread
per server process watches the data version, the lifecycle's counter and the date (one tiny query each every
`[cache] poll_seconds`); when one of them changes, and once at start, it draws the wall's panel groups and
the overview's numbers for the default year, city-wide, through the very functions the pages call, so the
pages find them cached (components/data.py and components/figures.py key by what a principal may read, so
one city-wide reader warms every leader, bureau officer and wall). A township's view is one township's rows
and warms on its first viewer.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from components import data, filters, panels, screen, session
from components.db import current_data_version, current_lifecycle_version, settings
from components.filters import Filters
from supervision.core.clock import today_local
from supervision.core.metrics import METRICS
from supervision.core.principal import Principal, Role

# A city-wide reader: what a leader, a bureau officer or a wall may read (supervision.access.scope.reader).
WARM_UP = Principal("warm-up", "后台预热", Role.LEADER)
THREAD_NAME = "supervision-warm-up"
log = logging.getLogger(__name__)


class _NoSessionWarnings(logging.Filter):
    """Streamlit warns on every cache lookup made outside a browser session; in this thread that is the point."""

    def filter(self, record: logging.LogRecord) -> bool:
        return threading.current_thread().name != THREAD_NAME


def warm(version: int) -> Filters:
    """Read and draw the default year's overview numbers and every wall panel group, city-wide; the filters used."""
    with session.acting_as(WARM_UP):
        year = filters.default_year(version, WARM_UP)
        f = Filters(year, filters.default_as_of(year), None, None)
        # The filter bar's choices, then the overview page's numbers and its table of data freshness.
        filters.year_options(version, WARM_UP)
        data.township_names(version, WARM_UP)
        panels.kpis(version, f)
        panels.kpi_source(version, f)
        data.table_freshness(version, WARM_UP, f.year, f.township, f.as_of)
        wall = screen.Screen(on=True)
        # The default wall draws the overview compact (two groups in two rows); a carousel draws each group whole.
        screen.view("overview", screen.Frame(version, f, wall, compact=True, visit=0))
        for group in screen.GROUPS:
            screen.view(group, screen.Frame(version, f, wall, compact=False, visit=0))
    return f


@dataclass
class Warmer:
    """The watching thread's state: what it warmed last, how often, how long it took."""

    poll_s: float
    stop: threading.Event = field(default_factory=threading.Event)
    warmed: tuple[int, int, dt.date] | None = None  # (data version, lifecycle version, day) last warmed
    runs: int = 0
    last_seconds: float | None = None
    failures: int = 0

    def tick(self) -> bool:
        """Warm if the data, the lifecycle or the day changed since the last warm-up; whether it warmed."""
        try:
            seen = (current_data_version(), current_lifecycle_version(), today_local())
            if seen == self.warmed:
                return False
            started = time.perf_counter()
            warm(seen[0])
        except SQLAlchemyError:
            # The database is away (the pages say so); look again at the next tick.
            self.failures += 1
            return False
        self.last_seconds = time.perf_counter() - started
        self.warmed, self.runs = seen, self.runs + 1
        METRICS.observe("supervision_warm_up_seconds", self.last_seconds)
        log.info("warm-up of data version %s took %.2f s", seen[0], self.last_seconds)
        return True

    def run(self) -> None:
        while True:
            try:
                self.tick()
            except Exception:  # a bug here must not kill the thread for the process's lifetime; the pages still work
                self.failures += 1
                log.exception("warm-up failed")
            if self.stop.wait(self.poll_s):
                return


@st.cache_resource(show_spinner=False)
def start() -> Warmer | None:
    """The process's one warm-up thread (config.toml [cache] warm_up), started on the first run of the app."""
    cfg = settings().cache
    if not cfg.warm_up:
        return None
    for name in ("streamlit.runtime.scriptrunner_utils.script_run_context",
                 "streamlit.runtime.caching.cache_data_api", "streamlit.runtime.state.session_state_proxy"):
        logging.getLogger(name).addFilter(_NoSessionWarnings())
    warmer = Warmer(float(cfg.poll_seconds))
    threading.Thread(target=warmer.run, name=THREAD_NAME, daemon=True).start()
    return warmer
