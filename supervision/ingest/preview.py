"""The preview an officer confirms before an upload is written: rows to add, rows to change, rows rejected.

The preview is the importer's own dry run (`import_package(..., dry_run=True)`: every check, the
whole plan, then a rollback), so what it promises is what the import does, unless the data change
in between; `plan_differences` says so when they did. The importer reports replaced rows with
their old and new values but only counts the added ones, so the rows to add are listed here by
reading the package's key columns again and looking their keys up (a capped sample per table;
the counts are the importer's).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select, tuple_

from supervision.access.audit import actor_label
from supervision.core import values as v
from supervision.core.clock import now_local
from supervision.core.config import Settings
from supervision.core.keys import record_key
from supervision.core.principal import Principal
from supervision.core.safety import xlsx_bytes
from supervision.core.spec import TABLES_BY_KEY, Column, TableSpec
from supervision.ingest.fields import parse_value
from supervision.ingest.importer import WAITING, ImportReport, import_package, package_limits
from supervision.ingest.package import RESERVED_SHEETS, PackageError, SourceTable, Upload, read_package
from supervision.storage.models import DATA_MODELS
from supervision.storage.townships import TownshipDirectory, directory

ADDS_PER_TABLE = 200  # rows to add listed per table (all are counted)
# Rows read per table to find them: the importer does not say which rows it adds, so they are found by
# reading the file again; past this many rows (a few seconds of an .xlsx) the list stops, the count stays.
ADD_SCAN_ROWS = 20_000
_CONTENT_CHARS = 200

REJECTION_COLUMNS = ["文件", "数据表", "行号", "列", "值", "原因"]
ADD_COLUMNS = ["数据表", "行号", "主键", "内容"]
CHANGE_COLUMNS = ["数据表", "主键", "列", "原值", "新值"]
TABLE_COLUMNS = ["数据表", "来源", "数据行", "新增", "更新", "未变"]


@dataclass
class Preview:
    """What an upload would do, computed by a dry run; nothing has been written."""

    source: str
    digest: str  # SHA-256 of the uploaded bytes: the confirm must import exactly these
    ok: bool
    problem_count: int
    tables: pd.DataFrame
    adds: pd.DataFrame
    changes: pd.DataFrame
    rejections: pd.DataFrame
    warnings: pd.DataFrame
    plan: dict[str, tuple[int, int]]  # table key → (rows to add, rows to change)
    adds_not_listed: int = 0
    changes_not_listed: int = 0
    checked_at: dt.datetime = field(default_factory=now_local)
    checked_by: str = ""

    @property
    def added(self) -> int:
        return sum(a for a, _ in self.plan.values())

    @property
    def changed(self) -> int:
        return sum(c for _, c in self.plan.values())

    @property
    def rejected_rows(self) -> int:
        """Distinct rows named by a problem (a row with three bad cells is one rejected row)."""
        rows = self.rejections.dropna(subset=["行号"])
        return int(rows[["文件", "行号"]].drop_duplicates().shape[0])

    @property
    def writable(self) -> bool:
        """Whether confirming would write anything."""
        return self.ok and (self.added + self.changed) > 0


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0, 0):
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rejections(report: ImportReport) -> pd.DataFrame:
    rows = [{
        "文件": p.file,
        "数据表": TABLES_BY_KEY[p.table].name if p.table in TABLES_BY_KEY else "",
        "行号": p.row,
        "列": p.column or "",
        "值": p.value or "",
        "原因": p.reason,
    } for p in report.problems]
    # Beyond the first errors of a column, one line per column says how many more there are.
    rows += [{"文件": file, "数据表": TABLES_BY_KEY[table].name if table in TABLES_BY_KEY else "", "行号": None,
              "列": column or "", "值": "", "原因": f"同一列另有{n:,}处错误未逐条列出"}
             for (file, table, column), n in report.unlisted.items()]
    frame = pd.DataFrame(rows, columns=REJECTION_COLUMNS)
    frame["行号"] = frame["行号"].astype("Int64")
    return frame


def _warnings(report: ImportReport) -> pd.DataFrame:
    rows = [{"文件": p.file, "数据表": TABLES_BY_KEY[p.table].name if p.table in TABLES_BY_KEY else "",
             "行号": p.row, "列": p.column or "", "值": p.value or "", "原因": p.reason} for p in report.warnings]
    frame = pd.DataFrame(rows, columns=REJECTION_COLUMNS)
    frame["行号"] = frame["行号"].astype("Int64")
    return frame


def _header_of(spec: TableSpec, attribute: str) -> str:
    return next((c.header for c in spec.columns if c.attribute == attribute), attribute)


def _changes(report: ImportReport) -> tuple[pd.DataFrame, int]:
    rows: list[dict[str, Any]] = []
    not_listed = 0
    for result in report.tables.values():
        spec = TABLES_BY_KEY[result.key]
        not_listed += max(0, result.changed - len(result.changes))
        for change in result.changes:
            for attribute, new in change.new.items():
                old = change.old.get(attribute)
                rows.append({"数据表": spec.name, "主键": change.key, "列": _header_of(spec, attribute),
                             "原值": "" if old is None else str(old), "新值": "" if new is None else str(new)})
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS), not_listed


def _table_summary(report: ImportReport) -> pd.DataFrame:
    order = list(TABLES_BY_KEY)
    rows = [{"数据表": r.name, "来源": "、".join(r.sources), "数据行": r.rows, "新增": r.added, "更新": r.changed,
             "未变": r.unchanged} for r in sorted(report.tables.values(), key=lambda r: order.index(r.key))]
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


class _KeyReader:
    """Reads one table's natural keys (and a short view of each row) as the importer would parse them."""

    def __init__(self, spec: TableSpec, towns: TownshipDirectory) -> None:
        self.spec = spec
        self.towns = towns
        self.index: dict[str, int] = {}
        self.headers: list[tuple[int, str]] = []

    def header(self, cells: list[Any]) -> None:
        for i, cell in enumerate(cells):
            if v.is_blank(cell):
                continue
            col = self.spec.match_header(str(cell))
            if col is not None:
                self.index.setdefault(col.key, i)
                self.headers.append((i, col.header))

    def key(self, cells: list[Any]) -> tuple[Any, ...] | None:
        parts: list[Any] = []
        for col in self.spec.key_columns:
            raw = cells[self.index[col.key]] if col.key in self.index and self.index[col.key] < len(cells) else None
            parts.append(self._parse(col, raw))
        return None if any(p is None for p in parts) else tuple(parts)

    def _parse(self, col: Column, raw: Any) -> Any:
        if v.is_blank(raw):
            return col.default
        try:
            return parse_value(self.spec, col, raw, self.towns)
        except v.Invalid:
            return None

    def content(self, cells: list[Any]) -> str:
        text = "；".join(f"{h}={_shown(cells[i])}" for i, h in self.headers
                        if i < len(cells) and not v.is_blank(cells[i]))
        return text if len(text) <= _CONTENT_CHARS else text[: _CONTENT_CHARS - 1] + "…"


def _rows(source: SourceTable) -> Iterator[tuple[int, list[Any]]]:
    try:
        yield from source.read_rows()
    except PackageError:
        return


def _existing(engine: Engine, spec: TableSpec, keys: list[tuple[Any, ...]]) -> set[tuple[Any, ...]]:
    table = DATA_MODELS[spec.key].__table__
    cols = [table.c[c.attribute] for c in spec.key_columns]
    condition = cols[0].in_([k[0] for k in keys]) if len(cols) == 1 else tuple_(*cols).in_(keys)
    with engine.connect() as conn:
        return {tuple(r) for r in conn.execute(select(*cols).where(condition))}


def _new_rows(engine: Engine, spec: TableSpec, reader: _KeyReader,
              batch: list[tuple[int, tuple[Any, ...], list[Any]]], room: int) -> list[dict[str, Any]]:
    """Up to `room` rows of the batch whose key is not in the database yet."""
    existing = _existing(engine, spec, [k for _, k, _ in batch])
    out: list[dict[str, Any]] = []
    for number, key, cells in batch:
        if key in existing or len(out) >= room:
            continue
        out.append({"数据表": spec.name, "行号": number, "主键": record_key(key), "内容": reader.content(cells)})
    return out


def _table_adds(engine: Engine, table: SourceTable, towns: TownshipDirectory, wanted: int) -> list[dict[str, Any]]:
    """The first `wanted` rows of one table that the import would add, reading no further than needed."""
    reader = _KeyReader(table.spec, towns)
    seen_header = False
    batch: list[tuple[int, tuple[Any, ...], list[Any]]] = []
    found: list[dict[str, Any]] = []
    for scanned, (number, cells) in enumerate(_rows(table)):
        if scanned > ADD_SCAN_ROWS:
            break
        if all(v.is_blank(c) for c in cells):
            continue
        if not seen_header:
            reader.header(cells)
            seen_header = True
            continue
        key = reader.key(cells)
        if key is not None:
            batch.append((number, key, cells))
        if len(batch) >= 500:
            found += _new_rows(engine, table.spec, reader, batch, wanted - len(found))
            batch = []
            if len(found) >= wanted:
                return found
    if batch:
        found += _new_rows(engine, table.spec, reader, batch, wanted - len(found))
    return found


def _added_rows(source: Upload, engine: Engine, settings: Settings, report: ImportReport) -> tuple[pd.DataFrame, int]:
    """A sample of the rows the import would add: rows whose key is not yet in the database."""
    towns = directory(settings)
    listed: list[dict[str, Any]] = []
    package = read_package(source, package_limits(settings))
    for table in package.tables:
        result = report.tables.get(table.spec.key)
        if result is not None and result.added:
            listed += _table_adds(engine, table, towns, min(ADDS_PER_TABLE, result.added))
    frame = pd.DataFrame(listed, columns=ADD_COLUMNS)
    frame["行号"] = frame["行号"].astype("Int64")
    return frame, max(0, report.added - len(listed))


def build_preview(data: bytes, name: str, engine: Engine, settings: Settings, principal: Principal,
                  progress: Callable[[str, int], None] | None = None,
                  stage: Callable[[str], None] | None = None) -> Preview:
    """Dry-run the upload as the signed-in user and describe what confirming it would do.

    `progress` follows the dry run (the importer's callback); `stage` hears of the step after it.
    """
    upload = Upload(name, data)
    report = import_package(upload, engine, settings, actor=actor_label(principal), dry_run=True,
                            progress=progress, principal=principal,
                            waiting=(lambda: stage(WAITING)) if stage is not None else None)
    changes, changes_not_listed = _changes(report)
    if report.ok:
        if stage is not None and report.added:
            stage("正在列出将新增的行……")
        adds, adds_not_listed = _added_rows(upload, engine, settings, report)
    else:
        # All or nothing: a package with any bad row writes nothing, so the plan is only the errors.
        adds, adds_not_listed = pd.DataFrame(columns=ADD_COLUMNS), 0
        changes, changes_not_listed = pd.DataFrame(columns=CHANGE_COLUMNS), 0
    return Preview(
        source=name,
        digest=digest(data),
        ok=report.ok,
        problem_count=report.problem_count,
        tables=_table_summary(report),
        adds=adds,
        changes=changes,
        rejections=_rejections(report),
        warnings=_warnings(report),
        plan={k: (t.added, t.changed) for k, t in report.tables.items()} if report.ok else {},
        adds_not_listed=adds_not_listed,
        changes_not_listed=changes_not_listed,
        checked_by=actor_label(principal),
    )


def plan_differences(preview: Preview, report: ImportReport) -> list[str]:
    """Where the confirmed import did something else than the preview promised (the data changed in between)."""
    done = {k: (t.added, t.changed) for k, t in report.tables.items()}
    out: list[str] = []
    for key in [k for k in TABLES_BY_KEY if k in preview.plan or k in done]:
        before, after = preview.plan.get(key, (0, 0)), done.get(key, (0, 0))
        if before != after:
            out.append(f"{TABLES_BY_KEY[key].name}：预览时新增{before[0]}行、更新{before[1]}行，"
                       f"实际新增{after[0]}行、更新{after[1]}行")
    return out


def error_report(preview: Preview) -> bytes:
    """The rejected rows and data-quality notes as an .xlsx the officer can fix the file from."""
    about = pd.DataFrame({
        "项目": ["文件", "校验时间", "校验人", "结论", "错误数", "涉及行数", "数据质量提示"],
        "内容": [
            preview.source,
            preview.checked_at.strftime("%Y-%m-%d %H:%M"),
            preview.checked_by,
            "可以导入" if preview.ok else "被拒绝：整个文件未导入，请按错误清单修改后重新上传",
            str(preview.problem_count),
            str(preview.rejected_rows),
            str(len(preview.warnings)),
        ],
    })
    return xlsx_bytes({"错误清单": preview.rejections, "数据质量提示": preview.warnings, "说明": about})


def error_report_filename(preview: Preview) -> str:
    stem = preview.source.rsplit(".", 1)[0] or "上传文件"
    return f"{stem}_校验报告.xlsx"


def estimate_rows(data: bytes, name: str) -> dict[str, int]:
    """Roughly how many data rows each table of an upload has, cheaply, for the progress bar."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        if suffix == "csv":
            spec = _spec_for(name)
            return {spec.key: max(data.count(b"\n") - 1, 0)} if spec else {}
        if suffix == "zip":
            out: dict[str, int] = {}
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for info in archive.infolist():
                    spec = _spec_for(info.filename)
                    if spec is None or not info.filename.lower().endswith(".csv"):
                        continue
                    with archive.open(info) as fh:
                        lines = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))
                    out[spec.key] = out.get(spec.key, 0) + max(lines - 1, 0)
            return out
        if suffix == "xlsx":
            return _xlsx_dimensions(data)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return {}
    return {}


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')
_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"|'
                  rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')


def _xlsx_dimensions(data: bytes) -> dict[str, int]:
    """Rows per data sheet from each sheet's own <dimension> (the first bytes of its XML), without parsing cells.

    Excel and WPS write the dimension; a sheet written without one (some exporters) is simply not estimated.
    """
    import html

    out: dict[str, int] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        rels: dict[bytes, bytes] = {}
        for found in _REL.finditer(archive.read("xl/_rels/workbook.xml.rels")):
            rel_id, target = (found.group(1), found.group(2)) if found.group(1) else (found.group(4), found.group(3))
            rels[rel_id] = target
        for name, rel_id in _SHEET.findall(archive.read("xl/workbook.xml")):
            title = html.unescape(name.decode("utf-8"))
            if title.strip().lower() in RESERVED_SHEETS or title.startswith("_") or rel_id not in rels:
                continue
            spec = _spec_for(title)
            target = rels[rel_id].decode("utf-8").lstrip("/")
            path = target if target.startswith("xl/") else f"xl/{target}"
            if spec is None or path not in archive.namelist():
                continue
            with archive.open(path) as fh:
                head = fh.read(4096)
            dimension = _DIMENSION.search(head)
            if dimension and dimension.group(1):
                out[spec.key] = out.get(spec.key, 0) + max(int(dimension.group(1)) - 1, 0)
    return out


def _spec_for(name: str) -> TableSpec | None:
    from pathlib import PurePosixPath

    from supervision.core.spec import table_for_name

    stem = PurePosixPath(name).stem if name.lower().endswith(".csv") else name
    return table_for_name(stem)


class ProgressMeter:
    """Turns the importer's progress(table, rows done) calls into a fraction and a line of text."""

    def __init__(self, estimates: dict[str, int], show: Callable[[float | None, str], None],
                 verb: str = "校验") -> None:
        self.estimates = estimates
        self.total = sum(estimates.values())
        self.done: dict[str, int] = {}
        self.show = show
        self.verb = verb

    def __call__(self, table: str, rows: int) -> None:
        self.done[table] = rows
        count = sum(self.done.values())
        name = TABLES_BY_KEY[table].name if table in TABLES_BY_KEY else table
        if self.total:
            fraction = min(count / self.total, 0.99)
            self.show(fraction, f"正在{self.verb}“{name}”：已处理{count:,}行，共约{self.total:,}行")
        else:
            self.show(None, f"正在{self.verb}“{name}”：已处理{count:,}行")
