"""Time to the first drawn chart in a real browser (Debian's chromium via Playwright), per page, on the demo data.

    .venv/bin/python bench/browser_timing.py [--repeat 3] [--year 2019] [--as-of 2019-12-31]

Builds the demo database in a temporary folder with a leader's account and a wall-screen
link, starts `streamlit run app.py` on a free port, and for every page opens its deep link:
the sign-in form appears, the leader signs in there, and the clock stops at the first plotly
chart's SVG. Reported: the time from the click on 登录 to the first chart, and the whole
time from navigation start, (a) in a fresh browser context (empty cache: the browser loads
and compiles Streamlit's and plotly's JavaScript) and (b) opened again in that context
(JavaScript cached; a reload is a new session, so it signs in again). The wall pages are
also timed through the wall-screen link, which needs no password. Requests to anything but
the app's own server are blocked and counted. Medians of --repeat runs; results also go to
bench/results/browser_timing.json.
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

PAGES = {"overview": "", "map": "map", "quota": "quota", "progress": "progress", "scoring": "scoring",
         "enterprise": "enterprises", "findings": "findings"}
USERNAME, PASSWORD = "bench.leader", "Bench-Passw0rd!"
DEMO_USCC = "91320585DEM000002N"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--year", default="2019")
    parser.add_argument("--as-of", default="2019-12-31")
    args = parser.parse_args()

    from devtools.browser import chromium, offline_context, running_server
    from supervision.core.config import load_settings
    from supervision.demo.build import build_demo_database
    from supervision.storage.db import open_database

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        os.environ["DATABASE_URL"] = url
        settings = load_settings()
        engine = open_database(url, settings)
        build_demo_database(engine, settings, replace=True, if_empty=False, keep_package=None)
        from supervision.access import accounts, wall_links
        from supervision.core.principal import SYSTEM, Role

        accounts.create_user(engine, SYSTEM, settings.security, username=USERNAME, display_name="计时用领导",
                             role=Role.LEADER, password=PASSWORD, must_change_password=False)
        _, token = wall_links.create_screen_token(engine, SYSTEM, "计时大屏", 1)
        engine.dispose()
        blocked: list[str] = []
        results: dict[str, dict[str, float]] = {}
        with running_server({}) as server, chromium() as browser:
            base = server.url

            def visit(page, url: str, sign_in: bool) -> tuple[float, float]:
                started = time.monotonic()
                page.goto(url)
                clicked = started
                if sign_in:
                    page.get_by_label("用户名").wait_for(timeout=120_000)
                    page.get_by_label("用户名").fill(USERNAME)
                    page.get_by_label("密码").fill(PASSWORD)
                    clicked = time.monotonic()
                    page.get_by_role("button", name="登录").click()
                page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
                done = time.monotonic()
                return done - clicked, done - started

            cases = [(name, f"{base}/{path}?year={args.year}&as_of={args.as_of}"
                      + (f"&uscc={DEMO_USCC}" if name == "enterprise" else ""), True)
                     for name, path in PAGES.items()]
            cases += [(f"wall {name}", f"{base}/{PAGES[name]}?token={token}&mode=screen&year={args.year}"
                       f"&as_of={args.as_of}", False) for name in ("overview", "map")]
            for name, url, sign_in in cases:
                fresh, cached = [], []
                for _ in range(args.repeat):
                    with offline_context(browser, base, {"width": 1920, "height": 1080}) as offline:
                        page = offline.new_page()
                        fresh.append(visit(page, url, sign_in))
                        cached.append(visit(page, url, sign_in))
                    blocked.extend(offline.blocked)
                results[name] = {
                    "fresh_after_sign_in_s": round(statistics.median(f[0] for f in fresh), 2),
                    "fresh_total_s": round(statistics.median(f[1] for f in fresh), 2),
                    "cached_after_sign_in_s": round(statistics.median(c[0] for c in cached), 2),
                    "cached_total_s": round(statistics.median(c[1] for c in cached), 2),
                }
                r = results[name]
                if sign_in:
                    print(f"{name:<14} fresh context: {r['fresh_after_sign_in_s']:5.2f} s after 登录 "
                          f"({r['fresh_total_s']:5.2f} s in all)   JavaScript cached: "
                          f"{r['cached_after_sign_in_s']:5.2f} s ({r['cached_total_s']:5.2f} s)", flush=True)
                else:
                    print(f"{name:<14} fresh context: {r['fresh_total_s']:5.2f} s from the link   "
                          f"JavaScript cached: {r['cached_total_s']:5.2f} s", flush=True)
    print(f"blocked requests: {len(blocked)}; load average (1, 5, 15 min): {os.getloadavg()} on {os.cpu_count()} CPUs")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "browser_timing.json").write_text(json.dumps(
        {"year": args.year, "as_of": args.as_of, "repeat": args.repeat, "cpus": os.cpu_count(),
         "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
         "blocked_requests": len(blocked), "pages": results}, ensure_ascii=False, indent=1))
    return 0 if not blocked else 1


if __name__ == "__main__":
    sys.exit(main())
