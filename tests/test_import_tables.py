"""Every table of the data-exchange spec: a valid row in English and Chinese headers, and every kind of
invalid value the spec implies, each rejected with its table, row, column and reason, nothing written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from import_kit import (
    OUTSIDER,
    SAMPLES,
    assert_problem,
    code,
    csv_package,
    grid,
    header_of,
    prerequisites,
    read_rows,
    run,
    sample,
    snapshot,
)
from sqlalchemy import Engine

from supervision.core.config import Settings
from supervision.core.spec import TABLES, TABLES_BY_KEY, Kind

TABLE_KEYS = [t.key for t in TABLES]
TOWNSHIPS = ["城厢镇", "沙溪镇", "浏河镇", "浮桥镇", "璜泾镇", "双凤镇", "娄东街道", "陆渡街道"]


def variant(table: str, n: int, **changes: str) -> dict[str, str]:
    """The sample row with another natural key (n = 0 is the sample itself)."""
    row = sample(table)
    if n:
        first = TABLES_BY_KEY[table].key_columns[0].key
        if table == "enterprises":
            row["uscc"] = code(100 + n)
        elif table in ("quotas", "self_checks", "township_reports"):
            row["year"] = str(2019 - n)
        elif table in ("monthly_reports", "traceability"):
            row["period"] = f"2019-{n:02d}"
        elif table == "scoring_items":
            row["item_code"] = f"A{n + 1}"
        elif table == "inspection_scores":
            row["township"] = TOWNSHIPS[n]
        else:
            row[first] = f"{row[first]}-{n}"
    return {**row, **changes}


def seed(engine: Engine, settings: Settings, folder: Path, table: str) -> None:
    """The database before a rejected import: the table's prerequisites and its sample row."""
    report = run(engine, settings, csv_package(folder, {**prerequisites(table), table: [SAMPLES[table]]}))
    assert report.written, report.summary()


@pytest.mark.parametrize("chinese", [False, True], ids=["english", "chinese"])
@pytest.mark.parametrize("table", TABLE_KEYS)
def test_valid_row_is_written_and_reads_back(db: Engine, settings: Settings, tmp_path: Path, table: str,
                                             chinese: bool) -> None:
    package = csv_package(tmp_path / "pkg", {**prerequisites(table), table: [SAMPLES[table]]}, chinese=chinese)

    report = run(db, settings, package)

    assert report.ok and report.written, report.summary()
    assert report.tables[table].added == 1
    assert report.warnings == []
    assert read_rows(db, table) == [SAMPLES[table]]
    assert snapshot(db)["data_version"] == 1


@dataclass(frozen=True)
class Bad:
    """One invalid cell (or combination) in row 3 of the table's file; row 2 is valid."""

    table: str
    column: str  # the column the report must name (English key)
    changes: dict[str, str]
    reason: str
    value: str | None = None  # the value the report must quote, when it differs from the cell
    name: str = field(default="", compare=False)

    @property
    def id(self) -> str:
        return f"{self.table}-{self.column}-{self.name}"


def _kind_cases(table: str) -> list[Bad]:
    spec = TABLES_BY_KEY[table]
    cases: list[Bad] = []

    def add(column: str, value: str, reason: str, name: str, **more: str) -> None:
        cases.append(Bad(table, column, {column: value, **more}, reason, name=name))

    for col in spec.columns:
        k = col.key
        if col.required:
            add(k, "", "必填项为空", "empty")
        if col.kind is Kind.USCC:
            valid = SAMPLES[table][k]
            wrong = "0" if valid[-1] != "0" else "1"
            add(k, valid[:-1] + wrong, "校验位错误", "check-char")
            add(k, valid[:-2], "应为18位", "length")
            add(k, valid[:-2] + "O" + valid[-1], "非法字符", "letter-O")
        if k in spec.enterprise_refs:
            add(k, code(777), "企业名录中没有", "unknown-enterprise")
        if col.kind is Kind.ENUM:
            add(k, "其他取值", "不是允许的取值", "bad-enum")
        if col.kind in (Kind.TONNES, Kind.YUAN, Kind.SCORE):
            add(k, "-1", "不能为负数", "negative")
        if col.kind in (Kind.TONNES, Kind.TONNES_SIGNED):
            add(k, "1.2345", "小数位数过多（最多3位）", "fourth-decimal")
        if col.kind in (Kind.YUAN, Kind.YUAN_SIGNED, Kind.SCORE):
            add(k, "1.234", "小数位数过多（最多2位）", "third-decimal")
        if col.kind in (Kind.TONNES, Kind.TONNES_SIGNED, Kind.YUAN, Kind.YUAN_SIGNED, Kind.SCORE, Kind.COORD):
            add(k, "NaN", "NaN或无穷大", "nan")
            add(k, "inf", "NaN或无穷大", "inf")
            add(k, "-Infinity", "NaN或无穷大", "minus-infinity")
            add(k, "12吨", "不是有效的数字", "unit-suffix")
            add(k, "1e15", "数值过大" if col.kind is not Kind.COORD else "坐标超出范围", "huge")
        if col.kind is Kind.INT:
            add(k, "1.5", "应为整数", "fraction")
            add(k, "3000000000", "不能大于", "int-overflow")
            if col.min_value == 0:
                add(k, "-1", "不能为负数", "negative")
        if col.kind is Kind.YEAR:
            add(k, "19", "年度应为", "two-digit")
            add(k, "二〇一九", "应为整数", "chinese-numerals")
        if col.kind is Kind.DATE:
            add(k, "2019-02-29", "日期不存在", "not-leap")
            add(k, "2019年13月1日", "日期不存在", "month-13")
            add(k, "2019.03.01", "日期格式应为", "dots")
            add(k, "03/01/2019", "日期格式应为", "us-style")
        if col.kind is Kind.PERIOD:
            add(k, "2019-13", "月份不存在", "month-13")
            add(k, "2019-00", "月份不存在", "month-0")
            add(k, "2019-07-15", "月份格式应为YYYY-MM", "a-date")
        if col.kind is Kind.BOOL:
            add(k, "也许", "应为 是/否", "bad-bool")
        if col.kind is Kind.TOWNSHIP:
            add(k, "火星镇", "未知镇区", "unknown-township")
        if col.kind is Kind.HS_CODE:
            add(k, "2805", "8位或10位", "short")
            add(k, "2805301O", "8位或10位", "letter")
        if col.kind is Kind.TEXT and (col.natural_key or k.endswith("_no")):
            add(k, "X" * 41, "文本过长", "too-long")
    return cases


def _cross_field_cases() -> list[Bad]:
    return [
        Bad("enterprises", "lon", {"lon": "121.5", "lat": "31.5"}, "不在太仓市范围内", name="east-of-bounds"),
        Bad("enterprises", "lon", {"lon": "31.45814", "lat": "121.10776"}, "填反", name="swapped"),
        Bad("enterprises", "lon", {"lon": "200", "lat": "31.5"}, "坐标超出范围", name="over-180"),
        Bad("enterprises", "lat", {"lat": ""}, "经度和纬度须同时填写", name="lat-missing"),
        Bad("enterprises", "lon", {"lon": "", "lat": "31.5"}, "经度和纬度须同时填写", name="lon-missing"),
        Bad("enterprises", "lon", {"lon": "121.2", "lat": "90", "coord_system": "GCJ02"}, "不在太仓市范围内",
            name="pole-gcj02"),
        Bad("invoices", "reo_t", {"reo_t": "-1.5"}, "只有红冲发票", name="negative-not-credit"),
        Bad("invoices", "amount_yuan", {"amount_yuan": "-10", "status": "作废"}, "只有红冲发票", name="negative-void"),
        Bad("invoices", "quantity", {"quantity": "1500", "reo_t": "-1.5", "amount_yuan": "-450000", "status": "红冲"},
            "红冲发票的数量、金额应为负数", name="credit-positive"),
        Bad("licenses", "valid_to", {"valid_from": "2019-12-31", "valid_to": "2019-01-01"}, "有效期止早于有效期起",
            name="reversed-validity"),
        Bad("environment", "resolved_on", {"resolved_on": "2019-04-30"}, "整改完成日期早于发现日期",
            name="resolved-before"),
        Bad("self_checks", "problems_rectified", {"problems_found": "1", "problems_rectified": "2"},
            "已整改数不能大于发现问题数", name="more-rectified"),
        Bad("township_reports", "enterprises_checked", {"enterprises_total": "4", "enterprises_checked": "5"},
            "已排查企业数不能大于企业总数", name="more-checked"),
        Bad("township_reports", "problems_rectified", {"problems_found": "1", "problems_rectified": "2"},
            "已整改数不能大于发现问题数", name="more-rectified"),
        Bad("scoring_items", "max_score", {"max_score": "0"}, "分值必须大于0", name="zero"),
        Bad("inspection_scores", "score", {"score": "5.5"}, "得分超过该条目分值5", name="over-max"),
        Bad("inspection_scores", "item_code", {"item_code": "Z9"}, "督查评价表中没有此条目编号", name="unknown-item"),
        Bad("inspection_scores", "item_code", {"year": "2018"}, "2018年的督查评价表中没有", value="A1",
            name="other-year"),
        Bad("tipoffs", "feedback_on", {"feedback_on": "2019-02-28"}, "日期早于受理日期", name="feedback-before"),
        Bad("tipoffs", "resolved_on", {"resolved_on": "2019-02-28"}, "日期早于受理日期", name="resolved-before"),
        Bad("quotas", "batch", {"batch": "4"}, "不能大于3", name="batch-4"),
        Bad("quotas", "batch", {"batch": "0"}, "不能小于1", name="batch-0"),
        Bad("customs", "hs_code", {"hs_code": "28 05 30 10"}, "8位或10位", name="spaces"),
        # Limits of the database columns, which the checks must enforce before any write.
        Bad("scoring_items", "item_code", {"item_code": "X" * 21}, "文本过长", name="over-column-width"),
        Bad("scoring_items", "max_score", {"max_score": "1000000"}, "数值过大", name="over-column-precision"),
        Bad("inspection_scores", "score", {"score": "1000000"}, "数值过大", name="over-column-precision"),
    ]


BAD_CASES = [case for table in TABLE_KEYS for case in _kind_cases(table)] + _cross_field_cases()


@pytest.mark.parametrize("case", BAD_CASES, ids=[c.id for c in BAD_CASES])
def test_invalid_value_rejects_package_and_names_the_cell(db: Engine, settings: Settings, tmp_path: Path,
                                                          case: Bad) -> None:
    # Chinese headers for every other case, so both spellings of a header are reported as written.
    chinese = BAD_CASES.index(case) % 2 == 0
    seed(db, settings, tmp_path / "seed", case.table)
    before = snapshot(db)
    rows = [variant(case.table, 1), variant(case.table, 2, **case.changes)]
    package = csv_package(tmp_path / "pkg", {case.table: grid(case.table, rows, chinese=chinese)}, chinese=chinese)

    report = run(db, settings, package)

    value = case.value if case.value is not None else case.changes[case.column] or None
    assert_problem(report, table=case.table, row=3, column=header_of(case.table, case.column, chinese),
                   reason=case.reason, value=value)
    assert {p.row for p in report.problems} == {3}, report.summary()
    assert snapshot(db) == before


@pytest.mark.parametrize("table", TABLE_KEYS)
def test_duplicate_key_in_package(db: Engine, settings: Settings, tmp_path: Path, table: str) -> None:
    seed(db, settings, tmp_path / "seed", table)
    before = snapshot(db)
    rows = [variant(table, 1), variant(table, 2), variant(table, 1)]
    report = run(db, settings, csv_package(tmp_path / "pkg", {table: rows}))

    key = TABLES_BY_KEY[table].key_columns[0].key
    assert_problem(report, table=table, row=4, column=key, reason="主键重复：与第2行相同")
    assert len(report.problems) == 1
    assert snapshot(db) == before


@pytest.mark.parametrize("run_cap", [None, 6000], ids=["merged-runs", "capped-runs"])
def test_duplicate_keys_far_apart_within_a_chunk_and_after_an_error(db: Engine, settings: Settings, tmp_path: Path,
                                                                     run_cap: int | None,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The file's keys are kept as hashes in sorted runs, not as a dict of keys (issue 21): a key repeated more than
    a chunk later, one repeated inside a chunk, and one repeated after an earlier error (when nothing is written
    any more) are all reported with the row that had the key first; nothing is written."""
    from supervision.ingest import importer
    from supervision.ingest.importer import CHUNK

    if run_cap is not None:  # each chunk's keys stay a run of their own: every run is searched
        monkeypatch.setattr(importer._SeenKeys, "RUN_CAP", run_cap)
    seed(db, settings, tmp_path / "seed", "invoices")
    before = snapshot(db)
    count = 2 * CHUNK + 100
    rows = [variant("invoices", n) for n in range(1, count + 1)]
    rows[10] = variant("invoices", 5)  # row 12 repeats row 6, in the same chunk
    rows[CHUNK + 500] = variant("invoices", 3)  # repeats row 4, a chunk later
    rows[CHUNK + 600] = variant("invoices", 50, amount_yuan="不是数字")  # an error: writing stops here
    rows[2 * CHUNK + 50] = variant("invoices", 7)  # repeats row 8 after the error
    report = run(db, settings, csv_package(tmp_path / "pkg", {"invoices": rows}))

    key = TABLES_BY_KEY["invoices"].key_columns[0].key
    assert_problem(report, table="invoices", row=12, column=key, reason="主键重复：与第6行相同")
    assert_problem(report, table="invoices", row=CHUNK + 502, column=key, reason="主键重复：与第4行相同")
    assert_problem(report, table="invoices", row=2 * CHUNK + 52, column=key, reason="主键重复：与第8行相同")
    assert sorted(p.row or 0 for p in report.problems) == [12, CHUNK + 502, CHUNK + 602, 2 * CHUNK + 52]
    assert snapshot(db) == before


def test_duplicates_are_still_found_when_every_key_hashes_alike(db: Engine, settings: Settings, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The first hash of every key the same (what happens to two keys about once in 10^12 imports): the keys wait
    in the small dict instead, and the repeats are still found with their first rows; the rest is imported."""
    import numpy as np

    from supervision.ingest import importer

    real = importer.hash_array

    def colliding(values: object, hash_key: str) -> object:
        hashed = real(values, hash_key=hash_key)
        return hashed if hash_key == importer._SeenKeys.KEYS[1] else np.full_like(hashed, 7)

    monkeypatch.setattr(importer, "hash_array", colliding)
    seed(db, settings, tmp_path / "seed", "invoices")
    rows = [variant("invoices", n) for n in range(1, 7001)]
    rows[6000] = variant("invoices", 2)  # row 6002 repeats row 3, a chunk later
    report = run(db, settings, csv_package(tmp_path / "pkg", {"invoices": rows}))
    key = TABLES_BY_KEY["invoices"].key_columns[0].key
    assert_problem(report, table="invoices", row=6002, column=key, reason="主键重复：与第3行相同")
    assert len(report.problems) == 1
    rows[6000] = variant("invoices", 7001)
    report = run(db, settings, csv_package(tmp_path / "pkg2", {"invoices": rows}))
    assert report.written and report.tables["invoices"].added == 7000


def test_import_memory_does_not_grow_with_the_files_keys(db: Engine, settings: Settings, tmp_path: Path) -> None:
    """Peak Python memory of checking 4× the rows stays flat (it grew with every key of the file); measured here
    at 10,000 and 40,000 rows: 15.4 and 16.2 MB on SQLite."""
    import tracemalloc

    seed(db, settings, tmp_path / "seed", "invoices")

    def peak(n: int, folder: str) -> int:
        package = csv_package(tmp_path / folder, {"invoices": [variant("invoices", i) for i in range(1, n + 1)]})
        tracemalloc.start()
        try:
            report = run(db, settings, package, dry_run=True)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            assert report.ok, report.summary()

    peak(2000, "first")  # the first import's one-time allocations (modules, caches) are not the file's
    small, large = peak(10_000, "small"), peak(40_000, "large")
    assert large < 1.25 * small, (small, large)


@pytest.mark.parametrize("chinese", [False, True], ids=["english", "chinese"])
@pytest.mark.parametrize("table", TABLE_KEYS)
def test_unknown_column_is_an_error(db: Engine, settings: Settings, tmp_path: Path, table: str,
                                    chinese: bool) -> None:
    seed(db, settings, tmp_path / "seed", table)
    before = snapshot(db)
    rows = grid(table, [variant(table, 1)], chinese=chinese)
    rows[0].append("备注")
    rows[1].append("typo must not drop data")
    report = run(db, settings, csv_package(tmp_path / "pkg", {table: rows}, chinese=chinese))

    assert_problem(report, table=table, row=1, column="备注", reason="未知列“备注”")
    assert snapshot(db) == before


@pytest.mark.parametrize("table", TABLE_KEYS)
def test_missing_required_column_is_an_error(db: Engine, settings: Settings, tmp_path: Path, table: str) -> None:
    seed(db, settings, tmp_path / "seed", table)
    before = snapshot(db)
    spec = TABLES_BY_KEY[table]
    dropped = next(c for c in spec.columns if c.required and not c.natural_key) \
        if any(c.required and not c.natural_key for c in spec.columns) else spec.key_columns[-1]
    columns = [c.key for c in spec.columns if c.key != dropped.key]
    report = run(db, settings, csv_package(tmp_path / "pkg", {table: grid(table, [variant(table, 1)],
                                                                          chinese=True, columns=columns)},
                                           chinese=True))

    assert_problem(report, table=table, row=1, column=dropped.header, reason=f"缺少必需的列“{dropped.header}”")
    assert snapshot(db) == before


@pytest.mark.parametrize("table", TABLE_KEYS)
def test_empty_file_is_an_error(db: Engine, settings: Settings, tmp_path: Path, table: str) -> None:
    seed(db, settings, tmp_path / "seed", table)
    before = snapshot(db)
    package = csv_package(tmp_path / "pkg", {"enterprises": [variant("enterprises", 1)]} if table != "enterprises"
                          else {}, extra_files={f"{table}.csv": b""})

    report = run(db, settings, package)

    assert_problem(report, table=table, row=None, column=None, reason="文件为空")
    assert report.problems[0].file == f"{table}.csv"
    assert snapshot(db) == before


@pytest.mark.parametrize("table", TABLE_KEYS)
def test_header_only_file_is_accepted_with_no_rows(db: Engine, settings: Settings, tmp_path: Path,
                                                   table: str) -> None:
    # A department with nothing new sends its template with the header only. The spec rejects an
    # *empty* file; a header-only one is a readable table with no rows, so it is accepted (0 rows)
    # as long as the package as a whole has data.
    header_only = {table: grid(table, [], columns=[c.key for c in TABLES_BY_KEY[table].columns])}
    if table == "enterprises":
        seed(db, settings, tmp_path / "seed", "enterprises")
        other = {"quotas": [SAMPLES["quotas"]]}
    else:
        other = {"enterprises": [variant("enterprises", 1)]}

    report = run(db, settings, csv_package(tmp_path / "pkg", {**other, **header_only}))

    assert report.ok and report.written, report.summary()
    assert (report.tables[table].rows, report.tables[table].added) == (0, 0)
    assert read_rows(db, table) == ([SAMPLES["enterprises"]] if table == "enterprises" else [])


def test_header_only_package_is_rejected(db: Engine, settings: Settings, tmp_path: Path) -> None:
    before = snapshot(db)
    package = csv_package(tmp_path / "pkg", {t: grid(t, [], columns=[c.key for c in TABLES_BY_KEY[t].columns])
                                             for t in ("enterprises", "invoices")})

    report = run(db, settings, package)

    assert_problem(report, table=None, row=None, column=None, reason="没有任何数据行")
    assert snapshot(db) == before


def test_invoice_parties_may_be_outside_the_directory_but_are_checked(db: Engine, settings: Settings,
                                                                     tmp_path: Path) -> None:
    rows = [sample("invoices", seller_uscc=OUTSIDER, buyer_uscc=code(4242, "91440300MA"))]
    report = run(db, settings, csv_package(tmp_path / "pkg", {"invoices": rows}))

    assert report.written, report.summary()
    assert read_rows(db, "invoices")[0]["seller_uscc"] == OUTSIDER


def test_credit_note_counts_with_negative_sign(db: Engine, settings: Settings, tmp_path: Path) -> None:
    rows = [sample("invoices", quantity="-1500", reo_t="-1.5", amount_yuan="-450000.25", status="红冲")]
    report = run(db, settings, csv_package(tmp_path / "pkg", {"invoices": rows}))

    assert report.written, report.summary()
    row = read_rows(db, "invoices")[0]
    assert (row["quantity"], row["reo_t"], row["amount_yuan"]) == ("-1500", "-1.5", "-450000.25")


def test_cited_enterprise_with_its_own_error_is_reported_once(db: Engine, settings: Settings, tmp_path: Path) -> None:
    bad = sample("enterprises", category="稀土")
    package = csv_package(tmp_path / "pkg", {"enterprises": [bad], "quotas": [SAMPLES["quotas"]]})

    report = run(db, settings, package)

    assert [(p.table, p.row, p.column) for p in report.problems] == [("enterprises", 2, "category")]


def test_inspection_score_may_cite_item_in_database(db: Engine, settings: Settings, tmp_path: Path) -> None:
    seed(db, settings, tmp_path / "seed", "scoring_items")
    report = run(db, settings, csv_package(tmp_path / "pkg", {"inspection_scores": [SAMPLES["inspection_scores"]]}))

    assert report.written, report.summary()
