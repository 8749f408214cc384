"""The demo's flow picture (物料流向) in a real browser, and its largest links and 差额 streams in figures.

    .venv/bin/python bench/flow_picture.py [--year 2019] [--as-of 2019-12-31] [--port 8610]
        [--out bench/results/flow_picture.png]

Builds the demo database in a temporary folder with a leader's account, prints the city's links
(supervision.read.flows.material_flow, as the page reads them) largest first and every 差额 stream
with its rule, then starts the app (serve.py) on --port, signs in in Debian's chromium, opens
/flows for the year and date and saves a screenshot of the picture to --out once the Sankey is drawn.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

USERNAME, PASSWORD = "bench.leader", "Bench-Passw0rd!"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2019)
    parser.add_argument("--as-of", default="2019-12-31")
    parser.add_argument("--port", type=int, default=8610)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "flow_picture.png"))
    args = parser.parse_args()

    from devtools.browser import chromium, offline_context, start_server, stop_server
    from supervision.access import accounts
    from supervision.core.config import load_settings
    from supervision.core.principal import SYSTEM, Principal, Role
    from supervision.demo.build import build_demo_database
    from supervision.read import flows
    from supervision.storage.db import open_database

    as_of = dt.date.fromisoformat(args.as_of)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        os.environ["DATABASE_URL"] = url
        settings = load_settings()
        engine = open_database(url, settings)
        build_demo_database(engine, settings, replace=True, if_empty=False, keep_package=None)
        accounts.create_user(engine, SYSTEM, settings.security, username=USERNAME, display_name="流向图领导",
                             role=Role.LEADER, password=PASSWORD, must_change_password=False)
        leader = Principal(USERNAME, "流向图领导", Role.LEADER)
        flow = flows.material_flow(engine, leader, args.year, as_of=as_of)
        engine.dispose()
        print(f"{args.year} as of {as_of}: {len(flow.nodes)} nodes, {len(flow.links)} links; "
              f"entering {flow.entering()} t = leaving {flow.leaving()} t REO")
        print("largest links:")
        for row in flow.table(limit=12).itertuples():
            print(f"  {row.source} -> {row.target}: {row.tonnes} t ({row.kind}{' ' + row.rule if row.rule else ''})")
        gaps = flow.gaps()
        print(f"差额 streams: {len(gaps)}, {sum((g.tonnes for g in gaps), start=flows.ZERO)} t in all")
        for row in flow.table(gaps_only=True).itertuples():
            print(f"  {row.source} -> {row.target}: {row.tonnes} t ({row.rule or '-'})")

        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        server = start_server({}, port=args.port)
        try:
            with chromium() as browser, offline_context(browser, server.url, {"width": 1600, "height": 2400}) as o:
                page = o.new_page()
                page.goto(f"{server.url}/flows?year={args.year}&as_of={as_of:%Y-%m-%d}")
                page.get_by_label("用户名").wait_for(timeout=120_000)
                page.get_by_label("用户名").fill(USERNAME)
                page.get_by_label("密码").fill(PASSWORD)
                page.get_by_role("button", name="登录").click()
                page.wait_for_selector(".js-plotly-plot .sankey", timeout=120_000)
                page.wait_for_timeout(1500)  # the Sankey's links ease in
                page.locator(".js-plotly-plot").first.screenshot(path=str(out))
            print(f"screenshot: {out}; blocked requests: {len(o.blocked)}")
        finally:
            stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
