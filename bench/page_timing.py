"""Server-side run time of every page, cold and warm, against an empty page (Streamlit's AppTest runs the script).

    .venv/bin/python bench/page_timing.py [--db URL] [--repeat 3] [--warm 20] [--year 2019]
        [--as-of 2019-12-31] [--uscc CODE] [--json FILE] [--pages flows,quota]

Without --db it builds the demo database in a temporary folder first; it adds a leader's
account (bench.leader) and times the pages signed in as that leader. "Cold" clears
st.cache_data and st.cache_resource before the run (the engine, the polygons and every
cached query are rebuilt, as for the first visitor after a start); "warm" is a new session
right after, with the caches filled. The figures are wall-clock seconds of one AppTest.run()
of the page (entry script included; for pages other than 总览 a first, untimed run registers
the pages): the median of --repeat cold runs, and the median and 95th percentile of --warm warm
runs. "sql" is the time spent in the database driver's execute during the run (SQLAlchemy
cursor events), the page's own queries; "statements" counts them (a cold run's, the most of
--repeat). The baseline is an empty Streamlit page (bench/empty_page.py) timed the same way in the
same process.
Results go to --json (default bench/results/page_timing.json).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ("overview", "map", "quota", "flows", "progress", "scoring", "enterprise", "findings")
DEMO_USCC = "91320585DEM000002N"
EMPTY_PAGE = ROOT / "bench" / "empty_page.py"


def _clear() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


USERNAME, PASSWORD = "bench.leader", "Bench-Passw0rd!"
_SIGNED_IN: list[object] = []


def _signed_in() -> object:
    """A leader's session, from a real password check (once; supervision.access.signin records the sign-in)."""
    if not _SIGNED_IN:
        from components import session
        from components.db import engine, settings
        from supervision.access import signin

        result = signin.authenticate(engine(), USERNAME, PASSWORD, settings().security)
        assert result.ok and result.principal is not None and result.user_id is not None, result.message
        _SIGNED_IN.append(session.SignedIn("password", result.principal, result.user_id, result.epoch, None,
                                           time.time()))
    return _SIGNED_IN[0]


class SqlClock:
    """Seconds spent in the driver's execute, and the statements executed, summed over every engine in the process
    (the page's queries)."""

    def __init__(self) -> None:
        from sqlalchemy import Engine, event

        self.total = 0.0
        self.statements = 0
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, *_: Any) -> None:
        self.statements += 1
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn: Any, *_: Any) -> None:
        self.total += time.perf_counter() - conn.info["bench_started"].pop()


def _app(page: str, params: dict[str, str], cold: bool, clock: SqlClock) -> tuple[Any, float, float, int]:
    """Run `page` in a new, signed-in session and time that run alone (for other pages, after the entry run
    that registers them; caches are cleared just before the timed run when `cold`); also its SQL seconds and
    statements."""
    from dataclasses import replace

    from streamlit.testing.v1 import AppTest

    from components import session

    if page == "empty":
        at = AppTest.from_file(str(EMPTY_PAGE), default_timeout=120)
    else:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params.update(params)
        at.session_state[session._STATE] = replace(_signed_in(), last_activity=time.time())
        if page != "overview":
            at.run()
            at.switch_page(f"app_pages/{page}.py")
    if cold:
        _clear()
    sql0, statements0 = clock.total, clock.statements
    started = time.perf_counter()
    at.run()
    return at, time.perf_counter() - started, clock.total - sql0, clock.statements - statements0


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def measure(page: str, params: dict[str, str], repeat: int, warm_runs: int, clock: SqlClock) -> dict[str, Any]:
    cold, cold_sql, warm, warm_sql = [], [], [], []
    cold_statements: list[int] = []
    for i in range(max(repeat, warm_runs)):
        runs = ([(True, cold, cold_sql)] if i < repeat else []) + [(False, warm, warm_sql)] * (i < warm_runs)
        for is_cold, into, sql_into in runs:
            at, seconds, sql, statements = _app(page, params, is_cold, clock)
            if at.exception:
                raise RuntimeError(f"{page}: {[e.value for e in at.exception]}")
            if page != "empty" and (any(w.key == "login_username" for w in at.text_input)
                                    or not at.get("plotly_chart")):
                raise RuntimeError(f"{page}: the timed run did not draw the page")
            into.append(seconds)
            sql_into.append(sql)
            if is_cold:
                cold_statements.append(statements)
    return {"cold_s": round(statistics.median(cold), 3), "cold_min_s": round(min(cold), 3),
            "cold_max_s": round(max(cold), 3),
            "cold_sql_s": round(statistics.median(cold_sql), 3), "cold_statements": max(cold_statements),
            "warm_s": round(statistics.median(warm), 3),
            "warm_p95_s": round(p95(warm), 3), "warm_sql_s": round(statistics.median(warm_sql), 3),
            "runs": [len(cold), len(warm)]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a fresh demo database in a temporary folder)")
    parser.add_argument("--repeat", type=int, default=3, help="cold runs per page (default 3)")
    parser.add_argument("--warm", type=int, default=20, help="warm runs per page (default 20)")
    parser.add_argument("--year", default="2019")
    parser.add_argument("--as-of", default="2019-12-31")
    parser.add_argument("--uscc", default=DEMO_USCC, help="the enterprise 企业档案 shows")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "page_timing.json")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated pages to time (default: all)")
    args = parser.parse_args(argv)
    chosen = tuple(p for p in args.pages.split(",") if p in PAGES)

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'demo.db'}"
        os.environ["DATABASE_URL"] = url
        from sqlalchemy import select

        from supervision.access import accounts
        from supervision.core.config import load_settings
        from supervision.core.principal import SYSTEM, Role
        from supervision.demo.build import build_demo_database
        from supervision.storage.db import open_database
        from supervision.storage.models import User

        settings = load_settings()
        engine = open_database(url, settings)
        if not args.db:
            build_demo_database(engine, settings, replace=True, if_empty=False, keep_package=None)
        with engine.connect() as conn:
            exists = conn.execute(select(User.id).where(User.username == USERNAME)).first() is not None
        if not exists:
            accounts.create_user(engine, SYSTEM, settings.security, username=USERNAME, display_name="计时用领导",
                                 role=Role.LEADER, password=PASSWORD, must_change_password=False)
        engine.dispose()
        # The pages' own cold cost is measured: the server's background warm-up (components/warmup.py) would fill
        # the caches a cold run has just cleared, and its queries would be counted as the page's.
        import components.warmup

        components.warmup.start = lambda: None
        clock = SqlClock()
        results = {}
        for page in ("empty",) + chosen:
            params = {"year": args.year, "as_of": args.as_of}
            if page == "enterprise":
                params["uscc"] = args.uscc
            r = results[page] = measure(page, params, args.repeat, args.warm, clock)
            print(f"{page:<11} cold {r['cold_s']:6.3f} s (sql {r['cold_sql_s']:.3f}, {r['cold_statements']} "
                  f"statements)   warm {r['warm_s']:6.3f} s "
                  f"p95 {r['warm_p95_s']:6.3f} s (sql {r['warm_sql_s']:.3f})", flush=True)
    record = {"load_average_1_5_15": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
              "database": "demo (SQLite)" if not args.db else args.db.split("@")[-1], "year": args.year,
              "as_of": args.as_of, "pages": results}
    print(f"load average (1, 5, 15 min): {record['load_average_1_5_15']} on {os.cpu_count()} CPUs")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(record, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
