"""Sign-in under load (issue 20, items 7 and 2), with the configured (default) argon2 cost.

    .venv/bin/python bench/signin_load.py concurrent [--n 50]
    .venv/bin/python bench/signin_load.py during-import [--rows 200000]

concurrent: N threads sign in at once with a wrong password, each from its own address; reports the wall
time, the slowest answer and the process's peak resident memory (ru_maxrss; the child starts at about
190 MB of imports). during-import: a fresh SQLite database, one account, and an import of --rows invoices
(one transaction, holding SQLite's write lock throughout); a sign-in is timed before the import and then
every second while it runs.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from supervision.access import accounts, signin  # noqa: E402
from supervision.core.config import load_settings  # noqa: E402
from supervision.core.principal import SYSTEM, Role  # noqa: E402
from supervision.core.values import USCC_CHARSET, uscc_check_char  # noqa: E402
from supervision.ingest.importer import import_package  # noqa: E402
from supervision.ingest.package import Upload  # noqa: E402
from supervision.storage.db import open_database  # noqa: E402

PASSWORD = "Bench-Passw0rd!"


def _uscc(n: int) -> str:
    body = "91320585" + "".join(USCC_CHARSET[(n * 7 + i) % 10] for i in range(9))
    return body + uscc_check_char(body)


def _rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def concurrent(n: int) -> dict[str, object]:
    settings = load_settings()
    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(f"sqlite:///{folder}/bench.db", settings)
        accounts.create_user(engine, SYSTEM, settings.security, username="target", display_name="目标",
                             role=Role.LEADER, password=PASSWORD, must_change_password=False)
        before = _rss_mb()
        times: list[float] = []
        barrier = threading.Barrier(n)

        def attempt(i: int) -> None:
            barrier.wait()
            started = time.perf_counter()
            signin.authenticate(engine, "target" if i % 2 else f"nobody{i}", f"wrong{i}", settings.security,
                                source=f"10.0.{i // 250}.{i % 250 + 1}")
            times.append(time.perf_counter() - started)

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        signin.flush_sign_in_bookkeeping()
        engine.dispose()
    return {"attempts": n, "argon2_memory_mib": settings.security.argon2_memory_kib // 1024,
            "wall_s": round(wall, 1), "slowest_s": round(max(times), 1), "rss_before_mb": before,
            "peak_rss_mb": _rss_mb()}


def during_import(rows: int) -> dict[str, object]:
    settings = load_settings()
    seller, buyer = _uscc(1), _uscc(2)
    rng = random.Random(7)
    text = io.StringIO()
    text.write("invoice_no,issued_on,seller_uscc,buyer_uscc,product_category,reo_t\n")
    for i in range(rows):
        text.write(f"FP{i:012d},2019-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},{seller},{buyer},OXIDE,"
                   f"{rng.randrange(1, 10**6) / 1000:.3f}\n")
    data = text.getvalue().encode()
    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(f"sqlite:///{folder}/bench.db", settings)
        companies = (f"uscc,name,category,township,status\n{seller},甲冶炼有限公司,冶炼分离,浮桥镇,在产\n"
                     f"{buyer},乙贸易有限公司,贸易流通,城厢镇,在产\n").encode()
        assert import_package(Upload("enterprises.csv", companies), engine, settings).written
        accounts.create_user(engine, SYSTEM, settings.security, username="officer", display_name="经办",
                             role=Role.LEADER, password=PASSWORD, must_change_password=False)

        def timed() -> float:
            started = time.perf_counter()
            assert signin.authenticate(engine, "officer", PASSWORD, settings.security, source="10.9.9.9").ok
            return time.perf_counter() - started

        idle = timed()
        done = threading.Event()
        result: dict[str, object] = {}

        def run() -> None:
            started = time.perf_counter()
            report = import_package(Upload("invoices.csv", data), engine, settings)
            result.update(import_s=round(time.perf_counter() - started, 1), written=report.written)
            done.set()

        worker = threading.Thread(target=run)
        worker.start()
        during: list[float] = []
        while not done.wait(1.0):
            during.append(timed())
        worker.join()
        signin.flush_sign_in_bookkeeping()
        engine.dispose()
    return {"invoice_rows": rows, **result, "signin_idle_s": round(idle, 2), "signins_during": len(during),
            "signin_during_median_s": round(statistics.median(during), 2) if during else None,
            "signin_during_max_s": round(max(during), 2) if during else None}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("concurrent", "during-import"))
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    out = concurrent(args.n) if args.mode == "concurrent" else during_import(args.rows)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
