"""Time to the first drawn chart in a real browser (Debian's chromium via Playwright), per page, on the demo data.

    .venv/bin/python bench/browser_timing.py [--repeat 3] [--year 2019] [--as-of 2019-12-31]

Builds the demo database in a temporary folder, starts `streamlit run app.py` on a free
port, and for every page measures, from navigation start to the first plotly chart's SVG
in the page: (a) a first visit in a fresh browser context (empty cache: the browser must
load and compile Streamlit's and plotly's JavaScript) and (b) the same page opened again in
that context (JavaScript cached, a new session on the server). Requests to anything but
the app's own server are blocked and counted. Medians of --repeat runs; results also go to
bench/results/browser_timing.json.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = {"overview": "", "map": "map", "quota": "quota", "progress": "progress", "scoring": "scoring",
         "enterprise": "enterprise", "findings": "findings"}
DEMO_USCC = "91320585DEM000002N"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--year", default="2019")
    parser.add_argument("--as-of", default="2019-12-31")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from supervision.config import load_settings
    from supervision.db import open_database
    from supervision.demo import build_demo_database

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        os.environ["DATABASE_URL"] = url
        settings = load_settings()
        engine = open_database(url, settings)
        build_demo_database(engine, settings, replace=True, if_empty=False, keep_package=None)
        engine.dispose()
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        blocked: list[str] = []
        results: dict[str, dict[str, float]] = {}
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"{base}/_stcore/health", timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)

                def route(r):
                    if urlsplit(r.request.url).netloc == f"127.0.0.1:{port}":
                        r.continue_()
                    else:
                        blocked.append(r.request.url)
                        r.abort()

                for name, path in PAGES.items():
                    query = f"year={args.year}&as_of={args.as_of}" + (f"&uscc={DEMO_USCC}" if name == "enterprise"
                                                                       else "")
                    first, again = [], []
                    for _ in range(args.repeat):
                        context = browser.new_context(viewport={"width": 1600, "height": 1200})
                        context.route("**/*", route)
                        page = context.new_page()
                        for into in (first, again):
                            started = time.monotonic()
                            page.goto(f"{base}/{path}?{query}")
                            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
                            into.append(time.monotonic() - started)
                        context.close()
                    results[name] = {"fresh_context_s": round(statistics.median(first), 2),
                                     "cached_js_s": round(statistics.median(again), 2)}
                    print(f"{name:<11} fresh context {results[name]['fresh_context_s']:5.2f} s   "
                          f"JavaScript cached {results[name]['cached_js_s']:5.2f} s", flush=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=15)
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
