"""Sign-in to first chart in a real browser, and a reload or a bookmark opened afterwards (issue 16).

    .venv/bin/python bench/signin_first_chart.py [--rounds 5] [--page /quota?year=2019]

A fresh demo database (SQLite) and one leader account; the app served as `make run` serves it (serve.py).
Each round uses a new browser context (no cookie): open the page's deep link, sign in, and time from the
click on 登录 to the first drawn chart ("sign-in"); then reload and time to the first chart again
("reload"), and open a second tab on the same page ("second tab"). Before the cookie session a reload and a
second tab showed the sign-in form (reported as "sign-in form"). Prints the medians and maxima as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devtools.browser import chromium, offline_context, start_server, stop_server  # noqa: E402
from supervision.access import accounts  # noqa: E402
from supervision.core.config import load_settings  # noqa: E402
from supervision.core.principal import SYSTEM, Role  # noqa: E402
from supervision.demo.build import build_demo_database  # noqa: E402
from supervision.storage.db import open_database  # noqa: E402

PASSWORD = "Bench-Passw0rd!"
CHART = ".js-plotly-plot .main-svg"


def _to_chart_or_form(page: Any, start: float) -> float | str:
    page.wait_for_selector(f"{CHART}, input[aria-label='用户名']", timeout=90_000)
    if page.locator("input[aria-label='用户名']").count():
        return "sign-in form"
    return round(time.monotonic() - start, 2)


def run(rounds: int, path: str) -> dict[str, Any]:
    settings = load_settings()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        engine = open_database(url, settings)
        build_demo_database(engine, settings)
        accounts.create_user(engine, SYSTEM, settings.security, username="leader1", display_name="测试领导",
                             role=Role.LEADER, password=PASSWORD, must_change_password=False)
        engine.dispose()
        server = start_server({"DATABASE_URL": url}, Path(folder) / "server.log")
        results: dict[str, list[Any]] = {"sign-in": [], "reload": [], "second tab": []}
        try:
            with chromium() as browser:
                for _ in range(rounds):
                    with offline_context(browser, server.url, {"width": 1600, "height": 1000}) as offline:
                        page = offline.new_page()
                        page.goto(server.url + path, wait_until="domcontentloaded")
                        page.get_by_label("用户名").fill("leader1")
                        page.get_by_label("密码").fill(PASSWORD)
                        start = time.monotonic()
                        page.get_by_role("button", name="登录").click()
                        page.wait_for_selector(CHART, timeout=90_000)
                        results["sign-in"].append(round(time.monotonic() - start, 2))
                        time.sleep(2)  # the cookie hand-off (if any) completes, as a person would look first
                        page.wait_for_selector(CHART, timeout=90_000)
                        start = time.monotonic()
                        page.reload(wait_until="commit")
                        results["reload"].append(_to_chart_or_form(page, start))
                        second = offline.new_page()
                        start = time.monotonic()
                        second.goto(server.url + path, wait_until="commit")
                        results["second tab"].append(_to_chart_or_form(second, start))
        finally:
            stop_server(server)

    def summary(values: list[Any]) -> dict[str, Any]:
        numbers = [v for v in values if isinstance(v, float | int)]
        if not numbers:
            return {"result": values[0] if values else None}
        return {"median_s": round(statistics.median(numbers), 2), "max_s": max(numbers), "n": len(numbers)}

    return {"page": path, "rounds": rounds, **{k: summary(v) for k, v in results.items()}, "raw": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--page", default="/quota?year=2019")
    args = parser.parse_args()
    print(json.dumps(run(args.rounds, args.page), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
