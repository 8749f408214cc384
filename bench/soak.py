"""Soak test of one wall screen: does the server or the browser tab grow while a wall runs for days?

One wall session (a wall-screen link, `refresh` 5 s by default: a week of 60 s refreshes is about 10 000
reruns, two hours at 5 s is 1 440) in headless Chromium against a fresh server on the demo data. Every
`--interval` seconds it samples the server's resident memory (VmRSS of the streamlit process) and the
tab's JS heap (CDP: garbage collected first, then Runtime.getHeapUsage, so the figure is what the page
retains). After `--warmup` it fits a line to each series and reports the slope in % per hour of the
fitted value at the end of the warm-up; the run fails (exit 1) if either grows more than `--limit`.

    .venv/bin/python bench/soak.py --duration 7200 --out soak.json
    .venv/bin/python bench/soak.py --duration 600 --warmup 120 --interval 30     # a quick look
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.browser import chromium, offline_context, start_server, stop_server  # noqa: E402


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def slope_per_hour(points: list[tuple[float, float]], t0: float) -> tuple[float, float]:
    """Least-squares slope (units per hour) and the fitted value at t0 (seconds)."""
    n = len(points)
    mx = sum(t for t, _ in points) / n
    my = sum(v for _, v in points) / n
    sxx = sum((t - mx) ** 2 for t, _ in points)
    b = sum((t - mx) * (v - my) for t, v in points) / sxx if sxx else 0.0
    return b * 3600, my + b * (t0 - mx)


def seed(folder: Path) -> tuple[str, str]:
    """A demo database in `folder` and a wall-screen token for it."""
    from supervision.access import wall_links
    from supervision.core.config import load_settings
    from supervision.core.principal import SYSTEM
    from supervision.demo.build import build_demo_database
    from supervision.storage.db import open_database

    url = f"sqlite:///{folder / 'soak.db'}"
    settings = load_settings()
    engine = open_database(url, settings)
    try:
        build_demo_database(engine, settings, replace=False, if_empty=True, keep_package=None)
        _, token = wall_links.create_screen_token(engine, SYSTEM, "soak", 1)
    finally:
        engine.dispose()
    return url, token


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=7200, help="seconds of the whole run")
    parser.add_argument("--warmup", type=int, default=900, help="seconds before the slopes are fitted")
    parser.add_argument("--interval", type=int, default=60, help="seconds between samples")
    parser.add_argument("--refresh", type=int, default=5)
    parser.add_argument("--params", default="carousel=20&panels=overview,map,lights&year=2019&as_of=2019-08-13",
                        help="further wall-link parameters")
    parser.add_argument("--limit", type=float, default=10.0, help="largest allowed growth, %% per hour")
    parser.add_argument("--out", type=Path, default=None, help="write the samples and the summary here (JSON)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url, token = seed(folder)
        server = start_server({"DATABASE_URL": url}, folder / "streamlit.log")
        samples: list[dict[str, float]] = []
        try:
            with chromium() as browser, offline_context(browser, server.url, {"width": 1920, "height": 1080}) as off:
                page = off.new_page()
                page.goto(f"{server.url}/?token={token}&mode=screen&refresh={args.refresh}&{args.params}")
                page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
                cdp = page.context.new_cdp_session(page)
                start = time.monotonic()
                while True:
                    elapsed = time.monotonic() - start
                    cdp.send("HeapProfiler.collectGarbage")
                    heap = cdp.send("Runtime.getHeapUsage")["usedSize"] / 2**20
                    stamp = page.evaluate("() => (document.body.innerText.match(/最后更新：[0-9: -]+/) || [''])[0]")
                    errors = page.locator("[data-testid='stException']").count()
                    sample = {"t_s": round(elapsed, 1), "server_rss_mb": round(rss_mb(server.process.pid), 2),
                              "js_heap_mb": round(heap, 3), "errors": errors, "stamp": stamp}
                    samples.append(sample)
                    print(json.dumps(sample, ensure_ascii=False), flush=True)
                    if elapsed >= args.duration:
                        break
                    time.sleep(max(0.0, min(args.interval, args.duration - elapsed) - (time.monotonic() - start
                                                                                      - elapsed)))
                blocked = list(off.blocked)
        finally:
            stop_server(server)

    after = [s for s in samples if s["t_s"] >= args.warmup]
    summary: dict[str, object] = {"duration_s": samples[-1]["t_s"], "warmup_s": args.warmup,
                                  "interval_s": args.interval, "refresh_s": args.refresh, "params": args.params,
                                  "samples": len(samples), "blocked_requests": blocked,
                                  "exceptions_seen": max(s["errors"] for s in samples)}
    ok = True
    for key in ("server_rss_mb", "js_heap_mb"):
        figures: dict[str, object] = {"start": samples[0][key], "end": samples[-1][key]}
        if len(after) >= 3:
            per_hour, at_warmup = slope_per_hour([(s["t_s"], s[key]) for s in after], args.warmup)
            pct = per_hour / at_warmup * 100 if at_warmup else 0.0
            figures |= {"after_warmup": after[0][key], "slope_per_hour": round(per_hour, 3),
                        "slope_pct_per_hour": round(pct, 2)}
            ok &= pct <= args.limit
        else:
            figures["slope_pct_per_hour"] = None
            ok = False
        summary[key] = figures
    summary["passed"] = ok
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "samples": samples}, ensure_ascii=False, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
