"""Server-side run time of every page, cold and warm, on the demo data (Streamlit's AppTest runs the script).

    .venv/bin/python bench/page_timing.py [--db URL] [--repeat 5] [--year 2019] [--as-of 2019-12-31]

Without --db it builds the demo database in a temporary folder first; it adds a leader's
account (bench.leader) and times the pages signed in as that leader. "Cold" clears
st.cache_data and st.cache_resource before the run (the engine, the polygons and every
cached query are rebuilt, as for the first visitor after a start); "warm" is a new session
right after, with the caches filled. The figures are wall-clock seconds of one AppTest.run()
of the page (entry script included; for pages other than 总览 a first, untimed run registers
the pages); the median of --repeat runs is reported.
Results also go to bench/results/page_timing.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ("overview", "map", "quota", "progress", "scoring", "enterprise", "findings")
DEMO_USCC = "91320585DEM000002N"


def _clear() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


USERNAME, PASSWORD = "bench.leader", "Bench-Passw0rd!"
_SIGNED_IN: list[object] = []


def _signed_in() -> object:
    """A leader's session, from a real password check (once; supervision.auth records the sign-in)."""
    if not _SIGNED_IN:
        from components import session
        from components.db import engine, settings
        from supervision import auth

        result = auth.authenticate(engine(), USERNAME, PASSWORD, settings().security)
        assert result.ok and result.principal is not None and result.user_id is not None, result.message
        _SIGNED_IN.append(session.SignedIn("password", result.principal, result.user_id, result.epoch, None,
                                           time.time()))
    return _SIGNED_IN[0]


def _app(page: str, params: dict[str, str], cold: bool):
    """Run `page` in a new, signed-in session and time that run alone (for other pages, after the entry run
    that registers them; caches are cleared just before the timed run when `cold`)."""
    from dataclasses import replace

    from streamlit.testing.v1 import AppTest

    from components import session

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update(params)
    at.session_state[session._STATE] = replace(_signed_in(), last_activity=time.time())
    if page != "overview":
        at.run()
        at.switch_page(f"app_pages/{page}.py")
    if cold:
        _clear()
    started = time.perf_counter()
    at.run()
    return at, time.perf_counter() - started


def measure(page: str, params: dict[str, str], repeat: int) -> dict[str, float]:
    cold, warm = [], []
    for _ in range(repeat):
        for is_cold, into in ((True, cold), (False, warm)):
            at, seconds = _app(page, params, is_cold)
            if at.exception:
                raise RuntimeError(f"{page}: {[e.value for e in at.exception]}")
            if any(w.key == "login_username" for w in at.text_input) or not at.get("plotly_chart"):
                raise RuntimeError(f"{page}: the timed run did not draw the page")
            into.append(seconds)
    return {"cold_s": round(statistics.median(cold), 3), "warm_s": round(statistics.median(warm), 3),
            "cold_max_s": round(max(cold), 3), "warm_max_s": round(max(warm), 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a fresh demo database in a temporary folder)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--year", default="2019")
    parser.add_argument("--as-of", default="2019-12-31")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'demo.db'}"
        os.environ["DATABASE_URL"] = url
        from supervision.config import load_settings
        from supervision.db import open_database
        from supervision.demo import build_demo_database

        settings = load_settings()
        engine = open_database(url, settings)
        if not args.db:
            build_demo_database(engine, settings, replace=True, if_empty=False, keep_package=None)
        from supervision import auth
        from supervision.principal import SYSTEM, Role

        from sqlalchemy import select

        from supervision.models import User

        with engine.connect() as conn:
            exists = conn.execute(select(User.id).where(User.username == USERNAME)).first() is not None
        if not exists:
            auth.create_user(engine, SYSTEM, settings.security, username=USERNAME, display_name="计时用领导",
                             role=Role.LEADER, password=PASSWORD, must_change_password=False)
        engine.dispose()
        results = {}
        for page in PAGES:
            params = {"year": args.year, "as_of": args.as_of}
            if page == "enterprise":
                params["uscc"] = DEMO_USCC
            results[page] = measure(page, params, args.repeat)
            print(f"{page:<11} cold {results[page]['cold_s']:6.3f} s   warm {results[page]['warm_s']:6.3f} s",
                  flush=True)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    record = {"load_average_1_5_15": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
              "database": "demo (SQLite)" if not args.db else args.db.split("@")[-1], "year": args.year,
              "as_of": args.as_of, "repeat": args.repeat, "pages": results}
    print(f"load average (1, 5, 15 min): {record['load_average_1_5_15']} on {os.cpu_count()} CPUs")
    (out / "page_timing.json").write_text(json.dumps(record, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
