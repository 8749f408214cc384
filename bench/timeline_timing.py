"""How long the overview's 整顿进程 view takes: cold (every week's end checked) and warm (every point kept).

    .venv/bin/python bench/timeline_timing.py [--demo | --scale 1.0] [--year 2019] [--as-of 2019-12-31]
        [--warm 5] [--db URL]

--demo builds the demo database in a temporary folder; --scale generates the province-sized package
with bench/generate.py (as `make bench` does, reused under bench/.work/) and imports it into a fresh
SQLite file with `python -m supervision import`, unless --db names a database that already holds it.
The view is timed through the pages' own cached function (components.data.campaign_timeline): "cold"
clears st.cache_data first (one check run without evidence and one red-light grid per week's end),
"warm" is the median of --warm calls with every point kept. One point alone is timed too (what a
later as-of date, one more week, costs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _demo_database(folder: Path) -> str:
    from supervision.core.config import load_settings
    from supervision.demo.build import build_demo_database
    from supervision.storage.db import open_database

    url = f"sqlite:///{folder / 'demo.db'}"
    settings = load_settings()
    engine = open_database(url, settings)
    build_demo_database(engine, settings)
    engine.dispose()
    return url


def _province_database(scale: float, folder: Path) -> tuple[str, Path]:
    from generate import Size
    from run import prepare

    size = Size().scaled(scale) if scale != 1.0 else Size()
    package, counts = prepare(size, 7)
    url = f"sqlite:///{folder / 'province.db'}"
    env = {**os.environ, "SUPERVISION_CONFIG": str(package / "config.toml"), "DATABASE_URL": ""}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "supervision", "import", str(package / "package"), "--db", url],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"imported {sum(counts.values()):,} rows in {time.perf_counter() - started:.0f} s", flush=True)
    return url, package / "config.toml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", action="store_true")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--db")
    parser.add_argument("--config", help="config.toml of the database given by --db")
    parser.add_argument("--year", type=int, default=2019)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--warm", type=int, default=5)
    args = parser.parse_args(argv)
    as_of = args.as_of or dt.date(args.year, 12, 31)

    with tempfile.TemporaryDirectory() as tmp:
        config: Path | None = Path(args.config) if args.config else None
        if args.db:
            url = args.db
        elif args.demo:
            url = _demo_database(Path(tmp))
        else:
            url, config = _province_database(args.scale, Path(tmp))
        os.environ["DATABASE_URL"] = url
        if config is not None:
            os.environ["SUPERVISION_CONFIG"] = str(config)

        import streamlit as st

        from components import data
        from components.db import current_data_version
        from supervision.core.principal import Principal, Role
        from supervision.reporting import timeline

        leader = Principal("bench.leader", "领导", Role.LEADER)
        version = current_data_version()
        st.cache_data.clear()
        started = time.perf_counter()
        points = data.campaign_timeline(version, leader, args.year, as_of, None, None)
        cold = time.perf_counter() - started
        warm_runs = []
        for _ in range(args.warm):
            started = time.perf_counter()
            data.campaign_timeline(version, leader, args.year, as_of, None, None)
            warm_runs.append(time.perf_counter() - started)
        last = timeline.week_ends(args.year, as_of)[-1]
        st.cache_data.clear()
        started = time.perf_counter()
        data.timeline_point(version, leader, args.year, last, None, None)
        one = time.perf_counter() - started
    print(f"整顿进程 {args.year} to {as_of}: {len(points)} points; cold {cold:.2f} s "
          f"({cold / max(len(points), 1):.3f} s a point), warm median {statistics.median(warm_runs) * 1000:.1f} ms, "
          f"one more point {one:.2f} s")
    print(points.tail(3).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
