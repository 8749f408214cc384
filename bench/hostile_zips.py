"""Peak memory and time of a dry-run import (the upload preview) of two hostile zips (issue 20, item 3).

    .venv/bin/python bench/hostile_zips.py [--work DIR] [--unlimited]

Generates, once, under --work (default bench/.work/hostile):
- bomb.zip: about 4 MB that expands to about 1.27 GB: one self_checks.csv of 11.2 million invalid rows;
- unique.zip: 32 MB of invoices with unique numbers and random quantities (valid rows).
Each is then dry-run as the upload preview does (import_package(..., dry_run=True) as an officer of
the table's department) on a fresh SQLite database holding the two enterprises the invoices cite, each
in its own child process, which reports its wall time and peak resident memory (ru_maxrss).
--unlimited raises the expansion limits so the bomb is read to the end: what the capped error list
costs instead of being refused at the door. --only bomb|unique measures one of them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from supervision.core.config import load_settings  # noqa: E402
from supervision.core.principal import SYSTEM, Principal, Role  # noqa: E402
from supervision.core.values import USCC_CHARSET, uscc_check_char  # noqa: E402
from supervision.ingest.importer import import_package  # noqa: E402
from supervision.ingest.package import Upload  # noqa: E402
from supervision.storage.db import open_database  # noqa: E402

WORK = Path(__file__).resolve().parent / ".work" / "hostile"
BOMB_ROWS = 11_200_000
UNIQUE_ZIP_BYTES = 32 * 2**20


def _uscc(n: int) -> str:
    body = "91320585" + "".join(USCC_CHARSET[(n * 7 + i) % 10] for i in range(9))
    return body + uscc_check_char(body)


SELLER, BUYER = _uscc(1), _uscc(2)


def generate(work: Path) -> tuple[Path, Path]:
    work.mkdir(parents=True, exist_ok=True)
    bomb, unique = work / "bomb.zip", work / "unique.zip"
    if not bomb.exists():
        line = (b"91320585XXXXXXXXX-not-a-credit-code-at-all,"
                b"nineteen-ninety-nine-and-a-half-not-a-year" + b"," * 28)
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive, \
                archive.open("self_checks.csv", "w", force_zip64=True) as fh:
            fh.write(b"uscc,year\n")
            block = (line + b"\n") * 10_000
            for _ in range(BOMB_ROWS // 10_000):
                fh.write(block)
    if not unique.exists():
        rng = random.Random(20)
        with open(unique, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive, \
                archive.open("invoices.csv", "w", force_zip64=True) as fh:
            fh.write(b"invoice_no,issued_on,seller_uscc,buyer_uscc,product_category,reo_t,amount_yuan\n")
            i = 0
            while raw.tell() < UNIQUE_ZIP_BYTES:
                rows = []
                for _ in range(20_000):
                    i += 1
                    rows.append(f"FP{rng.randrange(10**12):012d}{i:08d},2019-{rng.randint(1, 12):02d}-"
                                f"{rng.randint(1, 28):02d},{SELLER},{BUYER},OXIDE,{rng.randrange(1, 10**6) / 1000:.3f},"
                                f"{rng.randrange(1, 10**9) / 100:.2f}\n")
                fh.write("".join(rows).encode())
    return bomb, unique


def one(path: Path, unlimited: bool) -> dict[str, object]:
    """In this (child) process: the dry run of one zip on a fresh database."""
    settings = load_settings()
    if unlimited:
        settings = dataclasses.replace(settings, max_unpacked_mb=4000, max_member_mb=4000)
    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(f"sqlite:///{folder}/bench.db", settings)
        companies = (f"uscc,name,category,township,status\n{SELLER},甲冶炼有限公司,冶炼分离,浮桥镇,在产\n"
                     f"{BUYER},乙贸易有限公司,贸易流通,城厢镇,在产\n").encode()
        assert import_package(Upload("enterprises.csv", companies), engine, settings, principal=SYSTEM).written
        # The department that reports the zip's table: 工信局 the self-checks, 税务局 the invoices.
        department = "工信局" if path.name.startswith("bomb") else "税务局"
        officer = Principal("bench", f"{department}测试", Role.BUREAU, department=department)
        data = path.read_bytes()
        started = time.perf_counter()
        report = import_package(Upload(path.name, data), engine, settings, dry_run=True, principal=officer)
        seconds = time.perf_counter() - started
        engine.dispose()
    return {
        "zip": path.name, "zip_mb": round(len(data) / 2**20, 1),
        "expanded_mb": round(sum(i.file_size for i in zipfile.ZipFile(path).infolist()) / 2**20, 1),
        "seconds": round(seconds, 1), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "rows_read": sum(t.rows for t in report.tables.values()), "problems_listed": len(report.problems),
        "problems_counted": report.problem_count, "first_problem": str(report.problems[0]) if report.problems else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--unlimited", action="store_true")
    parser.add_argument("--one", type=Path)
    parser.add_argument("--only", choices=("bomb", "unique"))
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.unlimited), ensure_ascii=False))
        return
    for path in generate(args.work):
        if args.only and not path.name.startswith(args.only):
            continue
        command = [sys.executable, __file__, "--one", str(path)] + (["--unlimited"] if args.unlimited else [])
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        print(out.strip(), flush=True)


if __name__ == "__main__":
    main()
