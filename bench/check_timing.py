"""Time `run_checks` for one year on a large synthetic package.

    python bench/check_timing.py --invoices 1000000 --db sqlite:////tmp/bench.db --year 2019
    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE checks_bench'
    python bench/check_timing.py --invoices 1000000 --db postgresql+psycopg://postgres@127.0.0.1:5432/checks_bench

The data are fictional and written with bulk inserts (setup is not what is measured); the
tables are then ANALYZEd (VACUUM ANALYZE on PostgreSQL, as autovacuum leaves a live database),
and only `run_checks` is timed, --repeat times. A database that already
holds enterprises is refused unless --reset is given, which empties every business table first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, delete, func, insert, select, text  # noqa: E402

from supervision.checks import run_checks  # noqa: E402
from supervision.config import load_settings  # noqa: E402
from supervision.db import open_database  # noqa: E402
from supervision.models import (  # noqa: E402
    DATA_MODELS,
    AuditEntry,
    Customs,
    Enterprise,
    EnvironmentRecord,
    ImportBatch,
    Invoice,
    License,
    MonthlyReport,
    Quota,
    ResourceTax,
    SelfCheck,
    Tipoff,
    TownshipReport,
    Traceability,
)
from supervision.townships import directory  # noqa: E402
from supervision.values import uscc_check_char  # noqa: E402

CATEGORY_MIX = (("冶炼分离", 0.25), ("资源综合利用", 0.15), ("贸易流通", 0.35), ("金属冶炼", 0.1), ("深加工应用", 0.15))
CHUNK = 20_000
T = Decimal("0.001")


def code(n: int) -> str:
    body = f"91320585B{n:08d}"
    return body + uscc_check_char(body)


def tonnes(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(str(round(rng.uniform(low, high), 3))).quantize(T)


def chunks(rows: Iterator[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def build(engine: Engine, settings: Any, year: int, n_invoices: int, n_enterprises: int, seed: int) -> None:
    """Enterprises, a year of reports and n_invoices invoices, with a sprinkling of planted problems."""
    rng = random.Random(seed)
    towns = directory(settings).names
    enterprises = []
    for i in range(n_enterprises):
        category = rng.choices([c for c, _ in CATEGORY_MIX], [w for _, w in CATEGORY_MIX])[0]
        enterprises.append({
            "uscc": code(i + 1), "name": f"基准测试企业{i + 1:04d}", "category": category,
            "township": towns[i % len(towns)], "status": rng.choices(["在产", "停产", "关闭"], [0.85, 0.1, 0.05])[0],
            "coord_system": "WGS84", "eia_approved": rng.random() > 0.05, "eia_accepted": rng.random() > 0.05,
            "last_clean_audit": dt.date(year, 1, 1) - dt.timedelta(days=rng.randint(0, 900)), "version": 1,
        })
    producers = [e["uscc"] for e in enterprises if e["category"] in ("冶炼分离", "资源综合利用")]
    traders = [e["uscc"] for e in enterprises if e["category"] == "贸易流通"]
    sellers = producers + traders
    everyone = [e["uscc"] for e in enterprises]
    outsiders = [code(900_000 + i) for i in range(200)]  # buyers in other provinces

    categories = ["MINE", "SALT", "HYDROX", "OXIDE", "OTHER_CPD", "METAL", "SCRAP"]
    sold: dict[str, Decimal] = defaultdict(Decimal)
    start = dt.date(year, 1, 1)

    def invoices() -> Iterator[dict[str, Any]]:
        for i in range(n_invoices):
            seller = sellers[i % len(sellers)]
            buyer = rng.choice(everyone) if rng.random() < 0.6 else rng.choice(outsiders)
            status = rng.choices(["正常", "作废", "红冲"], [0.97, 0.02, 0.01])[0]
            reo = tonnes(rng, 0.1, 5)
            if status == "红冲":
                reo = -reo
            if status != "作废":
                sold[seller] += reo
            yield {
                "invoice_no": f"B{i:09d}", "issued_on": start + dt.timedelta(days=rng.randint(0, 364)),
                "seller_uscc": seller, "buyer_uscc": buyer, "product_category": rng.choice(categories),
                "product_name": "稀土产品", "quantity": reo, "unit": "吨", "reo_t": reo,
                "amount_yuan": (reo * 150_000).quantize(Decimal("0.01")), "status": status, "version": 1,
            }

    with engine.begin() as conn:
        conn.execute(insert(Enterprise), enterprises)
        for batch in chunks(invoices()):
            conn.execute(insert(Invoice), batch)
        monthly, traced, quotas, taxes = [], [], [], []
        for uscc in sellers:
            yearly = sold[uscc]
            month_sales = (yearly / 12).quantize(T)
            produced = (yearly * Decimal("1.01") / 12).quantize(T)
            monthly.append({"uscc": uscc, "period": f"{year - 1}-12", "purchase_ore_domestic_t": None,
                            "purchase_ore_imported_t": None, "purchase_compound_t": None, "purchase_scrap_t": None,
                            "production_t": None, "sales_t": None, "inventory_t": None,
                            "raw_inventory_t": Decimal("50.000"), "toll_processing_t": None, "submitted_on": None,
                            "version": 1})
            for m in range(1, 13):
                if rng.random() < 0.01:
                    continue  # a missing month now and then (R19)
                monthly.append({
                    "uscc": uscc, "period": f"{year}-{m:02d}", "purchase_ore_domestic_t": produced,
                    "purchase_ore_imported_t": Decimal(0), "purchase_compound_t": Decimal(0),
                    "purchase_scrap_t": Decimal(0), "production_t": produced, "sales_t": month_sales,
                    "inventory_t": Decimal("10.000"), "raw_inventory_t": Decimal("50.000"),
                    "toll_processing_t": Decimal("0.5") if rng.random() < 0.005 else Decimal(0),
                    "submitted_on": dt.date(year, m, 28), "version": 1,
                })
                traced.append({"uscc": uscc, "period": f"{year}-{m:02d}", "production_t": produced,
                               "sales_t": month_sales, "version": 1})
            quotas.append({"year": year, "batch": 1, "uscc": uscc, "kind": "冶炼分离",
                           "quota_t": (yearly * Decimal(rng.choice(["1.3", "1.05", "0.98"]))).quantize(T),
                           "version": 1})
            taxes.append({"certificate_no": f"T{uscc}", "uscc": uscc, "issued_on": dt.date(year, 6, 30),
                          "ore_t": (produced * 12).quantize(T), "tax_yuan": Decimal("1000.00"), "version": 1})
        for batch in chunks(iter(monthly)):
            conn.execute(insert(MonthlyReport), batch)
        for batch in chunks(iter(traced)):
            conn.execute(insert(Traceability), batch)
        conn.execute(insert(Quota), quotas)
        conn.execute(insert(ResourceTax), taxes)
        licences, declarations = [], []
        for i, uscc in enumerate(traders):
            licences.append({"license_no": f"L{i:06d}", "uscc": uscc, "direction": "出口", "hs_code": "28053011",
                             "quantity_t": Decimal("100.000"), "valid_from": dt.date(year, 1, 1),
                             "valid_to": dt.date(year, 12, 31), "version": 1})
            for j in range(20):
                declarations.append({
                    "declaration_no": f"D{i:06d}{j:03d}", "declared_on": dt.date(year, 1 + j % 12, 10),
                    "uscc": uscc, "direction": "出口", "hs_code": "28053011", "product_name": "氧化镨钕",
                    "quantity_t": Decimal("4.900"), "reo_t": Decimal("4.500"), "country": "日本",
                    "license_no": f"L{i:06d}" if rng.random() > 0.01 else None,
                    "inspection_no": f"CIQ{i:06d}{j:03d}" if rng.random() > 0.01 else None, "version": 1,
                })
        conn.execute(insert(License), licences)
        for batch in chunks(iter(declarations)):
            conn.execute(insert(Customs), batch)
        conn.execute(insert(EnvironmentRecord), [
            {"record_id": f"E{i:05d}", "uscc": rng.choice(producers), "recorded_on": start + dt.timedelta(days=i % 360),
             "kind": "超标排放", "description": "检查发现",
             "resolved_on": None if i % 4 == 0 else start + dt.timedelta(days=i % 360 + 20), "version": 1}
            for i in range(max(10, n_enterprises // 5))
        ])
        conn.execute(insert(SelfCheck), [
            {"uscc": e["uscc"], "year": year,
             "submitted_on": dt.date(year, 7, rng.randint(1, 31)) if rng.random() > 0.05 else dt.date(year, 8, 3),
             "problems_found": 0, "problems_rectified": 0, "version": 1}
            for e in enterprises if e["category"] in ("冶炼分离", "资源综合利用", "贸易流通")
        ])
        conn.execute(insert(TownshipReport), [
            {"township": t, "year": year, "submitted_on": dt.date(year, 8, 10 + i % 5), "version": 1}
            for i, t in enumerate(towns)
        ])
        conn.execute(insert(Tipoff), [
            {"tipoff_id": f"X{i:05d}", "received_on": start + dt.timedelta(days=i * 3 % 360),
             "township": towns[i % len(towns)],
             "subject_uscc": rng.choice(everyone), "subject_name": "被举报企业", "status": "已办结",
             "feedback_on": start + dt.timedelta(days=i * 3 % 360 + rng.randint(5, 40)), "version": 1}
            for i in range(max(20, n_enterprises // 2))
        ])


def analyze(engine: Engine) -> None:
    """Statistics (and on PostgreSQL the visibility map autovacuum would build), as on a live database."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        return
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def reset(engine: Engine) -> None:
    with engine.begin() as conn:
        for model in (AuditEntry, *reversed(DATA_MODELS.values()), ImportBatch):
            conn.execute(delete(model))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time run_checks for one year on a synthetic package")
    parser.add_argument("--invoices", type=int, default=1_000_000, help="invoice rows to generate")
    parser.add_argument("--db", default="sqlite:////tmp/supervision_check_bench.db", help="database URL")
    parser.add_argument("--year", type=int, default=2019)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, help="as-of date (default: 31 March of Y+1)")
    parser.add_argument("--enterprises", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20190808)
    parser.add_argument("--reset", action="store_true", help="empty the business tables first")
    parser.add_argument("--existing", action="store_true", help="time the data already in the database")
    args = parser.parse_args(argv)
    settings = load_settings()
    engine = open_database(args.db, settings)
    with engine.connect() as conn:
        present = conn.execute(select(func.count()).select_from(Enterprise)).scalar_one()
    if not args.existing:
        if present and not args.reset:
            print(f"数据库已有{present}家企业；加 --reset 清空后再生成，或加 --existing 直接计时", file=sys.stderr)
            return 2
        if args.reset:
            reset(engine)
        started = time.perf_counter()
        build(engine, settings, args.year, args.invoices, args.enterprises, args.seed)
        analyze(engine)
        elapsed = time.perf_counter() - started
        print(f"setup: {args.invoices} invoices, {args.enterprises} enterprises in {elapsed:.1f} s")
    with engine.connect() as conn:
        invoices = conn.execute(select(func.count()).select_from(Invoice)).scalar_one()
    as_of = args.as_of or dt.date(args.year + 1, 3, 31)
    timings = []
    findings: list[Any] = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        findings = run_checks(engine, settings, args.year, as_of)
        timings.append(time.perf_counter() - started)
    counts = Counter(f.rule for f in findings)
    print(f"backend={engine.dialect.name} invoices={invoices} year={args.year} as_of={as_of}")
    print("run_checks seconds: " + ", ".join(f"{s:.2f}" for s in timings)
          + f" (min {min(timings):.2f}, median {statistics.median(timings):.2f})")
    print(f"findings={len(findings)} " + " ".join(f"{rule}={n}" for rule, n in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
