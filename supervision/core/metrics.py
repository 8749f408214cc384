"""The process's counters for /metrics, in the Prometheus text format (version 0.0.4).

Small and thread-safe: script runs happen on Streamlit's script threads, /metrics is answered on the
server's thread pool. One registry per process (each server process behind the proxy is scraped on its
own port; Prometheus adds them up).
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from time import perf_counter

# Seconds: a warm page is well under 0.5 s, a cold chart page 1–3 s, an import or a check run can take minutes.
RUN_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
JOB_BUCKETS = (0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)

Labels = tuple[tuple[str, str], ...]


@dataclass
class _Histogram:
    buckets: tuple[float, ...]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    n: int = 0

    def __post_init__(self) -> None:
        self.counts = [0] * len(self.buckets)

    def observe(self, value: float) -> None:
        i = bisect.bisect_left(self.buckets, value)
        if i < len(self.counts):
            self.counts[i] += 1
        self.total += value
        self.n += 1


@dataclass(frozen=True)
class _Family:
    name: str
    kind: str  # "counter", "gauge" or "histogram"
    help: str
    buckets: tuple[float, ...] = ()


FAMILIES = {f.name: f for f in (
    _Family("supervision_script_runs_total", "counter", "Full script runs, by page."),
    _Family("supervision_script_run_seconds", "histogram", "Duration of a full script run, by page.", RUN_BUCKETS),
    _Family("supervision_cache_requests_total", "counter",
            "Lookups of the kept figures and check runs, by cache and result (hit or miss)."),
    _Family("supervision_import_seconds", "histogram", "Duration of a package import (upload confirm).",
            JOB_BUCKETS),
    _Family("supervision_check_seconds", "histogram", "Duration of one run of the checks.", JOB_BUCKETS),
    _Family("supervision_warm_up_seconds", "histogram",
            "Duration of one background warm-up after a change of the data (components/warmup.py).", JOB_BUCKETS),
    _Family("supervision_database_errors_total", "counter",
            "Database errors seen by the app, by where (run, health, session, wall)."),
    _Family("supervision_sessions_active", "gauge",
            "Signed-in browser sessions in the database that are neither revoked, expired nor idle."),
    _Family("supervision_streamlit_sessions", "gauge", "Browser connections open to this process."),
    _Family("supervision_database_up", "gauge", "1 when the database answered the last probe, else 0."),
)}


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: Labels, extra: tuple[tuple[str, str], ...] = ()) -> str:
    pairs = (*labels, *extra)
    if not pairs:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in pairs) + "}"


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


class Registry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[tuple[str, Labels], float] = {}
        self._histograms: dict[tuple[str, Labels], _Histogram] = {}

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        key = (name, tuple(sorted(labels.items())))
        with self._lock:
            self._counters[key] = self._counters.get(key, 0.0) + amount

    def observe(self, name: str, value: float, **labels: str) -> None:
        key = (name, tuple(sorted(labels.items())))
        with self._lock:
            hist = self._histograms.get(key)
            if hist is None:
                hist = self._histograms[key] = _Histogram(FAMILIES[name].buckets)
            hist.observe(value)

    @contextmanager
    def timed(self, name: str, **labels: str) -> Iterator[None]:
        """Observe how long the block took (also when it raised: a failed import took its time too)."""
        start = perf_counter()
        try:
            yield
        finally:
            self.observe(name, perf_counter() - start, **labels)

    def render(self, gauges: dict[str, list[tuple[Labels, float]]] | None = None) -> str:
        """Every family in the text format; `gauges` are values read at scrape time (e.g. from the database)."""
        with self._lock:
            counters = dict(self._counters)
            hists = {k: (list(h.counts), h.total, h.n) for k, h in self._histograms.items()}
        lines: list[str] = []
        for family in FAMILIES.values():
            lines.append(f"# HELP {family.name} {family.help}")
            lines.append(f"# TYPE {family.name} {family.kind}")
            if family.kind == "counter":
                for (name, labels), value in sorted(counters.items()):
                    if name == family.name:
                        lines.append(f"{name}{_labels(labels)} {_number(value)}")
            elif family.kind == "gauge":
                for labels, value in (gauges or {}).get(family.name, []):
                    lines.append(f"{family.name}{_labels(labels)} {_number(value)}")
            else:
                for (name, labels), (counts, total, n) in sorted(hists.items()):
                    if name != family.name:
                        continue
                    running = 0
                    for bound, count in zip(family.buckets, counts, strict=True):
                        running += count
                        lines.append(f"{name}_bucket{_labels(labels, (('le', _number(bound)),))} {running}")
                    lines.append(f"{name}_bucket{_labels(labels, (('le', '+Inf'),))} {n}")
                    lines.append(f"{name}_sum{_labels(labels)} {_number(total)}")
                    lines.append(f"{name}_count{_labels(labels)} {n}")
        return "\n".join(lines) + "\n"


METRICS = Registry()


def counted_cache(cache: str) -> Callable[[bool], None]:
    """A recorder of hits and misses for one named cache."""
    def record(hit: bool) -> None:
        METRICS.inc("supervision_cache_requests_total", cache=cache, result="hit" if hit else "miss")
    return record
