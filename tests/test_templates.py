"""Templates: generated from the spec, read by the importer as they are, and a filled one round-trips exactly."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from auth_support import OWN, seed_tables
from entry_support import rows
from sqlalchemy import Engine

from supervision.core.config import Settings
from supervision.core.spec import TABLES, TABLES_BY_KEY, Kind, TableSpec
from supervision.entry import forms
from supervision.ingest import workbook_templates
from supervision.ingest.importer import import_package
from supervision.ingest.package import Upload, read_package
from supervision.storage.townships import directory

ALL = [t.key for t in TABLES]


def _book(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def _column_format(sheet: Any, index: int) -> str:
    """The number format of a whole column (Excel stores runs of equal columns as one range)."""
    found = [d for d in sheet.column_dimensions.values() if d.min is not None and d.min <= index <= d.max]
    assert len(found) == 1, index
    return str(found[0].number_format)


@pytest.mark.parametrize("table", ALL)
def test_one_table_template_is_headed_and_formatted_from_the_spec(settings: Settings, table: str) -> None:
    spec = TABLES_BY_KEY[table]
    book = _book(workbook_templates.table_template(table, settings))
    assert book.sheetnames == [workbook_templates.INSTRUCTIONS_SHEET, spec.name, workbook_templates.LISTS_SHEET]
    assert book[workbook_templates.LISTS_SHEET].sheet_state == "hidden"
    sheet = book[spec.name]
    assert [c.value for c in sheet[1]] == [c.header for c in spec.columns]  # Chinese headers, spec order
    assert sheet.max_row == 1  # no example row where the importer reads
    validations = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
    lists = book[workbook_templates.LISTS_SHEET]
    for index, col in enumerate(spec.columns, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        dv = validations[f"{letter}2"]
        assert str(dv.sqref) == f"{letter}2:{letter}1048576"
        assert sheet.cell(1, index).comment is not None and col.key in sheet.cell(1, index).comment.text
        choices = workbook_templates.choices_of(col, settings)
        if choices:
            assert dv.type == "list"
            assert (dv.errorStyle or "stop") == ("warning" if col.kind is Kind.TOWNSHIP else "stop")  # stop: default
            ref = dv.formula1.split("!")[1].replace("$", "")
            assert [c.value for row in lists[ref] for c in row] == choices
        elif col.kind is Kind.DATE:
            assert dv.type == "date"
            assert _column_format(sheet, index) == "yyyy-mm-dd"
        elif col.kind in (Kind.TONNES, Kind.TONNES_SIGNED):
            assert dv.type == "custom" and f"ROUND({letter}2,3)" in dv.formula1
            assert _column_format(sheet, index) == "0.000"
        elif col.kind in (Kind.INT, Kind.YEAR):
            assert dv.type == "whole"
        elif col.kind in (Kind.USCC, Kind.PERIOD, Kind.TEXT, Kind.HS_CODE):
            assert _column_format(sheet, index) == "@"  # codes keep their leading zeros


def test_enum_and_township_drop_downs_hold_the_allowed_values(settings: Settings) -> None:
    book = _book(workbook_templates.package_template(ALL, settings))
    lists = book[workbook_templates.LISTS_SHEET]
    columns = {lists.cell(1, c).value: [lists.cell(r, c).value for r in range(2, lists.max_row + 1)
                                        if lists.cell(r, c).value is not None]
               for c in range(1, lists.max_column + 1)}
    assert columns["所属镇区"] == directory(settings).names
    assert columns["企业类别"] == ["冶炼分离", "资源综合利用", "贸易流通", "金属冶炼", "深加工应用"]
    assert columns["办理状态"] == ["已受理", "核查中", "已办结"]
    assert "OXIDE" in columns["产品类别"] and "氧化物" in columns["产品类别"]  # codes and the names the importer takes
    officer = _book(workbook_templates.package_template(["self_checks", "tipoffs"], settings, townships=[OWN]))
    assert officer.sheetnames == ["说明", "企业自查表", "举报线索", "_lists"]
    town_lists = officer[workbook_templates.LISTS_SHEET]
    assert [town_lists.cell(r, 1).value for r in range(2, town_lists.max_row + 1)
            if town_lists.cell(r, 1).value] == [OWN]


def test_the_importer_reads_only_the_data_sheets(settings: Settings, db: Engine) -> None:
    data = workbook_templates.package_template(ALL, settings)
    package = read_package(Upload("模板.xlsx", data))
    assert [t.spec.key for t in package.tables] == ALL and package.problems == []
    report = import_package(Upload("模板.xlsx", data), db, settings)
    # An unfilled template: no data rows anywhere (the examples on 说明 are not read), nothing written.
    assert [p.reason for p in report.problems] == ["数据包中没有任何数据行"] and not report.written


def _examples_on_the_instructions_sheet(book: Any) -> dict[str, dict[str, Any]]:
    """Each table's example row as it stands on 说明, under the marked heading."""
    sheet = book[workbook_templates.INSTRUCTIONS_SHEET]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    found: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(values):
        if isinstance(row[0], str) and row[0].startswith("▼ 示例"):
            name = row[0].split("“")[1].split("”")[0]
            spec = next(t for t in TABLES if t.name == name)
            header, example = values[i + 1], values[i + 2]
            found[spec.key] = {spec.match_header(h).key: value  # type: ignore[union-attr]
                               for h, value in zip(header, example, strict=False) if h}
    return found


def test_marked_examples_form_a_valid_package(settings: Settings, db: Engine) -> None:
    """Copied from 说明 into the data sheets, the examples are accepted by the importer as they are."""
    book = _book(workbook_templates.package_template(ALL, settings))
    examples = _examples_on_the_instructions_sheet(book)
    assert set(examples) == set(ALL)
    for key, example in examples.items():
        spec = TABLES_BY_KEY[key]
        book[spec.name].append([example.get(c.key) for c in spec.columns])
    report = import_package(Upload("示例.xlsx", _save(book)), db, settings)
    assert report.written, report.summary()
    assert report.added == len(ALL) and not report.warnings
    stored = {r["uscc"]: r for r in rows(db, "enterprises")}
    assert stored[workbook_templates.EXAMPLE_USCC]["name"] == "示例稀土新材料有限公司"


def _save(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _typed(spec: TableSpec, record: dict[str, Any]) -> dict[str, Any]:
    """A parsed record as an officer types it into Excel: real dates, numbers, text codes."""
    out: dict[str, Any] = {}
    for col in spec.columns:
        value = record.get(col.key)
        if isinstance(value, dt.date):
            value = dt.datetime.combine(value, dt.time())
        elif isinstance(value, Decimal):
            value = float(value)
        elif isinstance(value, bool):
            value = "是" if value else "否"
        out[col.key] = value
    return out


def _seeded_records(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    towns = directory(settings)
    out: dict[str, list[dict[str, Any]]] = {}
    for key, (header, raw_rows, _) in seed_tables().items():
        spec = TABLES_BY_KEY[key]
        parsed = []
        for raw in raw_rows:
            record, errors = forms.parse_row(spec, dict(zip(header, raw, strict=True)), towns)
            assert not errors
            parsed.append(record)
        out[key] = parsed
    return out


def _stored(engine: Engine, spec: TableSpec) -> list[dict[str, Any]]:
    found = [{c.key: r[c.attribute] for c in spec.columns} for r in rows(engine, spec.key)]
    return sorted(found, key=lambda r: tuple(str(r[c.key]) for c in spec.key_columns))


def _sorted(spec: TableSpec, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(records, key=lambda r: tuple(str(r[c.key]) for c in spec.key_columns))


def test_package_template_round_trip(settings: Settings, db: Engine) -> None:
    """Download the whole package template, fill every sheet in Excel's types, upload: the same rows are stored."""
    expected = _seeded_records(settings)
    book = _book(workbook_templates.package_template(ALL, settings))
    for key, records in expected.items():
        spec = TABLES_BY_KEY[key]
        sheet = book[spec.name]
        headers = [c.value for c in sheet[1]]
        for record in records:
            typed = _typed(spec, record)
            sheet.append([typed[spec.match_header(h).key] for h in headers])  # type: ignore[union-attr]
    report = import_package(Upload("已填写.xlsx", _save(book)), db, settings)
    assert report.written, report.summary()
    for key, records in expected.items():
        spec = TABLES_BY_KEY[key]
        assert _stored(db, spec) == _sorted(spec, records), key


@pytest.mark.parametrize("table", ["enterprises", "monthly_reports", "invoices", "inspection_scores", "tipoffs"])
def test_single_table_template_round_trip(settings: Settings, db: Engine, table: str) -> None:
    expected = _seeded_records(settings)
    prerequisites = {"enterprises"} | ({"scoring_items"} if table == "inspection_scores" else set())
    for key in sorted(prerequisites - {table}, key=ALL.index):
        spec = TABLES_BY_KEY[key]
        book = _book(workbook_templates.table_template(key, settings))
        for record in expected[key]:
            book[spec.name].append([_typed(spec, record)[c.key] for c in spec.columns])
        assert import_package(Upload(f"{key}.xlsx", _save(book)), db, settings).written
    spec = TABLES_BY_KEY[table]
    book = _book(workbook_templates.table_template(table, settings))
    for record in expected[table]:
        book[spec.name].append([_typed(spec, record)[c.key] for c in spec.columns])
    report = import_package(Upload(workbook_templates.template_filename(table), _save(book)), db, settings)
    assert report.written, report.summary()
    assert _stored(db, spec) == _sorted(spec, expected[table])


def test_templates_write_no_formulas(settings: Settings) -> None:
    """Every cell of a template is a value: nothing a spreadsheet would evaluate."""
    book = openpyxl.load_workbook(io.BytesIO(workbook_templates.package_template(ALL, settings)))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)


def test_template_file_names(tmp_path: Path) -> None:
    assert workbook_templates.template_filename(None) == "数据包填报模板.xlsx"
    assert workbook_templates.template_filename("township_reports") == "镇（区）自查情况汇总表_填报模板.xlsx"
