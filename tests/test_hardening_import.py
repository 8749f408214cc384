"""Issue 20: what an import refuses and records (10 refusals, 11 macro workbooks, 8 import audit, 3 zip limits)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from auth_support import OTHER, PRINCIPALS, SEEDED_TOWNS, THIRD, E, seed
from sqlalchemy import Engine

from supervision.core.config import Settings
from supervision.ingest.importer import import_package
from supervision.ingest.package import Upload

TOWN = PRINCIPALS["浮桥镇人员"]


@pytest.fixture
def world(db: Engine, settings: Settings, tmp_path: Path) -> dict[str, Any]:
    return seed(db, settings, tmp_path / "seed")


def test_write_refusal_does_not_name_the_owning_township(world: dict[str, Any], db: Engine,
                                                          settings: Settings) -> None:
    """A township officer learns only that a row is outside their scope, never whose it is (10)."""
    package = Upload("self_checks.csv", f"uscc,year\n{E[0]},2020\n{E[2]},2020\n{E[4]},2020\n".encode())
    report = import_package(package, db, settings, principal=TOWN, dry_run=True)
    refusals = [p.reason for p in report.problems]
    assert len(refusals) == 2 and all("不属于本镇区" in r for r in refusals)
    moved = Upload("enterprises.csv", (f"uscc,name,category,township,status\n"
                                       f"{E[3]},改名有限公司,冶炼分离,浮桥镇,在产\n").encode())
    refusals += [p.reason for p in import_package(moved, db, settings, principal=TOWN, dry_run=True).problems]
    assert len(refusals) == 3
    for reason in refusals:
        assert not any(town in reason for town in SEEDED_TOWNS - {"浮桥镇"}), reason
    assert OTHER not in str(report.summary()) and THIRD not in str(report.summary())


def _workbook(macro: str | None) -> bytes:
    """A self-check workbook; with `macro`, made macro-enabled the way Excel saves an .xlsm."""
    import io
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "self_checks"
    sheet.append(["uscc", "year"])
    sheet.append([E[0], 2020])
    plain = io.BytesIO()
    book.save(plain)
    if macro is None:
        return plain.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
                if macro == "vba":
                    data = data.replace(b"</Types>", b'<Default Extension="bin" ContentType='
                                        b'"application/vnd.ms-office.vbaProject"/></Types>')
            dst.writestr(info, data)
        if macro == "vba":
            dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"Attribute VB_Name = \"Module1\"")
    return out.getvalue()


@pytest.mark.parametrize("macro", ["vba", "content-type"])
def test_macro_enabled_workbook_renamed_xlsx_is_refused(world: dict[str, Any], db: Engine, settings: Settings,
                                                        macro: str) -> None:
    """An .xlsm saved as .xlsx is refused with a Chinese message, whether it carries the code or only the type (11)."""
    from supervision.ingest import preview as pv

    assert import_package(Upload("自查.xlsx", _workbook(None)), db, settings, principal=TOWN, dry_run=True).ok
    report = import_package(Upload("自查.xlsx", _workbook(macro)), db, settings, principal=TOWN, dry_run=True)
    assert not report.ok and any("含有宏" in p.reason for p in report.problems), report.summary()
    preview = pv.build_preview(_workbook(macro), "自查.xlsx", db, settings, TOWN)
    assert not preview.ok and preview.rejections["原因"].str.contains("含有宏").any()


def test_every_import_is_an_audit_event(world: dict[str, Any], db: Engine, settings: Settings) -> None:
    """An import that only adds rows leaves who, which file (name, SHA-256) and rows per table in the log (8)."""
    import hashlib

    from supervision.access import audit
    from supervision.access.audit import AuditFilter, actor_label, audit_entries
    from supervision.core.principal import SYSTEM

    data = f"uscc,year\n{E[0]},2020\n{E[1]},2020\n".encode()
    report = import_package(Upload("企业自查表.csv", data), db, settings, actor=actor_label(TOWN), principal=TOWN)
    assert report.written and report.added == 2 and report.changed == 0
    frame, _ = audit_entries(db, SYSTEM, AuditFilter(actions=("import",)))
    assert len(frame) == 2  # the seed's import by the command line, and this one
    frame, _ = audit_entries(db, SYSTEM, AuditFilter(actions=("import",), import_id=report.import_id))
    assert len(frame) == 1
    entry = frame.iloc[0]
    assert entry["操作"] == audit.ACTIONS["import"] == "导入"
    assert entry["操作人"] == actor_label(TOWN) and entry["记录"] == "企业自查表.csv"
    assert entry["数据表"] == "导入批次" and entry["导入批次"] == report.import_id
    assert f"SHA-256={hashlib.sha256(data).hexdigest()}" in entry["新值"]
    assert "企业自查表=2行（新增2，更新0，未变0）" in entry["新值"]


def _zip(files: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _limited(settings: Settings, **limits: int) -> Settings:
    import dataclasses

    return dataclasses.replace(settings, **limits)


def test_zip_expansion_is_limited_per_member_and_in_total(world: dict[str, Any], db: Engine,
                                                          settings: Settings) -> None:
    """A small zip of a huge member, or of many large ones, is refused before it is decompressed (3)."""
    import time

    header = b"uscc,year\n"
    bomb = _zip({"self_checks.csv": header + b"\n" * (3 * 2**20)})  # 3 MB of blank lines, a few KB zipped
    assert len(bomb) < 20_000
    small = _limited(settings, max_member_mb=2, max_unpacked_mb=4)
    started = time.perf_counter()
    report = import_package(Upload("bomb.zip", bomb), db, small, principal=TOWN, dry_run=True)
    assert time.perf_counter() - started < 2
    assert [p.reason for p in report.problems] == [
        "压缩包中的文件“self_checks.csv”解压后为3 MB，超过单个文件2 MB的上限，已拒绝"]
    many = _zip({f"{name}.csv": header + b"\n" * (int(1.5 * 2**20)) for name in
                 ("self_checks", "township_reports", "tipoffs")})
    report = import_package(Upload("many.zip", many), db, small, principal=TOWN, dry_run=True)
    assert [p.reason for p in report.problems] == ["压缩包解压后共5 MB，超过4 MB的上限，已拒绝"]


def test_a_member_is_cut_off_while_streaming_past_the_limit() -> None:
    """The member limit holds while reading too, whatever the zip's directory says (3)."""
    import io
    import zipfile

    from supervision.ingest.package import PackageError, _zip_opener, csv_rows

    archive = zipfile.ZipFile(io.BytesIO(_zip({"self_checks.csv": b"uscc,year\n" + b"x,2019\n" * 300_000})))
    opener = _zip_opener(archive, archive.infolist()[0], 2**20)
    with pytest.raises(PackageError, match="超过1 MB的上限"):
        for _ in csv_rows(opener):
            pass


def test_rows_per_table_and_the_error_list_are_capped(world: dict[str, Any], db: Engine, settings: Settings) -> None:
    """Reading stops past the row limit; only the first errors of each column are listed, the rest counted (3)."""
    from supervision.ingest import preview as pv

    bad = "uscc,year,problems_found\n" + "".join(f"{E[0]},20{i % 100:02d}x,-{i + 1}\n" for i in range(5000))
    limited = _limited(settings, max_rows_per_table=1000, max_errors_per_column=10)
    report = import_package(Upload("self_checks.csv", bad.encode()), db, limited, principal=TOWN, dry_run=True)
    assert report.tables["self_checks"].rows == 1001  # stopped at the first row past the limit
    assert any("超过每张表1,000行的上限" in p.reason and p.row == 1002 for p in report.problems)
    by_column: dict[str | None, int] = {}
    for p in report.problems:
        by_column[p.column] = by_column.get(p.column, 0) + 1
    assert by_column == {"year": 10, "problems_found": 10, None: 1}
    assert report.problem_count == 2001 and report.problems_not_listed == 1980
    assert report.unlisted == {("self_checks.csv", "self_checks", "year"): 990,
                               ("self_checks.csv", "self_checks", "problems_found"): 990}
    assert "列“year”另有990处" in report.summary()
    preview = pv.build_preview(bad.encode(), "self_checks.csv", db, limited, TOWN)
    assert len(preview.rejections) == 23 and preview.problem_count == 2001
    assert (preview.rejections["原因"] == "同一列另有990处错误未逐条列出").sum() == 2
