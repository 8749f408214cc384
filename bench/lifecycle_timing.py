"""Finding lifecycle timings: the sync after an import, and the 整改台账 workbook, at any scale.

    SUPERVISION_CONFIG=OUT/config.toml .venv/bin/python bench/lifecycle_timing.py DB_URL [--package OUT/package]
        [--ledger-year 2020]

With --package the package is imported first (through the real importer, timed apart); then the sync the app
runs after that import (the years it touched, each as of today or its year's end) is timed, a second sync with
nothing new, and the ledger workbook of --ledger-year (default: the latest year synced) for the whole
jurisdiction: its size and the time to build it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from supervision.core.config import load_settings  # noqa: E402
from supervision.core.principal import SYSTEM  # noqa: E402
from supervision.ingest.importer import import_package  # noqa: E402
from supervision.lifecycle import ledger  # noqa: E402
from supervision.lifecycle.hooks import sync_years, years_of_import  # noqa: E402
from supervision.storage.db import open_database  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--package", type=Path)
    parser.add_argument("--ledger-year", type=int)
    args = parser.parse_args()
    settings = load_settings()
    engine = open_database(args.url, settings)
    years: set[int] = set()
    if args.package:
        t = time.perf_counter()
        report = import_package(args.package, engine, settings, actor="bench")
        print(f"import: {time.perf_counter() - t:.1f} s, written={report.written}, rows added {report.added}")
        if report.import_id is not None:
            t = time.perf_counter()
            years = years_of_import(engine, report.import_id,
                                    [k for k, r in report.tables.items() if r.added or r.changed])
            print(f"years touched: {sorted(years)} ({time.perf_counter() - t:.2f} s to find them)")
    if not years:
        from supervision.read.queries import data_years

        years = set(data_years(engine, SYSTEM))
    for label in ("sync after the import", "sync again (nothing new)"):
        t = time.perf_counter()
        results = sync_years(engine, settings, years)
        total = time.perf_counter() - t
        found = sum(r.produced for r in results)
        new = sum(r.new for r in results)
        print(f"{label}: {total:.1f} s for {len(results)} years, {found} findings, {new} new")
    year = args.ledger_year or max(years)
    t = time.perf_counter()
    data = ledger.workbook(engine, settings, SYSTEM, year)
    print(f"ledger workbook {year}: {len(data) / 1024:.0f} KB in {time.perf_counter() - t:.2f} s")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
