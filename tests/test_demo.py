"""The demo package: imports cleanly, is deterministic, and plants exactly the documented problems."""

from __future__ import annotations

import codecs
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select

from supervision.core.config import Settings
from supervision.core.errors import UsageError
from supervision.core.principal import DEMO_ACTOR
from supervision.core.spec import TABLES
from supervision.demo import scenario
from supervision.demo.build import (
    FILE_STYLES,
    DemoBuildError,
    build_demo_database,
    business_row_counts,
    write_demo_package,
)
from supervision.demo.scenario import NEAR_MISSES, PLANTED
from supervision.demo.tables import demo_tables
from supervision.ingest.importer import import_package
from supervision.read.queries import holds_demo_data
from supervision.storage.models import Enterprise, Invoice, MonthlyReport, Quota, ScoringItem
from supervision.storage.townships import directory

ZERO = Decimal(0)
S = {key: firm.uscc for key, firm in scenario.F.items()}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Path:
    return write_demo_package(tmp_path_factory.mktemp("demo") / "演示数据包", settings)


def _imported(db: Engine, settings: Settings, package: Path) -> None:
    report = import_package(package, db, settings, actor=DEMO_ACTOR)
    assert report.ok, report.summary()


# -- the package ----------------------------------------------------------------------------------


def test_package_is_byte_identical_on_every_run(package: Path, tmp_path: Path, settings: Settings) -> None:
    again = write_demo_package(tmp_path / "again", settings)
    names = sorted(p.name for p in package.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    assert len(names) == len(TABLES) == 15
    for name in names:
        assert (package / name).read_bytes() == (again / name).read_bytes(), name


def test_files_are_written_the_way_departments_write_them(package: Path) -> None:
    def head(key: str) -> bytes:
        return (package / FILE_STYLES[key].name).read_bytes()

    assert head("invoices").startswith(codecs.BOM_UTF8 + "发票号码,开票日期".encode())
    assert head("customs").startswith(codecs.BOM_UTF8 + b"declaration_no,declared_on")
    assert head("traceability").startswith(b"uscc,period,production_t")
    township = head("township_reports")
    with pytest.raises(UnicodeDecodeError):
        township.decode("utf-8")
    text = township.decode("gb18030")
    assert text.startswith("镇区,年度,报送日期") and "2019年8月16日" in text
    assert "2019/" in head("resource_tax").decode("utf-8-sig")


def test_references_between_tables_hold_except_where_planted(settings: Settings) -> None:
    tables = demo_tables(settings)
    licences = {row["license_no"] for row in tables["licenses"]}
    cited = {row["license_no"] for row in tables["customs"] if row["license_no"]}
    assert cited - licences == {"2020-CK-0099"}  # the planted R10 2020
    numbers = [row["inspection_no"] for row in tables["customs"] if row["inspection_no"]]
    assert len(set(numbers)) == len(numbers) and all(len(n) == 18 and n.isdigit() for n in numbers)
    assert all(len(row["declaration_no"]) == 18 for row in tables["customs"])
    invoice_numbers = [row["invoice_no"] for row in tables["invoices"]]
    assert len(set(invoice_numbers)) == len(invoice_numbers)
    credit_notes = [row for row in tables["invoices"] if row["status"] == "红冲"]
    assert credit_notes and all(row["reo_t"] < 0 and row["amount_yuan"] < 0 for row in credit_notes)


def test_planted_table_in_the_docstring_matches_the_data() -> None:
    doc = scenario.__doc__ or ""
    table_rows = [line for line in doc.splitlines() if line.startswith("| R") or line.startswith("| W")]
    assert len(table_rows) == len(PLANTED) + len(NEAR_MISSES)
    for p in (*PLANTED, *NEAR_MISSES):
        assert f"| {p.rule} | {p.year} | {p.subject} | {p.who} | {p.figures} |" in doc
    for rule in [*(f"R{n:02d}" for n in range(1, 20)), "W01"]:
        assert any(p.rule == rule and p.year == 2019 for p in PLANTED), rule


# -- imported into the database (SQLite and PostgreSQL) ------------------------------------------


def test_package_imports_cleanly_with_only_the_planted_warning(db: Engine, settings: Settings,
                                                               package: Path) -> None:
    report = import_package(package, db, settings, actor=DEMO_ACTOR)
    assert report.ok and report.written, report.summary()
    assert len(report.warnings) == 1
    warning = report.warnings[0]
    assert warning.table == "enterprises" and warning.row == 26  # A1, the 25th enterprise
    assert "城厢镇" in warning.reason and "娄东街道" in warning.reason
    counts = business_row_counts(db)
    for key, result in report.tables.items():
        assert counts[key] == result.rows == result.added, key
    assert counts["import_batches"] == 1 and counts["audit_log"] == 1  # the import itself (issue 20, item 8)
    assert holds_demo_data(db)
    assert 2500 <= counts["invoices"] <= 4000
    assert counts["monthly_reports"] == 822


def test_directory_is_fictional_and_covers_every_township(db: Engine, settings: Settings, package: Path) -> None:
    _imported(db, settings, package)
    with db.connect() as conn:
        names = list(conn.execute(select(Enterprise.name)).scalars())
        towns = dict(conn.execute(select(Enterprise.township, func.count()).group_by(Enterprise.township)).all())
        categories = dict(conn.execute(select(Enterprise.category, func.count()).group_by(Enterprise.category)).all())
        statuses = dict(conn.execute(select(Enterprise.status, func.count()).group_by(Enterprise.status)).all())
        groups = set(conn.execute(select(Enterprise.group_name).where(Enterprise.category == "冶炼分离")).scalars())
        maxima = conn.execute(select(ScoringItem.year, func.sum(ScoringItem.max_score))
                              .group_by(ScoringItem.year)).all()
        credit = conn.execute(select(func.count(), func.max(Invoice.reo_t)).where(Invoice.status == "红冲")).one()
        void = conn.execute(select(func.count()).select_from(Invoice).where(Invoice.status == "作废")).scalar_one()
    assert len(names) == 30
    assert all("示例" in n and n.endswith("（演示）") for n in names)
    assert set(towns) == set(directory(settings).names) and min(towns.values()) >= 2
    assert categories == {"冶炼分离": 6, "资源综合利用": 6, "贸易流通": 8, "金属冶炼": 4, "深加工应用": 6}
    assert statuses == {"在产": 28, "停产": 1, "关闭": 1}
    assert len(groups) == 6 and None not in groups
    assert sorted(maxima) == [(2019, Decimal("100.00")), (2020, Decimal("100.00"))]
    assert credit[0] > 0 and credit[1] < 0 and void > 0


def _sum(conn: Any, column: Any, *where: Any) -> Decimal:
    return Decimal(conn.execute(select(func.coalesce(func.sum(column), 0)).where(*where)).scalar_one())


def test_planted_figures_in_the_database(db: Engine, settings: Settings, package: Path) -> None:
    _imported(db, settings, package)

    def production(conn: Any, key: str, year: int) -> Decimal:
        return _sum(conn, MonthlyReport.production_t, MonthlyReport.uscc == S[key],
                    MonthlyReport.period.like(f"{year}-%"))

    def quota(conn: Any, key: str, year: int) -> Decimal:
        return _sum(conn, Quota.quota_t, Quota.uscc == S[key], Quota.year == year, Quota.kind == "冶炼分离")

    with db.connect() as conn:
        assert production(conn, "S2", 2019) == Decimal("1502.386") > quota(conn, "S2", 2019) == Decimal("1430")
        # W01 and not R02: twelve 3-decimal monthly figures that add up exactly to the two batches.
        assert production(conn, "S3", 2019) == quota(conn, "S3", 2019) == Decimal("1200.625")
        assert production(conn, "S1", 2019) / quota(conn, "S1", 2019) == Decimal("0.899")
        assert production(conn, "M2", 2019) == Decimal("12.346") and quota(conn, "M2", 2019) == 0
        m3_sales = _sum(conn, MonthlyReport.sales_t, MonthlyReport.uscc == S["M3"],
                        MonthlyReport.period.like("2019-%"))
        m3_invoiced = _sum(conn, Invoice.reo_t, Invoice.seller_uscc == S["M3"], Invoice.status != "作废",
                           Invoice.issued_on.between(dt.date(2019, 1, 1), dt.date(2019, 12, 31)))
        assert (m3_sales, m3_invoiced) == (Decimal("735.446"), Decimal("583.506"))
        toll = _sum(conn, MonthlyReport.toll_processing_t, MonthlyReport.uscc == S["S5"])
        assert toll == Decimal("27.55")
        c1_2019 = set(conn.execute(select(MonthlyReport.period).where(
            MonthlyReport.uscc == S["C1"], MonthlyReport.period.like("2019-%"))).scalars())
        assert {f"2019-{m:02d}" for m in range(1, 13)} - c1_2019 == {"2019-09", "2019-10"}


# -- the planted table is exactly what spec section 4 finds ---------------------------------------


# The planted table is checked against the real checks in tests/test_checks_demo.py.


def test_if_empty_builds_once_and_then_leaves_the_database_alone(db: Engine, settings: Settings) -> None:
    first = build_demo_database(db, settings, if_empty=True)
    assert "已导入" in first and "虚构" in first
    counts = business_row_counts(db)
    assert counts["enterprises"] == 30 and counts["import_batches"] == 1
    second = build_demo_database(db, settings, if_empty=True)
    assert "未导入" in second
    assert business_row_counts(db) == counts


def test_refuses_to_touch_existing_data_without_replace(db: Engine, settings: Settings) -> None:
    with db.begin() as conn:
        conn.execute(insert(ScoringItem).values(year=2021, item_code="Z1", section="真实数据", item="某条目",
                                                max_score=Decimal(5)))
    before = business_row_counts(db)
    with pytest.raises(UsageError, match="--replace"):
        build_demo_database(db, settings)
    # make run's --if-empty never mixes demo rows into a database that holds anything.
    assert "未导入" in build_demo_database(db, settings, if_empty=True)
    assert business_row_counts(db) == before


def test_replace_rebuilds_from_scratch(db: Engine, settings: Settings, tmp_path: Path) -> None:
    build_demo_database(db, settings)
    fresh = business_row_counts(db)
    with db.begin() as conn:
        conn.execute(insert(ScoringItem).values(year=2021, item_code="Z1", section="旧数据", item="某条目",
                                                max_score=Decimal(5)))
    kept = tmp_path / "kept"
    message = build_demo_database(db, settings, replace=True, keep_package=kept)
    assert "已清空" in message and str(kept) in message
    assert business_row_counts(db) == fresh  # one import batch, no audit entries, no old rows
    assert sorted(p.name for p in kept.iterdir()) == sorted(s.name for s in FILE_STYLES.values())


def test_keep_package_refuses_a_folder_with_other_files(db: Engine, settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "我的数据.csv").write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="我的数据.csv"):
        build_demo_database(db, settings, keep_package=tmp_path)
    assert business_row_counts(db)["enterprises"] == 0


def test_a_rejected_package_is_reported_not_written(db: Engine, settings: Settings,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    broken = {**scenario.QUOTAS, ("S1", 2019): ("900", "-1")}
    monkeypatch.setattr("supervision.demo.tables.QUOTAS", broken)  # where demo_tables looks it up
    with pytest.raises(DemoBuildError, match="不能为负数"):
        build_demo_database(db, settings)
    assert business_row_counts(db)["enterprises"] == 0
