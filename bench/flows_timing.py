"""物料流向 timings: the year's material balance (supervision.read.flows.material_flow) and the meeting pack's
flow slide, cold (first call in a fresh process) and warm (the same call again), at any scale.

    SUPERVISION_CONFIG=OUT/config.toml .venv/bin/python bench/flows_timing.py DB_URL [--year Y] [--as-of D]

Prints, for the whole jurisdiction grouped by township, one enterprise per node, and one township: the seconds
of the first and second call, the number of nodes and links, and Σ of the 差额 streams.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from supervision.core.config import load_settings  # noqa: E402
from supervision.core.principal import SYSTEM  # noqa: E402
from supervision.read.flows import material_flow  # noqa: E402
from supervision.reporting.charts import Caption  # noqa: E402
from supervision.reporting.flow_chart import sankey  # noqa: E402
from supervision.reporting.pack_slides import SLIDE_LOOK  # noqa: E402
from supervision.storage.db import open_database  # noqa: E402
from supervision.storage.models import Enterprise, MonthlyReport  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--year", type=int)
    parser.add_argument("--as-of", type=dt.date.fromisoformat)
    args = parser.parse_args()
    engine = open_database(args.url, load_settings())
    with engine.connect() as conn:
        year = args.year or int(str(conn.execute(select(func.max(MonthlyReport.period))).scalar_one())[:4])
        town = conn.execute(select(Enterprise.township).group_by(Enterprise.township)
                            .order_by(func.count().desc(), Enterprise.township).limit(1)).scalar_one()
    as_of = args.as_of or dt.date(year, 12, 31)
    print(f"year {year}, as of {as_of}, {engine.dialect.name}")
    for label, township, each in (("city by township", None, False), ("city by enterprise", None, True),
                                  (f"township {town}", town, True)):
        times = []
        for _ in range(2):
            t = time.perf_counter()
            flow = material_flow(engine, SYSTEM, year, township, as_of=as_of, by_enterprise=each)
            times.append(time.perf_counter() - t)
        t = time.perf_counter()
        sankey(flow, Caption("物料流向", "企业月报", None), SLIDE_LOOK)
        figure = time.perf_counter() - t
        gaps = sum((lk.tonnes for lk in flow.gaps()), start=flow.entering() * 0)
        print(f"{label}: cold {times[0]:.2f} s, warm {times[1]:.2f} s, figure {figure:.2f} s; "
              f"{len(flow.nodes)} nodes, {len(flow.links)} links, 差额 {gaps:,.3f} t")
    print(f"load average (1, 5, 15 min): {[round(x, 2) for x in os.getloadavg()]} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
