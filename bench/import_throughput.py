"""Import throughput: generate a package of N valid invoices (and the enterprises they cite), time import_package.

    python bench/import_throughput.py --rows 100000 --db sqlite:////tmp/bench.db
    python bench/import_throughput.py --rows 100000 --db postgresql+psycopg://postgres@127.0.0.1:5432/postgres --scratch

With --scratch the URL names a PostgreSQL server: a database bench_import_<pid> is created on it
for the run and dropped afterwards. Without --db a new SQLite file in a temporary folder is used.
Prints rows/s and the process's peak RSS (the package is written to disk as it is generated, so
the peak is the importer's).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import os
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from supervision.config import load_settings  # noqa: E402
from supervision.db import open_database  # noqa: E402
from supervision.importer import import_package  # noqa: E402
from supervision.spec import PRODUCT_CATEGORIES  # noqa: E402
from supervision.values import uscc_check_char  # noqa: E402

TOWNSHIPS = ("城厢镇", "沙溪镇", "浏河镇", "浮桥镇", "璜泾镇", "双凤镇", "娄东街道", "陆渡街道")
CATEGORIES = ("冶炼分离", "资源综合利用", "贸易流通", "金属冶炼", "深加工应用")


def code(n: int) -> str:
    body = f"91320585MA{n:07d}"
    return body + uscc_check_char(body)


def write_package(folder: Path, rows: int, enterprises: int) -> None:
    """enterprises.csv and invoices.csv with Chinese headers, as a tax bureau's export would be."""
    codes = [code(n) for n in range(1, enterprises + 1)]
    with open(folder / "企业名录.csv", "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["统一社会信用代码", "企业名称", "企业类别", "所属镇区", "生产状态"])
        for n, uscc in enumerate(codes):
            out.writerow([uscc, f"太仓示例稀土企业{n + 1}号", CATEGORIES[n % 5], TOWNSHIPS[n % 8], "在产"])
    start = dt.date(2019, 1, 1)
    with open(folder / "稀土专用发票.csv", "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["发票号码", "开票日期", "销方税号", "购方税号", "产品类别", "品名", "数量", "单位", "折REO",
                      "金额", "状态"])
        for n in range(rows):
            kg = 100 + (n * 37) % 5000
            out.writerow([
                f"3200191130-{n:010d}", (start + dt.timedelta(days=n % 365)).isoformat(),
                codes[n % enterprises], codes[(n * 7 + 3) % enterprises], PRODUCT_CATEGORIES[n % 8],
                "氧化镨钕", kg, "公斤", f"{kg / 1000:.3f}", f"{kg * 300}.{n % 100:02d}", "正常",
            ])


def backend_cpu_s(pid: int | None) -> float | None:
    """CPU seconds of a local PostgreSQL backend process (utime + stime from /proc), if readable."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="invoice rows (default 100000)")
    parser.add_argument("--enterprises", type=int, default=0, help="enterprises cited (default rows/500, ≥ 50)")
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--scratch", action="store_true",
                        help="--db names a PostgreSQL server: create bench_import_<pid> there and drop it after")
    parser.add_argument("--again", action="store_true", help="also time a second import of the same package")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the (first) import to FILE")
    args = parser.parse_args()
    enterprises = args.enterprises or max(50, args.rows // 500)

    settings = load_settings()
    tmp = Path(tempfile.mkdtemp(prefix="bench_import_"))
    url = args.db or f"sqlite:///{tmp / 'bench.db'}"
    admin = None
    if args.scratch:
        server = make_url(url)
        name = f"bench_import_{os.getpid()}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))  # generated name, not user input
        url = server.set(database=name).render_as_string(hide_password=False)
    try:
        package = tmp / "package"
        package.mkdir()
        t0 = time.perf_counter()
        write_package(package, args.rows, enterprises)
        size = sum(p.stat().st_size for p in package.iterdir()) / 2**20
        print(f"package: {args.rows} invoices + {enterprises} enterprises, {size:.1f} MB CSV, "
              f"generated in {time.perf_counter() - t0:.1f} s")
        engine = open_database(url, settings)
        print(f"database: {engine.dialect.name} ({make_url(url).render_as_string(hide_password=True)})")
        rss_before = peak_rss_mb()
        backend = None
        if engine.dialect.name == "postgresql":
            # The pool holds the one connection open_database used; the import checks it out again.
            with engine.connect() as conn:
                backend = int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
        server0 = backend_cpu_s(backend)

        profiler = cProfile.Profile() if args.profile else None
        t0, cpu0 = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        report = import_package(package, engine, settings, actor="bench")
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
            pstats.Stats(args.profile).sort_stats("cumulative").print_stats(25)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        if not report.written:
            print(report.summary()[:2000], file=sys.stderr)
            return 1
        total = args.rows + enterprises
        print(f"import: {elapsed:.2f} s, {args.rows / elapsed:,.0f} invoice rows/s "
              f"({total / elapsed:,.0f} rows/s all tables); added {report.added}; "
              f"{cpu:.2f} s CPU in this process")
        server1 = backend_cpu_s(backend)
        if backend is not None:
            with engine.connect() as conn:
                pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))
                if set(pids.scalars()) != {backend}:
                    server1 = None  # the import used another connection: its CPU time is not known here
        if server0 is not None and server1 is not None:
            print(f"PostgreSQL backend {backend}: {server1 - server0:.2f} s CPU")
        print(f"peak RSS: {peak_rss_mb():.0f} MB (before the import: {rss_before:.0f} MB); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

        if args.again:
            t0 = time.perf_counter()
            again = import_package(package, engine, settings, actor="bench")
            elapsed = time.perf_counter() - t0
            unchanged = sum(t.unchanged for t in again.tables.values())
            print(f"re-import (all unchanged: {unchanged}): {elapsed:.2f} s, {args.rows / elapsed:,.0f} invoice rows/s;"
                  f" peak RSS {peak_rss_mb():.0f} MB")
        engine.dispose()
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
            admin.dispose()
        for path in sorted(tmp.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        tmp.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
