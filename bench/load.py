"""Many wall screens at once: N sessions of the large-screen overview with auto-refresh, over loopback, no browser.

    .venv/bin/python bench/load.py [--sessions 20] [--duration 300] [--refresh 60] [--db URL | --url URL [--pid PID]]
                                   [--token TOKEN] [--ramp SECONDS] [--sample SECONDS] [--grace SECONDS]
                                   [--workers N [--port PORT]] [--officers N --think SECONDS]

--workers N (N > 1, or --nginx) runs N app processes behind nginx exactly as `make serve WORKERS=N` does
(deploy/cluster.py, on a PostgreSQL --db); each session first GETs the page, as a browser does, and keeps
nginx's routing cookie for its websocket; the RSS and CPU figures are summed over all processes and nginx.
--officers N replaces the wall screens by N officers, each with its own 领导 account (created in --db and
disabled at the end): each opens the deep link /quota, signs in on the form there (the form's widget states,
as the frontend submits them), then clicks through the chart pages every --think seconds (±50 %); reported:
sign-in → first chart and click → first chart / run done, p50…p99, in bench/results/load-officers.json.

Without --url it starts `streamlit run app.py` (devtools/browser.py) on --db, or, without --db, on a fresh
demo SQLite database built in a temporary folder (`python -m supervision demo --replace --db URL`). Without
--token it creates a wall-screen link (`python -m supervision users screen-token add`) and revokes it at the end.

Each session speaks Streamlit's websocket protocol as the browser's frontend does (checked against the
installed streamlit 1.67: its server is Starlette/uvicorn, so the client is the `websockets` package that
streamlit already requires, not tornado): it opens /_stcore/stream with the subprotocols
["streamlit", "PLACEHOLDER_AUTH_TOKEN"], sends a `rerun_script` BackMsg for `/?token=…&mode=screen&refresh=…`,
and reads ForwardMsgs. Every `auto_rerun` ForwardMsg (an `@st.fragment(run_every=…)`) starts a fixed-rate
timer, like the frontend's setInterval, that sends a fragment rerun (`fragment_id`, `is_auto_rerun`) whether
or not a run is still in flight; `stop_auto_rerun` cancels it. Large elements arrive as `ref_hash` references
to messages the client says it holds (`cached_message_hashes`), so the client keeps the frontend's message
cache, with its age-based expiry, and resolves them; a miss is an error. Widget states are not sent: the
wall's only widgets are the hidden sidebar filters, whose values come from the URL and stay in the server's
session state (each run's heading, metrics and charts are counted: the wall draws 6 and 6).

A request's latency runs from sending its BackMsg to the `script_finished` of the run that served it (the
first run to start after the send; requests that arrive while a run is going are served by the next one,
several at once if the server coalesced them). Full runs and fragment runs are reported separately. Errors:
an exception element, an st.error alert, a run that finished without the overview's heading, a compile
error, page-not-found, a cache miss, a dropped connection, and a request still unanswered --grace seconds
after the end. The server's RSS (VmRSS of its process and all descendants) is sampled every --sample
seconds; "warm" is the first sample after every session finished its first run; slopes are fitted from
then on and over the last half alone. Sessions start spread over --ramp seconds (default: one refresh period, as
independently opened screens would be); --ramp 0 makes every timer fire together, the worst case.

Prints a Markdown table and writes bench/results/load.json. Exit status 1 if there was any error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode, urlsplit

import streamlit
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin, Subprotocol

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # supervision (officer accounts), devtools and deploy (the servers)
RESULTS = ROOT / "bench" / "results"
# The overview's heading, on the normal page and on the wall alike: proof that a run drew the overview.
HEADING = "总览"
# What the frontend sends as the XSRF slot of the subprotocol list when it has no _streamlit_xsrf cookie.
NO_XSRF_TOKEN = "PLACEHOLDER_AUTH_TOKEN"
MAX_ERROR_MESSAGES = 10
# nginx's per-browser routing cookie (deploy/nginx/rare-earth.conf).
ROUTE_COOKIE = "rare_earth_route"


def percentiles(values: Sequence[float]) -> dict[str, float | int | None]:
    """n, p50, p90, p95, p99 and max in seconds (linear interpolation between closest ranks)."""
    ordered = sorted(values)
    out: dict[str, float | int | None] = {"n": len(ordered)}
    for name, q in (("p50", 0.50), ("p90", 0.90), ("p95", 0.95), ("p99", 0.99)):
        if not ordered:
            out[name] = None
            continue
        pos = q * (len(ordered) - 1)
        low = int(pos)
        high = min(low + 1, len(ordered) - 1)
        out[name] = round(ordered[low] + (ordered[high] - ordered[low]) * (pos - low), 4)
    out["max"] = round(ordered[-1], 4) if ordered else None
    return out


# --- the server process, from /proc -------------------------------------------------------------------------

def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name (which may hold spaces and parentheses)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2:].split()


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants that are alive now."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            ppid = int(_stat_fields(int(entry.name))[1])
        except (OSError, ValueError, IndexError):
            continue  # gone between the listing and the read
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def rss_kb(pids: Sequence[int]) -> int:
    """Sum of VmRSS over `pids` (kB); processes that ended meanwhile count zero."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            pass
    return total


def cpu_seconds(pids: Sequence[int]) -> float:
    """User plus system CPU time of `pids` so far."""
    ticks = 0
    for pid in pids:
        try:
            fields = _stat_fields(pid)
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time all CPUs spent busy since boot (/proc/stat: everything but idle and iowait)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def calibration_s(repeat: int = 3) -> float:
    """Median time of a fixed pure-Python loop: this machine's speed at the moment (a shared VM's varies)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        total = 0
        for i in range(5_000_000):
            total += i
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 3)


def listening_pid(port: int) -> int | None:
    """The process that listens on a loopback TCP port (for --url; readable only for our own processes)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(parts[9])
    wanted = {f"socket:[{inode}]" for inode in inodes}
    if not wanted:
        return None
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            for fd in os.scandir(f"/proc/{entry.name}/fd"):
                if os.readlink(fd.path) in wanted:
                    return int(entry.name)
        except OSError:
            continue
    return None


@dataclass
class MemorySampler:
    """The server's RSS (kB) over time, and its CPU time at the start and the end."""

    pid: int | None
    every_s: float
    samples: list[tuple[float, int]] = field(default_factory=list)
    cpu_start: float | None = None
    cpu_end: float | None = None
    # With --workers: the other app processes and nginx, summed with `pid` in every sample.
    more_pids: list[int] = field(default_factory=list)

    def _tree(self) -> list[int]:
        return [p for root in ([self.pid] if self.pid is not None else []) + self.more_pids for p in process_tree(root)]

    def sample(self, t: float) -> None:
        if self.pid is not None:
            self.samples.append((t, rss_kb(self._tree())))

    async def run(self, clock: Clock, stop: asyncio.Event) -> None:
        if self.pid is None:
            return
        self.cpu_start = cpu_seconds(self._tree())
        while not stop.is_set():
            self.sample(clock.now())
            try:
                await asyncio.wait_for(stop.wait(), self.every_s)
            except TimeoutError:
                pass
        self.sample(clock.now())
        self.cpu_end = cpu_seconds(self._tree())

    def summary(self, warm_at: float | None) -> dict[str, Any]:
        if not self.samples:
            return {"pid": self.pid, "sampled": False}
        mb = [(t, kb / 1024) for t, kb in self.samples]
        steady = [(t, m) for t, m in mb if warm_at is not None and t >= warm_at]
        # The last half as well: a heap that settles after a first minute is not a leak, a late slope may be.
        late = [(t, m) for t, m in steady if t >= (steady[0][0] + steady[-1][0]) / 2] if steady else []
        return {
            "pid": self.pid, "sampled": True, "every_s": self.every_s,
            "start_mb": round(mb[0][1], 1), "warm_mb": round(steady[0][1], 1) if steady else None,
            "peak_mb": round(max(m for _, m in mb), 1), "end_mb": round(mb[-1][1], 1),
            "steady_slope_mb_per_min": _slope_per_min(steady), "last_half_slope_mb_per_min": _slope_per_min(late),
            "samples": [[round(t, 1), round(m, 1)] for t, m in mb],
        }


def _slope_per_min(points: Sequence[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, MB) points, in MB per minute."""
    if len(points) < 3 or points[-1][0] <= points[0][0]:
        return None
    fit = statistics.linear_regression([t for t, _ in points], [m for _, m in points])
    return round(fit.slope * 60, 2)


# --- the sessions -------------------------------------------------------------------------------------------

@dataclass
class Clock:
    started: float = field(default_factory=time.perf_counter)

    def now(self) -> float:
        return time.perf_counter() - self.started


@dataclass
class Stats:
    """What all sessions found; the sessions share one event loop, so no locks."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {"full": [], "fragment": []})
    # "early_complete": runs that ended FINISHED_EARLY_FOR_RERUN (another rerun was queued) after drawing the
    # whole wall; they count as done. "interrupted": early ends that had not drawn it all.
    runs: dict[str, int] = field(
        default_factory=lambda: {"full": 0, "fragment": 0, "early_complete": 0, "interrupted": 0})
    requests_sent: int = 0
    sent_while_running: int = 0  # the timer fired during a run, as the browser's setInterval does
    coalesced: int = 0  # requests served by a run that also served another request
    ref_hits: int = 0
    bytes_received: int = 0
    errors: int = 0
    error_messages: list[str] = field(default_factory=list)
    first_run_done: dict[int, float] = field(default_factory=dict)
    complete_charts: int | None = None  # charts that a run which finished normally drew

    def error(self, session: int, text: str) -> None:
        self.errors += 1
        if len(self.error_messages) < MAX_ERROR_MESSAGES:
            self.error_messages.append(f"s{session:02d}: {text}"[:300])


@dataclass
class _Cached:
    encoded: bytes
    run_count: int
    fragment_id: str | None


class MessageCache:
    """The frontend's ForwardMsg cache: the hashes it holds go with every rerun, the server then sends references.

    Kept as the frontend keeps it (ForwardMessageCache in Streamlit's index.js): a cacheable message is stored
    by hash; a finished run ages the messages (a fragment run only its fragments' messages) and drops those
    not used for more than the server's maxCachedMessageAge runs.
    """

    def __init__(self) -> None:
        self.messages: dict[str, _Cached] = {}
        self.run_count = 0

    def hashes(self) -> list[str]:
        return list(self.messages)

    def maybe_store(self, msg: ForwardMsg, encoded: bytes) -> None:
        if msg.WhichOneof("type") == "ref_hash" or not msg.metadata.cacheable or not msg.hash:
            return
        if self.get(msg.hash) is None:
            fragment = msg.delta.fragment_id if msg.HasField("delta") and msg.delta.fragment_id else None
            self.messages[msg.hash] = _Cached(encoded, self.run_count, fragment)

    def get(self, digest: str) -> bytes | None:
        found = self.messages.get(digest)
        if found is None:
            return None
        found.run_count = self.run_count
        return found.encoded

    def finished_run(self, max_age: int, fragment_ids: Sequence[str]) -> None:
        self.run_count += 1
        for digest, cached in list(self.messages.items()):
            if fragment_ids and (not cached.fragment_id or cached.fragment_id not in fragment_ids):
                continue
            if self.run_count - cached.run_count > max_age:
                del self.messages[digest]


@dataclass
class _Run:
    requests: list[tuple[str, float]]  # kind ("full" or "fragment") and send time of the requests it serves
    heading: str | None = None
    metrics: int = 0
    charts: int = 0
    said: str = ""  # the first alert, caption or markdown of the run: what a run without the heading showed


class Session:
    """One wall screen: the frontend's side of the websocket protocol, as far as the overview needs it."""

    def __init__(self, index: int, base: str, query: str, stats: Stats, clock: Clock) -> None:
        self.index = index
        self.base = base
        self.query = query
        self.stats = stats
        self.clock = clock
        self.cache = MessageCache()
        self.page_script_hash = ""
        self.max_cached_age = 2
        self.pending: deque[tuple[str, float]] = deque()
        self.run: _Run | None = None
        self.timers: dict[str, tuple[float, asyncio.Task[None]]] = {}
        self.ws: ClientConnection | None = None
        self.stopping = False

    # The browser's rerun: query string, page, fragment, cached hashes and its context.
    def _rerun_msg(self, fragment_id: str | None) -> bytes:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_script_hash = self.page_script_hash
        state.page_name = ""  # the overview is the home URL, "/"
        if fragment_id:
            state.fragment_id = fragment_id
            state.is_auto_rerun = True
        state.cached_message_hashes.extend(self.cache.hashes())
        state.context_info.timezone = "Asia/Shanghai"
        state.context_info.timezone_offset = -480
        state.context_info.locale = "zh-CN"
        state.context_info.url = f"{self.base}/?{self.query}"
        state.context_info.color_scheme = "light"
        return cast(bytes, msg.SerializeToString())

    async def _send_rerun(self, fragment_id: str | None) -> None:
        if self.run is not None or self.pending:
            self.stats.sent_while_running += 1
        self.pending.append(("fragment" if fragment_id else "full", time.perf_counter()))
        self.stats.requests_sent += 1
        assert self.ws is not None
        await self.ws.send(self._rerun_msg(fragment_id))

    async def _timer(self, fragment_id: str, interval: float) -> None:
        # Fixed rate from the moment the auto_rerun message arrived, like setInterval.
        start = time.perf_counter()
        tick = 1
        while True:
            await asyncio.sleep(max(0.0, start + tick * interval - time.perf_counter()))
            tick += 1
            if self.stopping:
                return
            await self._send_rerun(fragment_id)

    def _auto_rerun(self, fragment_id: str, interval: float) -> None:
        current = self.timers.get(fragment_id)
        if current is not None and current[0] == interval:
            return  # the frontend keeps a running timer when the interval did not change
        if current is not None:
            current[1].cancel()
        self.timers[fragment_id] = (interval, asyncio.create_task(self._timer(fragment_id, interval)))

    def _stop_timers(self, fragment_ids: Sequence[str] | None = None) -> None:
        for fragment_id in list(self.timers if fragment_ids is None else fragment_ids):
            found = self.timers.pop(fragment_id, None)
            if found is not None:
                found[1].cancel()

    def _on_message(self, data: bytes) -> None:
        self.stats.bytes_received += len(data)
        msg = ForwardMsg()
        msg.ParseFromString(data)
        self.cache.maybe_store(msg, data)
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self.cache.get(msg.ref_hash)
            if cached is None:
                self.stats.error(self.index, f"cached ForwardMsg miss {msg.ref_hash}")
                return
            self.stats.ref_hits += 1
            resolved = ForwardMsg()
            resolved.ParseFromString(cached)
            resolved.metadata.CopyFrom(msg.metadata)
            msg, kind = resolved, resolved.WhichOneof("type")
        if kind == "new_session":
            # A run starts: it serves every request sent before now.
            self.page_script_hash = msg.new_session.page_script_hash
            self.max_cached_age = msg.new_session.config.max_cached_message_age or self.max_cached_age
            taken = list(self.pending) + (self.run.requests if self.run is not None else [])
            self.pending.clear()
            self.run = _Run(taken)
        elif kind == "auto_rerun":
            if not self.stopping:
                self._auto_rerun(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            self._stop_timers(list(msg.stop_auto_rerun.fragment_ids))
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            self.stats.error(self.index, f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "session_event" and msg.session_event.WhichOneof("type") == "script_compilation_exception":
            exc = msg.session_event.script_compilation_exception
            self.stats.error(self.index, f"compile error: {exc.type}: {exc.message}")
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            which = element.WhichOneof("type")
            if which == "exception":
                self.stats.error(self.index, f"exception: {element.exception.type}: {element.exception.message}")
            elif which == "alert" and element.alert.format == Alert.ERROR:
                self.stats.error(self.index, f"st.error: {element.alert.body}")
            elif self.run is not None and which == "alert":
                self.run.said = element.alert.body[:80]  # a notice says more than the markdown before it
            elif self.run is not None:
                if which == "heading" and HEADING in element.heading.body:
                    self.run.heading = element.heading.body
                elif which == "metric":
                    self.run.metrics += 1
                elif not self.run.said and which == "markdown":
                    self.run.said = element.markdown.body[:80]
                elif which == "plotly_chart":
                    self.run.charts += 1
        elif kind == "script_finished":
            self._finished(msg.script_finished, list(msg.metadata.run.fragment_ids))

    def _finished(self, status: int, fragment_ids: list[str]) -> None:
        run, self.run = self.run, None
        if run is None:
            return
        if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            # Streamlit 1.67 also ends a run that drew everything this way when another auto-rerun is
            # queued; only a run cut short leaves its requests to the next run.
            full = self.stats.complete_charts
            if run.heading is None or full is None or run.charts < full:
                self.stats.runs["interrupted"] += 1
                self.pending.extendleft(reversed(run.requests))
                return
            self.stats.runs["early_complete"] += 1
        else:
            self.cache.finished_run(self.max_cached_age, fragment_ids)
        if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
            self.stats.error(self.index, "script finished with a compile error")
            return
        kind = "fragment" if fragment_ids else "full"
        self.stats.runs[kind] += 1
        now = time.perf_counter()
        for request_kind, sent in run.requests:
            self.stats.latencies[request_kind].append(now - sent)
        if len(run.requests) > 1:
            self.stats.coalesced += len(run.requests)
        if run.heading is None:
            self.stats.error(self.index, f"a {kind} run finished without the heading “{HEADING}”"
                                         + (f" (it showed “{run.said}”)" if run.said else ""))
        elif status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            # Every session shows the same wall: what one complete run draws, all do.
            self.stats.complete_charts = max(self.stats.complete_charts or 0, run.charts)
        first = next((sent for request_kind, sent in run.requests if request_kind == "full"), None)
        if first is not None:
            # The session's first request is served (usually by the full run; under overload, by a later one).
            self.stats.first_run_done[self.index] = self.clock.now()
            timers = ", ".join(f"{f[:8]}… every {i:g} s" for f, (i, _) in self.timers.items()) or "none"
            drew = f"rendered “{run.heading}”" if run.heading else "did NOT render the overview"
            print(f"  s{self.index:02d} {drew} in {now - first:.2f} s ({kind} run): {run.metrics} metrics, "
                  f"{run.charts} charts; auto-rerun: {timers}", flush=True)

    async def _reader(self) -> None:
        assert self.ws is not None
        try:
            async for data in self.ws:
                self._on_message(data if isinstance(data, bytes) else data.encode())
        except ConnectionClosed as exc:
            if not self.stopping:
                self.stats.error(self.index, f"connection closed: {exc}")
            return
        if not self.stopping:
            self.stats.error(self.index, "connection closed by the server")

    async def run_until(self, start_at: float, deadline: float, grace: float) -> None:
        """Connect at `start_at`, refresh as a browser would until `deadline`, then wait for open requests."""
        await asyncio.sleep(max(0.0, start_at - self.clock.now()))
        try:
            # The page itself first (behind nginx it sets the routing cookie that keeps this browser on one
            # process), then what the frontend asks before it opens the websocket (its PINGING_SERVER state).
            cookie = await asyncio.to_thread(_get, self.base + "/")
            for path in ("/_stcore/health", "/_stcore/host-config"):
                await asyncio.to_thread(_get, self.base + path, cookie)
            async with _connect(self.base, cookie) as ws:
                self.ws = ws
                reader = asyncio.create_task(self._reader())
                await self._send_rerun(None)
                await asyncio.wait([reader], timeout=max(0.0, deadline - self.clock.now()))
                self.stopping = True
                self._stop_timers()
                end = self.clock.now() + grace
                while (self.pending or self.run is not None) and not reader.done() and self.clock.now() < end:
                    await asyncio.sleep(0.1)
                open_requests = len(self.pending) + (len(self.run.requests) if self.run is not None else 0)
                if open_requests:
                    self.stats.error(self.index, f"{open_requests} request(s) unanswered {grace:g} s after the end")
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reader
        except Exception as exc:  # noqa: BLE001 - one session's failure is a figure, not the end of the run
            self.stats.error(self.index, f"{type(exc).__name__}: {exc}")
        finally:
            self.stopping = True
            self._stop_timers()


def _get(url: str, cookie: str | None = None) -> str | None:
    """GET `url` (with the routing cookie if any); returns nginx's routing cookie if the response set one."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith(ROUTE_COOKIE + "="):
                return header.split(";", 1)[0]
    return cookie


def _connect(base: str, cookie: str | None) -> Any:
    """The frontend's websocket: its subprotocols and Origin, and the routing cookie a browser would send."""
    ws_url = "ws" + base.removeprefix("http") + "/_stcore/stream"
    # ping_interval=None: a browser sends no keepalive pings; max_size=None: charts can be large.
    return connect(ws_url, subprotocols=[Subprotocol("streamlit"), Subprotocol(NO_XSRF_TOKEN)],
                   origin=Origin(base), max_size=None, ping_interval=None, open_timeout=60,
                   additional_headers={"Cookie": cookie} if cookie else None)


async def run_load(base: str, query: str, sessions: int, duration: float, ramp: float, grace: float,
                   sampler: MemorySampler) -> tuple[Stats, float]:
    """All sessions against `base`; returns what they found and the wall time of the load."""
    clock = Clock()
    stats = Stats()
    stop = asyncio.Event()
    sampling = asyncio.create_task(sampler.run(clock, stop))
    await asyncio.sleep(0)  # the first RSS sample before any session connects
    clients = [Session(i + 1, base, query, stats, clock) for i in range(sessions)]
    await asyncio.gather(*(c.run_until(ramp * i / sessions, duration, grace) for i, c in enumerate(clients)))
    stop.set()
    await sampling
    return stats, clock.now()


# --- officers clicking through pages -------------------------------------------------------------------------

# The pages an officer clicks through (their titles in the navigation); each draws a plotly chart.
OFFICER_PAGES = ("总览", "镇区地图", "配额执行", "工作进度", "督查评分")


@dataclass
class OfficerStats:
    signin_to_chart: list[float] = field(default_factory=list)
    click_to_chart: list[float] = field(default_factory=list)
    click_to_done: list[float] = field(default_factory=list)
    per_page: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    error_messages: list[str] = field(default_factory=list)

    def error(self, session: int, text: str) -> None:
        self.errors += 1
        if len(self.error_messages) < MAX_ERROR_MESSAGES:
            self.error_messages.append(f"o{session:02d}: {text}"[:300])


class Officer:
    """One officer's browser: opens a deep link, signs in on the form there, then clicks through the pages.

    The sign-in is the frontend's form submit: the two text inputs' values and the submit button's trigger,
    by the widget ids the server sent with the form. A click on a navigation entry is a rerun with that
    page's script hash. The clock of a click stops at the first plotly chart the server sends after it,
    and at the end of the run that drew it; the next click follows after `think` seconds (±50 %).
    """

    def __init__(self, index: int, base: str, username: str, password: str, think: float, stats: OfficerStats,
                 clock: Clock, seed: int) -> None:
        import random

        self.index, self.base, self.username, self.password = index, base, username, password
        self.think, self.stats, self.clock = think, stats, clock
        self.random = random.Random(seed)
        self.cache = MessageCache()
        self.max_cached_age = 2
        self.page_script_hash = ""
        self.pages: dict[str, str] = {}  # navigation title -> page script hash
        self.inputs: dict[str, str] = {}  # widget label -> id
        self.submit: str | None = None
        self.messages: asyncio.Queue[ForwardMsg] = asyncio.Queue()

    def _rerun(self, page_hash: str, page_name: str, widgets: dict[str, Any] | None = None) -> bytes:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = ""
        state.page_script_hash = page_hash
        state.page_name = page_name
        for widget_id, value in (widgets or {}).items():
            w = state.widget_states.widgets.add()
            w.id = widget_id
            if value is True:
                w.trigger_value = True
            else:
                w.string_value = value
        state.cached_message_hashes.extend(self.cache.hashes())
        state.context_info.timezone = "Asia/Shanghai"
        state.context_info.timezone_offset = -480
        state.context_info.locale = "zh-CN"
        state.context_info.url = f"{self.base}/{page_name}"
        state.context_info.color_scheme = "light"
        return cast(bytes, msg.SerializeToString())

    async def _reader(self, ws: ClientConnection) -> None:
        async for data in ws:
            raw = data if isinstance(data, bytes) else data.encode()
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            self.cache.maybe_store(msg, raw)
            if msg.WhichOneof("type") == "ref_hash":
                cached = self.cache.get(msg.ref_hash)
                if cached is None:
                    self.stats.error(self.index, f"cached ForwardMsg miss {msg.ref_hash}")
                    continue
                resolved = ForwardMsg()
                resolved.ParseFromString(cached)
                resolved.metadata.CopyFrom(msg.metadata)
                msg = resolved
            await self.messages.put(msg)

    async def _run(self, ws: ClientConnection, request: bytes, timeout: float) -> tuple[float | None, float, bool]:
        """Send `request`; read until a run finishes normally. Seconds to the first chart, to the end, errors?"""
        sent = time.perf_counter()
        await ws.send(request)
        first_chart: float | None = None
        failed = False
        while True:
            msg = await asyncio.wait_for(self.messages.get(), timeout)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.max_cached_age = msg.new_session.config.max_cached_message_age or self.max_cached_age
            elif kind == "navigation":
                self.pages = {p.page_name: p.page_script_hash for p in msg.navigation.app_pages}
                self.page_script_hash = msg.navigation.page_script_hash  # the page now shown
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                which = element.WhichOneof("type")
                if which == "plotly_chart" and first_chart is None:
                    first_chart = time.perf_counter() - sent
                elif which == "text_input":
                    self.inputs[element.text_input.label] = element.text_input.id
                elif which == "button" and element.button.is_form_submitter:
                    self.submit = element.button.id
                elif which == "exception":
                    failed = True
                    self.stats.error(self.index, f"exception: {element.exception.type}: {element.exception.message}")
                elif which == "alert" and element.alert.format == Alert.ERROR:
                    failed = True
                    self.stats.error(self.index, f"st.error: {element.alert.body}")
            elif kind == "script_finished":
                if msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    self.cache.finished_run(self.max_cached_age, list(msg.metadata.run.fragment_ids))
                if msg.script_finished in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
                    return first_chart, time.perf_counter() - sent, failed

    async def run_until(self, start_at: float, deadline: float, timeout: float) -> None:
        await asyncio.sleep(max(0.0, start_at - self.clock.now()))
        try:
            cookie = await asyncio.to_thread(_get, self.base + "/quota")
            for path in ("/_stcore/health", "/_stcore/host-config"):
                await asyncio.to_thread(_get, self.base + path, cookie)
            async with _connect(self.base, cookie) as ws:
                reader = asyncio.create_task(self._reader(ws))
                try:
                    await self._journey(ws, deadline, timeout)
                finally:
                    reader.cancel()
                    with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                        await reader
        except Exception as exc:  # noqa: BLE001 - one officer's failure is a figure, not the end of the run
            self.stats.error(self.index, f"{type(exc).__name__}: {exc}")

    async def _journey(self, ws: ClientConnection, deadline: float, timeout: float) -> None:
        # The deep link /quota shows the sign-in form in its place.
        await self._run(ws, self._rerun("", "quota"), timeout)
        if "用户名" not in self.inputs or "密码" not in self.inputs or self.submit is None:
            self.stats.error(self.index, "no sign-in form on the deep link")
            return
        form = {self.inputs["用户名"]: self.username, self.inputs["密码"]: self.password, self.submit: True}
        chart, _, failed = await self._run(ws, self._rerun(self.page_script_hash, "quota", form), timeout)
        if chart is None or failed:
            self.stats.error(self.index, "the sign-in did not lead to the deep-linked page's chart")
            return
        self.stats.signin_to_chart.append(chart)
        titles = [t for t in OFFICER_PAGES if t in self.pages]
        if len(titles) < len(OFFICER_PAGES):
            self.stats.error(self.index, f"navigation lacks {set(OFFICER_PAGES) - set(titles)}")
        step = self.random.randrange(len(titles))
        while self.clock.now() + self.think < deadline:
            await asyncio.sleep(self.think * self.random.uniform(0.5, 1.5))
            step += 1
            title = titles[step % len(titles)]
            chart, done, failed = await self._run(ws, self._rerun(self.pages[title], ""), timeout)
            if chart is None:
                if not failed:
                    self.stats.error(self.index, f"{title}: the run finished without a chart")
                continue
            self.stats.click_to_chart.append(chart)
            self.stats.click_to_done.append(done)
            self.stats.per_page.setdefault(title, []).append(chart)


def create_officers(db: str, count: int, password: str) -> list[str]:
    """`count` 领导 accounts (each its own cache entries, as distinct officers have), created as the CLI would."""
    from supervision.access import accounts
    from supervision.core.config import load_settings
    from supervision.core.principal import SYSTEM, Role
    from supervision.storage.db import make_engine

    settings = load_settings()
    engine = make_engine(db)
    names = [f"load{os.getpid()}o{i:02d}" for i in range(count)]
    try:
        for name in names:
            accounts.create_user(engine, SYSTEM, settings.security, username=name, display_name=f"压测{name[-3:]}",
                                 role=Role.LEADER, password=password, must_change_password=False)
    finally:
        engine.dispose()
    return names


def disable_officers(db: str, names: Sequence[str]) -> None:
    from supervision.access import accounts
    from supervision.core.config import load_settings
    from supervision.core.principal import SYSTEM
    from supervision.storage.db import make_engine

    settings = load_settings()
    engine = make_engine(db)
    try:
        for name in names:
            accounts.update_user(engine, SYSTEM, settings.security, name, disabled=True)
    finally:
        engine.dispose()


async def run_officers(base: str, names: Sequence[str], password: str, duration: float, ramp: float, think: float,
                       timeout: float, sampler: MemorySampler) -> tuple[OfficerStats, float]:
    clock = Clock()
    stats = OfficerStats()
    stop = asyncio.Event()
    sampling = asyncio.create_task(sampler.run(clock, stop))
    await asyncio.sleep(0)
    officers = [Officer(i + 1, base, name, password, think, stats, clock, seed=i) for i, name in enumerate(names)]
    await asyncio.gather(*(o.run_until(ramp * i / len(officers), duration, timeout) for i, o in enumerate(officers)))
    stop.set()
    await sampling
    return stats, clock.now()


def officers_markdown(result: dict[str, Any]) -> str:
    def cell(value: Any) -> str:
        return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)

    rows = ["| officers | n | p50 s | p90 s | p95 s | p99 s | max s |", "|---|---:|---:|---:|---:|---:|---:|"]
    labels = {"signin_to_chart": "sign-in → first chart", "click_to_chart": "page click → first chart",
              "click_to_done": "page click → run done"}
    for key, label in labels.items():
        p = result["latency_s"][key]
        rows.append(f"| {label} | {p['n']} | " + " | ".join(cell(p[k]) for k in ("p50", "p90", "p95", "p99", "max"))
                    + " |")
    for title, p in result["latency_s"]["per_page"].items():
        rows.append(f"| {title}: click → first chart | {p['n']} | "
                    + " | ".join(cell(p[k]) for k in ("p50", "p90", "p95", "p99", "max")) + " |")
    c, m = result["config"], result["machine"]
    rows += ["", f"{c['officers']} officers, {c['duration_s']:g} s, think {c['think_s']:g} s (±50 %), ramp "
                 f"{c['ramp_s']:g} s, workers {c['workers']}; errors: {result['errors']['count']}; server CPU "
                 f"{cell(result['server']['cpu_busy_cores'])} cores busy; machine: {m['cpus']} CPUs, load average "
                 f"{m['load_average_start']} at the start, {m['load_average_end']} at the end"]
    for text in result["errors"]["first"]:
        rows.append(f"- error: {text}")
    for text in result["server"]["log_tracebacks"][:MAX_ERROR_MESSAGES]:
        rows.append(f"- server traceback: {text}")
    return "\n".join(rows)


# --- setup, report ------------------------------------------------------------------------------------------

def _cli(*args: str) -> str:
    """`python -m supervision …` with this interpreter, from the project's root; its output."""
    done = subprocess.run([sys.executable, "-m", "supervision", *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"python -m supervision {' '.join(args)} failed: {done.stderr or done.stdout}")
    return done.stdout


def create_token(db: str | None) -> tuple[int, str]:
    """A one-day wall-screen link through the command line (as an administrator would make one)."""
    out = _cli("users", "screen-token", "add", "压测大屏", "--days", "1", *(["--db", db] if db else []))
    link = re.search(r"token=([A-Za-z0-9_-]+)", out)
    number = re.search(r"#(\d+)", out)
    if link is None or number is None:
        raise RuntimeError(f"no link in the output of screen-token add: {out}")
    return int(number.group(1)), link.group(1)


def server_log_errors(log: Path | None) -> list[str]:
    """The first line after each traceback in the server's log (client errors are redacted by showErrorDetails)."""
    if log is None or not log.exists():
        return []
    lines = log.read_text(errors="replace").splitlines()
    found = []
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            tail = next((x for x in lines[i + 1:] if x and not x.startswith(" ")), "")
            found.append(tail[:300])
    return found


def markdown(result: dict[str, Any]) -> str:
    def cell(value: Any, digits: int = 3) -> str:
        return "–" if value is None else f"{value:.{digits}f}" if isinstance(value, float) else str(value)

    rows = ["| runs | requests | runs done | p50 s | p90 s | p95 s | p99 s | max s |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for kind in ("full", "fragment"):
        p = result["latency_s"][kind]
        rows.append(f"| {kind} | {p['n']} | {result['runs'][kind]} | "
                    + " | ".join(cell(p[k]) for k in ("p50", "p90", "p95", "p99", "max")) + " |")
    mem = result["server"]["memory"]
    rows += ["", "| server RSS MB | start | warm | peak | end | slope MB/min, warm→end | slope, last half |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    if mem.get("sampled"):
        rows.append(f"| {len(mem['samples'])} samples every {mem['every_s']:g} s | "
                    + " | ".join(cell(mem[k], 1) for k in ("start_mb", "warm_mb", "peak_mb", "end_mb")) + " | "
                    + " | ".join(cell(mem[k], 2) for k in ("steady_slope_mb_per_min", "last_half_slope_mb_per_min"))
                    + " |")
    else:
        rows.append("| not sampled (server pid unknown: pass --pid) | – | – | – | – | – | – |")
    c = result["config"]
    m = result["machine"]
    rows += ["",
             f"{c['sessions']} sessions, {c['duration_s']:g} s, refresh {c['refresh_s']} s, ramp {c['ramp_s']:g} s; "
             f"errors: {result['errors']['count']}; runs ended early for a queued rerun: "
             f"{result['runs']['early_complete']} after drawing everything, {result['runs']['interrupted']} before; "
             f"requests sent during a run: {result['requests']['sent_while_running']}, served together with "
             f"another: {result['requests']['coalesced']}; cached refs resolved: {result['ref_hits']}; "
             f"received {result['received_mb']:.1f} MB",
             f"server CPU: {cell(result['server']['cpu_busy_cores'], 2)} cores busy on average; load client CPU: "
             f"{result['client_cpu_s']:.1f} s; other processes: {cell(m['other_processes_busy_cores'], 2)} cores; "
             f"machine: {m['cpus']} CPUs, load average {m['load_average_start']} "
             f"at the start, {m['load_average_end']} at the end; speed check (5M-step Python loop) "
             f"{m['python_loop_s_start_end'][0]} s before, {m['python_loop_s_start_end'][1]} s after"]
    for text in result["errors"]["first"]:
        rows.append(f"- error: {text}")
    for text in result["server"]["log_tracebacks"][:MAX_ERROR_MESSAGES]:
        rows.append(f"- server traceback: {text}")
    return "\n".join(rows)


@contextlib.contextmanager
def _servers(args: argparse.Namespace, db: str | None, tmp: Path) -> Iterator[tuple[str, int | None, list[int],
                                                                                     list[Path]]]:
    """The server(s) under load: base URL, the pid sampled first, the other pids, and the logs to scan."""
    from devtools.browser import start_server, stop_server

    if args.url is not None:
        base = args.url.rstrip("/")
        yield base, args.pid or listening_pid(urlsplit(base).port or 80), [], []
        return
    env = {"DATABASE_URL": db} if db else {}
    if args.workers > 1 or args.nginx:
        from deploy.cluster import running_cluster

        if not (db or "").startswith("postgresql"):
            raise SystemExit("--workers > 1 needs a PostgreSQL --db (SQLite takes one writer)")
        with running_cluster(env, args.workers, args.port, args.port + 1, tmp) as cluster:
            pids = [w.process.pid for w in cluster.workers]
            print(f"{args.workers} app processes {cluster.ports()} behind nginx at {cluster.url}", flush=True)
            yield cluster.url, pids[0], [*pids[1:], cluster.nginx.pid], cluster.logs
        return
    log = tmp / "server.log"
    server = start_server(env, log)
    try:
        yield server.url, server.process.pid, [], [log]
    finally:
        stop_server(server)


def officers_main(args: argparse.Namespace) -> int:
    """--officers: sign-in and page clicks of officers, first chart p50/p95; bench/results/load-officers.json."""
    import secrets

    if args.url is not None or not args.db:
        raise SystemExit("--officers needs --db (the accounts are created in it)")
    password = "Ld-" + secrets.token_urlsafe(12) + "9a"
    load_start = os.getloadavg()
    names = create_officers(args.db, args.officers, password)
    ramp = args.think if args.ramp is None else args.ramp
    try:
        with tempfile.TemporaryDirectory(prefix="load-") as tmp, _servers(args, args.db, Path(tmp)) as found:
            base, pid, more_pids, logs = found
            print(f"{args.officers} officers on {base} for {args.duration:g} s, think {args.think:g} s", flush=True)
            sampler = MemorySampler(pid, args.sample, more_pids=more_pids)
            stats, wall = asyncio.run(run_officers(base, names, password, args.duration, ramp, args.think,
                                                   args.grace, sampler))
            tracebacks = [line for log in logs for line in server_log_errors(log)]
    finally:
        disable_officers(args.db, names)
    server_cpu = None if sampler.cpu_start is None or sampler.cpu_end is None else sampler.cpu_end - sampler.cpu_start
    result: dict[str, Any] = {
        "when": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "config": {"officers": args.officers, "duration_s": args.duration, "think_s": args.think, "ramp_s": ramp,
                   "workers": args.workers, "nginx": args.workers > 1 or args.nginx, "db": args.db,
                   "pages": list(OFFICER_PAGES)},
        "machine": {"cpus": os.cpu_count(), "load_average_start": [round(x, 2) for x in load_start],
                    "load_average_end": [round(x, 2) for x in os.getloadavg()],
                    "python": platform.python_version(), "streamlit": streamlit.__version__},
        "wall_s": round(wall, 1),
        "errors": {"count": stats.errors + len(tracebacks), "first": stats.error_messages},
        "latency_s": {"signin_to_chart": percentiles(stats.signin_to_chart),
                      "click_to_chart": percentiles(stats.click_to_chart),
                      "click_to_done": percentiles(stats.click_to_done),
                      "per_page": {k: percentiles(v) for k, v in stats.per_page.items()}},
        "server": {"memory": sampler.summary(None), "log_tracebacks": tracebacks,
                   "cpu_busy_cores": round(server_cpu / wall, 2) if server_cpu is not None else None},
    }
    print()
    print(officers_markdown(result))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load-officers.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"\nwritten: {RESULTS / 'load-officers.json'}")
    return 1 if result["errors"]["count"] else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--duration", type=float, default=300, help="seconds of load, from the first connect")
    parser.add_argument("--refresh", type=int, default=60, help="the wall's refresh URL parameter (app minimum 5)")
    parser.add_argument("--db", help="database URL (default: a fresh demo SQLite database in a temporary folder)")
    parser.add_argument("--url", help="an already running server, e.g. http://127.0.0.1:8501")
    parser.add_argument("--pid", type=int, help="with --url: the server's pid (default: the port's listener)")
    parser.add_argument("--token", help="wall-screen token (default: create one, revoked at the end)")
    parser.add_argument("--ramp", type=float, help="spread the session starts over this many seconds "
                                                   "(default: one refresh period; 0: all at once)")
    parser.add_argument("--sample", type=float, default=5, help="seconds between RSS samples")
    parser.add_argument("--grace", type=float, default=60, help="seconds to wait for open requests after the end")
    parser.add_argument("--workers", type=int, default=1,
                        help="app processes; more than 1 (or --nginx) runs them behind nginx as `make serve` does "
                             "(deploy/cluster.py; needs a PostgreSQL --db)")
    parser.add_argument("--nginx", action="store_true", help="behind nginx even with one process")
    parser.add_argument("--port", type=int, default=8640, help="with nginx: its port; the processes take the next")
    parser.add_argument("--officers", type=int, default=0,
                        help="instead of wall screens: this many officers (each its own 领导 account, created and "
                             "disabled afterwards) sign in on a deep link and click through the chart pages")
    parser.add_argument("--think", type=float, default=5, help="officers: seconds between clicks (±50 %%)")
    args = parser.parse_args(argv)
    if args.officers:
        return officers_main(args)
    if args.refresh < 5:
        print("note: the app raises refresh to its minimum of 5 s", file=sys.stderr)
    ramp = float(args.refresh) if args.ramp is None else args.ramp
    load_start, speed_start = os.getloadavg(), calibration_s()
    with tempfile.TemporaryDirectory(prefix="load-") as tmp:
        db = args.db
        if args.url is None and db is None:
            db = f"sqlite:///{Path(tmp) / 'demo.db'}"
            print(f"building the demo database: python -m supervision demo --replace --db {db}", flush=True)
            _cli("demo", "--replace", "--db", db)
        token_id, token = (None, args.token) if args.token else create_token(db)
        stack = contextlib.ExitStack()
        base, pid, more_pids, logs = stack.enter_context(_servers(args, db, Path(tmp)))
        server = stack
        query = urlencode({"token": token, "mode": "screen", "refresh": args.refresh})
        print(f"{args.sessions} sessions of {base}/?token=…&mode=screen&refresh={args.refresh} for "
              f"{args.duration:g} s (starts spread over {ramp:g} s); server pid {pid}", flush=True)
        sampler = MemorySampler(pid, args.sample, more_pids=more_pids)
        # The machine's busy time against the server's and this client's tells whether anything else ran.
        machine_before, client_before = machine_busy_seconds(), resource.getrusage(resource.RUSAGE_SELF)
        try:
            stats, wall = asyncio.run(run_load(base, query, args.sessions, args.duration, ramp, args.grace, sampler))
            machine_busy = machine_busy_seconds() - machine_before
            client_after = resource.getrusage(resource.RUSAGE_SELF)
        finally:
            server.close()
        if token_id is not None:
            _cli("users", "screen-token", "revoke", str(token_id), *(["--db", db] if db else []))
        tracebacks = [line for log in logs for line in server_log_errors(log)]

    warm_at = max(stats.first_run_done.values()) if len(stats.first_run_done) == args.sessions else None
    client_cpu = (client_after.ru_utime + client_after.ru_stime) - (client_before.ru_utime + client_before.ru_stime)
    server_cpu = None
    if sampler.cpu_start is not None and sampler.cpu_end is not None:
        server_cpu = sampler.cpu_end - sampler.cpu_start
    other = machine_busy - client_cpu - server_cpu if server_cpu is not None else None
    result: dict[str, Any] = {
        "when": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]),
        "config": {"sessions": args.sessions, "duration_s": args.duration, "refresh_s": args.refresh, "ramp_s": ramp,
                   "workers": args.workers, "nginx": args.workers > 1 or args.nginx,
                   "grace_s": args.grace, "url": args.url, "db": "demo SQLite (temporary)" if args.db is None
                   and args.url is None else args.db},
        "machine": {"cpus": os.cpu_count(), "load_average_start": [round(x, 2) for x in load_start],
                    "load_average_end": [round(x, 2) for x in os.getloadavg()],
                    "busy_cores": round(machine_busy / wall, 2),
                    "python_loop_s_start_end": [speed_start, calibration_s()],
                    "other_processes_busy_cores": round(other / wall, 2) if other is not None else None,
                    "python": platform.python_version(), "streamlit": streamlit.__version__},
        "wall_s": round(wall, 1),
        "errors": {"count": stats.errors + len(tracebacks), "client": stats.errors, "server_tracebacks":
                   len(tracebacks), "first": stats.error_messages},
        "runs": stats.runs,
        "requests": {"sent": stats.requests_sent, "sent_while_running": stats.sent_while_running,
                     "coalesced": stats.coalesced},
        "latency_s": {kind: percentiles(values) for kind, values in stats.latencies.items()},
        "ref_hits": stats.ref_hits,
        "received_mb": round(stats.bytes_received / 2**20, 2),
        "sessions_rendered": len(stats.first_run_done),
        "warm_at_s": round(warm_at, 1) if warm_at is not None else None,
        "server": {"memory": sampler.summary(warm_at), "log_tracebacks": tracebacks,
                   "cpu_busy_cores": round(server_cpu / wall, 2) if server_cpu is not None else None},
        "client_cpu_s": round(client_cpu, 1),
    }
    print()
    print(markdown(result))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"\nwritten: {RESULTS / 'load.json'}")
    return 1 if result["errors"]["count"] else 0


if __name__ == "__main__":
    sys.exit(main())
