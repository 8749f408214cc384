"""A large synthetic data package, with the jurisdiction it belongs to, for the benchmark (`make bench`).

    .venv/bin/python bench/generate.py OUT [--scale 1.0] [--enterprises 500] [--townships 100]
        [--years 10] [--last-year 2020] [--invoices 2000000] [--customs 200000] [--seed 7]

OUT receives:
- `package/`: one CSV file per table of the data-exchange spec (Chinese headers, UTF-8 with BOM, as a
  department's export would be), imported by the benchmark through the real importer;
- `config.toml`, `townships.csv`, `townships.geojson`: a province-sized, fictional jurisdiction
  (基准省, N townships on a grid of schematic squares) whose other sections are the project's own
  config.toml, so tolerances and calendar are the real ones.

At the defaults: 500 enterprises over 100 townships, 10 years (2011–2020) of monthly reports and
traceability, 2,000,000 invoice rows and 200,000 customs rows, about 2.4 million rows in all.
`--scale` multiplies the row counts of invoices and customs (and enterprises and townships, at
least 20 and 5), for quick runs. The flows are consistent (production within quota, invoices that
add up to the reported sales, traders that sell what they bought, licences that cover exports),
with noise, so the checks find a realistic few problems, not one per row. Deterministic per seed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import random
import re
import sys
import time
from collections import defaultdict
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from supervision.core.spec import TABLES  # noqa: E402
from supervision.core.values import uscc_check_char  # noqa: E402

# Category mix of a province's rare-earth enterprises (separators and recyclers need quotas and sell most).
CATEGORY_MIX = (("冶炼分离", 0.25), ("资源综合利用", 0.15), ("贸易流通", 0.35), ("金属冶炼", 0.1), ("深加工应用", 0.15))
SEASON = (0.80, 0.75, 0.95, 1.0, 1.05, 1.05, 1.0, 1.0, 1.05, 1.1, 1.1, 1.1)  # Spring Festival dip
GRID_LON, GRID_LAT, CELL = 118.4, 31.0, 0.3
EXPORT_HS = (("28469019", "氧化镨钕"), ("28053011", "金属钕"), ("28053029", "金属镨钕"), ("2846909910", "氧化镝"))
IMPORT_HS = (("28461000", "铈的化合物"), ("28469019", "稀土氧化物"))
COUNTRIES = ("日本", "美国", "韩国", "德国", "越南", "荷兰")


@dataclass(frozen=True)
class Size:
    enterprises: int = 500
    townships: int = 100
    years: int = 10
    last_year: int = 2020
    invoices: int = 2_000_000
    customs: int = 200_000

    def scaled(self, factor: float) -> Size:
        return Size(max(20, round(self.enterprises * factor)), max(5, round(self.townships * factor)), self.years,
                    self.last_year, max(1000, round(self.invoices * factor)), max(100, round(self.customs * factor)))

    @property
    def year_range(self) -> range:
        return range(self.last_year - self.years + 1, self.last_year + 1)


@dataclass
class Enterprise:
    uscc: str
    name: str
    category: str
    township: int
    base_t: float  # monthly output (producers) or trade volume
    status: str


@dataclass
class Writers:
    """One csv.writer per table, with the row counts written."""

    files: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def row(self, table: str, values: list[Any]) -> None:
        self.files[table].writerow(values)
        self.counts[table] += 1


def uscc(n: int, prefix: str = "91320500BM") -> str:
    body = f"{prefix}{n:07d}"
    return body + uscc_check_char(body)


def township_name(i: int) -> str:
    return f"基准{i + 1:03d}镇"


def t3(x: float) -> str:
    return f"{x:.3f}"


def _cell(i: int) -> tuple[float, float]:
    """South-west corner of township i's square on the 10-wide grid."""
    return GRID_LON + (i % 10) * CELL, GRID_LAT + (i // 10) * CELL


def write_jurisdiction(out: Path, size: Size) -> None:
    """townships.csv, townships.geojson and config.toml (the project's config with this jurisdiction)."""
    rows, features = [], []
    for i in range(size.townships):
        lon, lat = _cell(i)
        name = township_name(i)
        rows.append([name, name[:-1], f"32050{i:04d}", "镇", f"{lon + CELL / 2:.6f}", f"{lat + CELL / 2:.6f}", i + 1,
                     "基准测试虚构镇区", "bench/generate.py"])
        inset = CELL * 0.02
        ring = [[lon + inset, lat + inset], [lon + CELL - inset, lat + inset], [lon + CELL - inset, lat + CELL - inset],
                [lon + inset, lat + CELL - inset], [lon + inset, lat + inset]]
        features.append({"type": "Feature", "id": name, "properties": {"name": name},
                         "geometry": {"type": "Polygon",
                                      "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}})
    with open(out / "townships.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["name", "short_name", "code", "kind", "seat_lon", "seat_lat", "sort_order", "note", "source"])
        writer.writerows(rows)
    (out / "townships.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                                      ensure_ascii=False), encoding="utf-8")
    rows_used = math.ceil(size.townships / 10)
    own = (ROOT / "config.toml").read_text(encoding="utf-8")
    rest = own[own.index("# The campaign calendar"):]  # calendar, tolerances, risk, security: the real ones
    # The product's row limit per table (3,000,000) would refuse the invoices of a 4x package: the benchmark
    # measures the importer, so its jurisdiction admits the largest table it generates.
    rest = re.sub(r"(?m)^max_rows_per_table = \d+", f"max_rows_per_table = {max(3_000_000, size.invoices + 1)}", rest)
    (out / "config.toml").write_text(
        "# Generated by bench/generate.py: a fictional province-sized jurisdiction for the benchmark.\n"
        "[database]\nurl = \"sqlite:///bench.db\"\n\n"
        "[jurisdiction]\nname = \"基准省\"\nprovince = \"基准省\"\ncity = \"基准市\"\n"
        f"townships_file = \"{(out / 'townships.csv').as_posix()}\"\n"
        f"boundary_file = \"{(out / 'townships.geojson').as_posix()}\"\n"
        "boundary_name_field = \"name\"\nboundary_is_schematic = true\n"
        f"bounds = {{ min_lon = {GRID_LON - 0.1:.2f}, max_lon = {GRID_LON + 10 * CELL + 0.1:.2f}, "
        f"min_lat = {GRID_LAT - 0.1:.2f}, max_lat = {GRID_LAT + rows_used * CELL + 0.1:.2f} }}\n\n"
        "[jurisdiction.aliases]\n\n" + rest,
        encoding="utf-8",
    )


def _enterprises(size: Size, rng: random.Random) -> list[Enterprise]:
    out = []
    names, weights = zip(*CATEGORY_MIX, strict=True)
    for i in range(size.enterprises):
        category = names[i % len(names)] if i < len(names) else rng.choices(names, weights)[0]
        base = {"冶炼分离": rng.uniform(20, 120), "资源综合利用": rng.uniform(10, 60), "贸易流通": 0.0,
                "金属冶炼": rng.uniform(5, 30), "深加工应用": rng.uniform(2, 15)}[category]
        status = "在产" if rng.random() < 0.93 else rng.choice(("停产", "关闭"))
        out.append(Enterprise(uscc(i + 1), f"基准测试企业{i + 1:04d}（示例）", category, i % size.townships, base,
                              status))
    return out


def _split(total: float, n: int, rng: random.Random) -> list[float]:
    """n positive parts of total (3 decimals), the last one taking the rounding."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(n)]
    scale = total / sum(weights)
    parts = [round(w * scale, 3) for w in weights[:-1]]
    parts.append(round(total - sum(parts), 3))
    return parts if parts[-1] > 0 else [round(total, 3)]


def _open(stack: ExitStack, folder: Path) -> Writers:
    writers = Writers()
    for spec in TABLES:
        fh = stack.enter_context(open(folder / f"{spec.name}.csv", "w", encoding="utf-8-sig", newline=""))
        writers.files[spec.key] = csv.writer(fh)
        writers.files[spec.key].writerow([c.header for c in spec.columns])
    return writers


def _directory(w: Writers, firms: list[Enterprise], size: Size, rng: random.Random) -> None:
    for e in firms:
        lon, lat = _cell(e.township)
        producer = e.category in ("冶炼分离", "资源综合利用")
        audit = dt.date(size.last_year, 1, 1) - dt.timedelta(days=rng.randint(0, 900))
        w.row("enterprises", [
            e.uscc, e.name, e.category, township_name(e.township), f"基准省基准市{township_name(e.township)}示例路",
            f"{lon + rng.uniform(0.02, CELL - 0.02):.6f}", f"{lat + rng.uniform(0.02, CELL - 0.02):.6f}", "WGS84",
            "基准测试集团" if rng.random() < 0.3 else "", t3(e.base_t * 12 * 1.3) if producer else "", e.status,
            "否" if producer and rng.random() < 0.02 else "是", "否" if producer and rng.random() < 0.02 else "是",
            audit.isoformat() if producer else "",
        ])


def generate(out: Path, size: Size, seed: int = 7) -> dict[str, int]:
    """Write the package and the jurisdiction under `out`; returns the rows written per table."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    folder = out / "package"
    folder.mkdir(exist_ok=True)
    write_jurisdiction(out, size)
    firms = _enterprises(size, rng)
    separators = [e for e in firms if e.category == "冶炼分离"]
    recyclers = [e for e in firms if e.category == "资源综合利用"]
    producers = separators + recyclers
    traders = [e for e in firms if e.category == "贸易流通"]
    users = [e for e in firms if e.category in ("金属冶炼", "深加工应用")]
    exporters = separators + traders + [e for e in firms if e.category == "金属冶炼"]
    outsiders = [uscc(n, "91440300WB") for n in range(1, 301)]  # buyers in other provinces
    months = size.years * 12
    # Invoices: producers' sales ~45 %, traders' ~40 %, users' ~15 % of the rows.
    per_month = size.invoices / months
    def active(group: list[Enterprise]) -> int:
        return max(1, sum(e.status == "在产" for e in group))

    inv_producer = max(1, round(per_month * 0.45 / active(producers)))
    inv_trader = max(1, round(per_month * 0.40 / max(1, len(traders))))
    inv_user = max(1, round(per_month * 0.15 / active(users)))
    customs_per_month = size.customs / months
    counter = {"invoice": 0, "customs": 0, "tax": 0}

    with ExitStack() as stack:
        w = _open(stack, folder)
        _directory(w, firms, size, rng)
        exported: dict[tuple[str, int, str], float] = defaultdict(float)
        raw_stock = {e.uscc: 50.0 for e in firms}
        opening = f"{size.year_range[0] - 1}-12"
        for e in producers:  # the raw stock the first year opens with (R04 reads it from the report before)
            w.row("monthly_reports", [e.uscc, opening] + [""] * 7 + ["50.000", "", ""])
        for year in size.year_range:
            annual: dict[str, float] = {}
            growth = 1 + 0.04 * (year - size.year_range[0])
            for e in producers:
                annual[e.uscc] = e.base_t * 12 * growth
                quota = annual[e.uscc] * rng.uniform(1.02, 1.25) if rng.random() > 0.03 else annual[e.uscc] * 0.9
                if e.category == "冶炼分离":
                    w.row("quotas", [year, 1, e.uscc, "冶炼分离", t3(quota * 0.5)])
                    w.row("quotas", [year, 2, e.uscc, "冶炼分离", t3(quota - round(quota * 0.5, 3))])
            for m in range(12):
                period = f"{year}-{m + 1:02d}"
                month_start = dt.date(year, m + 1, 1)
                days = (dt.date(year + (m == 11), m + 2 if m < 11 else 1, 1) - month_start).days
                bought: dict[str, float] = defaultdict(float)
                sold: dict[str, float] = defaultdict(float)

                # The month is bound as defaults: a closure would otherwise see the loop's later values.
                def invoice(seller: Enterprise, buyer: str, reo: float, category: str, name: str,
                            status: str = "正常", year: int = year, month_start: dt.date = month_start,
                            days: int = days) -> None:
                    counter["invoice"] += 1
                    issued = month_start + dt.timedelta(days=rng.randrange(days))
                    w.row("invoices", [f"{year}{counter['invoice']:011d}", issued.isoformat(), seller.uscc, buyer,
                                       category, name, t3(reo), "吨", t3(reo), f"{reo * 320000:.2f}", status])

                for e in producers:
                    produced = e.base_t * growth * SEASON[m] * rng.uniform(0.9, 1.1) if e.status == "在产" else 0.0
                    stock = raw_stock[e.uscc]
                    purchase = produced * rng.uniform(0.99, 1.01)
                    raw_stock[e.uscc] = stock + purchase - produced
                    n = max(1, round(inv_producer * rng.uniform(0.6, 1.4))) if produced else 0
                    for part in _split(produced, n, rng) if n else []:
                        buyer = rng.choice(traders) if traders and rng.random() < 0.6 else rng.choice(users or firms)
                        invoice(e, buyer.uscc, part, "OXIDE", "氧化镨钕")
                        bought[buyer.uscc] += part
                        sold[e.uscc] += part
                    if n and rng.random() < 0.05:
                        invoice(e, rng.choice(outsiders), round(rng.uniform(0.5, 3), 3), "OXIDE", "氧化镨钕", "作废")
                    ore = purchase if e.category == "冶炼分离" else 0.0
                    scrap = purchase if e.category == "资源综合利用" else 0.0
                    _monthly(w, e, period, year, m, ore, scrap, produced, sold[e.uscc], raw_stock[e.uscc], rng)
                    if ore:
                        counter["tax"] += 1
                        w.row("resource_tax", [f"SZ{year}{counter['tax']:08d}", e.uscc,
                                               (month_start + dt.timedelta(days=min(days - 1, 20))).isoformat(),
                                               t3(ore), f"{ore * 1200:.2f}"])
                for e in traders:
                    volume = bought[e.uscc] * rng.uniform(0.9, 0.98)
                    n = max(1, round(inv_trader * rng.uniform(0.6, 1.4))) if volume > 0.01 else 0
                    for part in _split(volume, n, rng) if n else []:
                        buyer = rng.choice(outsiders) if rng.random() < 0.7 else rng.choice(users or firms).uscc
                        invoice(e, buyer, part, "OXIDE", "氧化镨钕")
                        sold[e.uscc] += part
                    _monthly(w, e, period, year, m, 0.0, 0.0, 0.0, sold[e.uscc], 0.0, rng)
                for e in users:
                    volume = e.base_t * growth * SEASON[m] * rng.uniform(0.8, 1.2) if e.status == "在产" else 0.0
                    n = max(1, round(inv_user * rng.uniform(0.6, 1.4))) if volume else 0
                    for part in _split(volume, n, rng) if n else []:
                        invoice(e, rng.choice(outsiders), part, "METAL", "钕铁硼合金")
                        sold[e.uscc] += part
                    _monthly(w, e, period, year, m, 0.0, 0.0, 0.0, sold[e.uscc], 0.0, rng, compound=volume)
                n_customs = round(customs_per_month * rng.uniform(0.8, 1.2))
                for _ in range(n_customs):
                    counter["customs"] += 1
                    firm = rng.choice(exporters)
                    declared = month_start + dt.timedelta(days=rng.randrange(days))
                    if firm.category == "冶炼分离" and rng.random() < 0.15:
                        hs, name = rng.choice(IMPORT_HS)
                        w.row("customs", [f"2226{year}{counter['customs']:010d}", declared.isoformat(), firm.uscc,
                                          "进口", hs, name, t3(rng.uniform(1, 20)), "", rng.choice(COUNTRIES), "",
                                          ""])
                        continue
                    hs, name = rng.choice(EXPORT_HS)
                    qty = round(rng.uniform(0.2, 8), 3)
                    exported[(firm.uscc, year, hs)] += qty
                    licence = f"{year}-CK-{firm.uscc[-8:-1]}-{hs}"
                    inspection = "" if rng.random() < 0.002 else f"FJ{year}{counter['customs']:09d}"
                    w.row("customs", [f"2226{year}{counter['customs']:010d}", declared.isoformat(), firm.uscc, "出口",
                                      hs, name, t3(qty), t3(qty * 0.99), rng.choice(COUNTRIES), licence, inspection])
            _year_end(w, firms, size, year, rng)
        for (firm_uscc, year, hs), total in sorted(exported.items()):
            factor = 1.15 if rng.random() > 0.01 else 0.9  # now and then a licence used beyond its quantity
            w.row("licenses", [f"{year}-CK-{firm_uscc[-8:-1]}-{hs}", firm_uscc, "出口", hs, t3(total * factor),
                               f"{year}-01-01", f"{year}-12-31"])
        _scoring(w, size, rng)
    return dict(w.counts)


def _monthly(w: Writers, e: Enterprise, period: str, year: int, m: int, ore: float, scrap: float, produced: float,
             sales: float, raw_stock: float, rng: random.Random, compound: float = 0.0) -> None:
    """The month's report (submitted early in the next month) and the traceability system's figures."""
    due = dt.date(year + (m == 11), 1 if m == 11 else m + 2, 1) + dt.timedelta(days=rng.randint(2, 8))
    w.row("monthly_reports", [e.uscc, period, t3(ore), "0.000", t3(compound), t3(scrap), t3(produced), t3(sales),
                              t3(produced * 0.1), t3(max(raw_stock, 0.0)), "0.000", due.isoformat()])
    w.row("traceability", [e.uscc, period, t3(produced * rng.uniform(0.995, 1.005)), t3(sales)])


def _year_end(w: Writers, firms: list[Enterprise], size: Size, year: int, rng: random.Random) -> None:
    """A year's self-checks, township reports, environment records, tip-offs and penalties."""
    for e in firms:
        if e.category in ("冶炼分离", "资源综合利用", "贸易流通"):
            found = rng.randint(0, 3)
            w.row("self_checks", [e.uscc, year, dt.date(year, 7, rng.randint(5, 30)).isoformat(), found,
                                  found - (rng.random() < 0.1 and found > 0), "按自查要点逐项排查"])
        if rng.random() < 0.3:
            found = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            resolved = found + dt.timedelta(days=rng.randint(5, 90))
            w.row("environment", [f"HB{year}-{e.uscc[-8:-1]}-{rng.randint(0, 9999):04d}", e.uscc, found.isoformat(),
                                  rng.choice(("超标排放", "治污设施运行不正常", "其他")), "日常巡查发现",
                                  resolved.isoformat() if resolved.year <= size.last_year else ""])
    for i in range(size.townships):
        checked = rng.randint(3, 8)
        w.row("township_reports", [township_name(i), year, dt.date(year, 8, rng.randint(1, 12)).isoformat(),
                                   checked, checked, rng.randint(0, 5), 0, 0])
    for n in range(max(3, len(firms) // 80)):
        received = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        e = rng.choice(firms)
        feedback = received + dt.timedelta(days=rng.randint(5, 28))
        w.row("tipoffs", [f"JB{year}{n + 1:05d}", received.isoformat(), "12345热线", township_name(e.township),
                          e.uscc, e.name, "反映夜间异常运输", "工信局", "已办结", feedback.isoformat(),
                          feedback.isoformat()])
    for n in range(max(1, len(firms) // 100)):
        e = rng.choice(firms)
        w.row("penalties", [f"罚{year}-{n + 1:04d}", e.uscc, dt.date(year, rng.randint(1, 12), 15).isoformat(),
                            "工信局", "超计划生产", "罚款", f"{rng.randint(1, 50) * 10000:.2f}", ""])


def _scoring(w: Writers, size: Size, rng: random.Random) -> None:
    items = (("组织领导", "成立领导小组", 10), ("自查自纠", "企业自查全覆盖", 20), ("督查检查", "问题整改到位", 30),
             ("长效机制", "建立长效监管机制", 20), ("信息报送", "按时报送汇总表", 20))
    for year in size.year_range:
        for n, (section, item, points) in enumerate(items, start=1):
            w.row("scoring_items", [year, f"{n:02d}", section, item, points])
        for i in range(size.townships):
            for n, (_, _, points) in enumerate(items, start=1):
                w.row("inspection_scores", [township_name(i), year, f"{n:02d}", points - rng.randint(0, 3),
                                            dt.date(year, 8, 20).isoformat(), "市督查组", ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply row counts (default 1.0)")
    defaults = Size()
    for name in ("enterprises", "townships", "years", "last_year", "invoices", "customs"):
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(defaults, name))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    size = Size(args.enterprises, args.townships, args.years, args.last_year, args.invoices, args.customs)
    if args.scale != 1.0:
        size = size.scaled(args.scale)
    started = time.perf_counter()
    counts = generate(args.out, size, args.seed)
    print(f"{sum(counts.values()):,} rows in {time.perf_counter() - started:.1f} s under {args.out}: "
          + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
