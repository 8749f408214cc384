"""Server-side run time of every page, cold and warm, on the demo data (Streamlit's AppTest runs the script).

    .venv/bin/python bench/page_timing.py [--db URL] [--repeat 5] [--year 2019] [--as-of 2019-12-31]

Without --db it builds the demo database in a temporary folder first. "Cold" clears
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


def _app(page: str, params: dict[str, str], cold: bool):
    """Run `page` in a new session and time that run alone (for other pages, after the entry run that
    registers them; caches are cleared just before the timed run when `cold`)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update(params)
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
        if not args.db:
            engine = open_database(url, settings)
            build_demo_database(engine, settings, replace=True, if_empty=False, keep_package=None)
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
