"""Time to build the meeting pack and the reports on the demo data, and the files' sizes.

    .venv/bin/python bench/export_timing.py [--repeat 5] [--year 2019] [--as-of 2019-08-20] [--out DIR]

Builds the demo database (SQLite) in a temporary folder, then --repeat times each: the
pack's data and figures (collect), the .pptx alone, the .pdf alone, both together (charts
rendered once for both, as the meeting page does), a township's self-check report and the
city summary (.docx). Each build is timed from the start (including Chromium's start) to
the bytes; medians are reported with the sizes. The last files are kept in --out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from supervision.core.config import load_settings  # noqa: E402
from supervision.core.principal import SYSTEM  # noqa: E402
from supervision.demo.build import build_demo_database  # noqa: E402
from supervision.reporting import pack, report  # noqa: E402
from supervision.storage.db import open_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--year", type=int, default=2019)
    parser.add_argument("--as-of", default="2019-08-20")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    settings = load_settings()
    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(f"sqlite:///{folder}/demo.db", settings)
        build_demo_database(engine, settings)
        out = Path(args.out) if args.out else Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        times: dict[str, list[float]] = {}
        sizes: dict[str, int] = {}

        def timed(name: str, build):  # noqa: ANN001, ANN202
            start = time.perf_counter()
            result = build()
            times.setdefault(name, []).append(time.perf_counter() - start)
            return result

        for _ in range(args.repeat):
            content = timed("collect (data + figures)",
                            lambda: pack.collect(engine, settings, SYSTEM, args.year, as_of))
            pptx = timed("pptx (collect + render + build)", lambda: pack.render(
                pack.collect(engine, settings, SYSTEM, args.year, as_of), ("pptx",))["pptx"])
            pdf = timed("pdf (collect + render + build)", lambda: pack.render(
                pack.collect(engine, settings, SYSTEM, args.year, as_of), ("pdf",))["pdf"])
            both = timed("pptx + pdf together (meeting page)", lambda: pack.render(
                pack.collect(engine, settings, SYSTEM, args.year, as_of), ("pptx", "pdf")))
            town = timed("township report docx", lambda: report.build_docx(
                report.collect(engine, settings, SYSTEM, args.year, as_of, "沙溪镇")))
            city = timed("city summary docx", lambda: report.build_docx(
                report.collect(engine, settings, SYSTEM, args.year, as_of, None)))
        files = {f"{content.file_stem}.pptx": pptx, f"{content.file_stem}.pdf": pdf,
                 "沙溪镇自查报告.docx": town, "市汇总.docx": city}
        for name, data in files.items():
            (out / name).write_bytes(data)
            sizes[name] = len(data)
        del both
        print(f"demo data, {args.year}, as of {as_of}, {args.repeat} runs each (median, min–max):")
        for name, values in times.items():
            print(f"  {name:40s} {statistics.median(values):6.2f} s  ({min(values):.2f}–{max(values):.2f})")
        for name, size in sizes.items():
            print(f"  {name:40s} {size / 1024:8.0f} KB")


if __name__ == "__main__":
    main()
