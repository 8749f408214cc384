"""Import of a data package: validate every row, then write all of it in one transaction or nothing.

The same function serves the command line and the app (with dry_run=True for
the preview an officer confirms before anything is written).
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from pandas.util import hash_array
from sqlalchemy import (
    BindParameter,
    Connection,
    Engine,
    String,
    and_,
    bindparam,
    func,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import DBAPIError

from supervision.access import audit
from supervision.access.permissions import WriteGuard
from supervision.core import values as v
from supervision.core.config import Settings
from supervision.core.keys import jsonable, record_key
from supervision.core.principal import Principal, is_system
from supervision.core.spec import TABLES, TABLES_BY_KEY, Column, TableSpec
from supervision.core.types import ExactDecimal
from supervision.geo.boundaries import Boundaries, boundaries
from supervision.ingest.crosschecks import Row, checks_for
from supervision.ingest.fields import parser_for, shown
from supervision.ingest.package import (
    Limits,
    Package,
    PackageError,
    SourceTable,
    Upload,
    read_package,
    source_digest,
)
from supervision.storage.db import bump_data_version, import_slot, refresh_statistics
from supervision.storage.models import DATA_MODELS, AuditEntry, Enterprise, ImportBatch, ScoringItem
from supervision.storage.townships import TownshipDirectory, directory

CHUNK = 5000
ANALYZE_AFTER_ROWS = 10_000  # a write this large refreshes the table's planner statistics
IMPORT_LOCK_KEY = 0x52454944  # "REID": the PostgreSQL advisory lock that serialises imports
IMPORT_WAIT_S = 120.0  # how long an import queues behind another before it gives up with BUSY
BUSY = "另一个导入正在进行，请等它完成后再试（导入逐个进行），数据库未作任何修改"
WAITING = "另一个导入正在进行，正在排队等待……"
LOOKUP_BATCH = 2000  # keys per "which of these exist" query: 8000 parameters at most (4-column keys)
MAX_PROBLEMS = 200_000
MAX_CHANGE_SAMPLES = 1000
_TABLE_ORDER = {t.key: i for i, t in enumerate(TABLES)}
_T = TypeVar("_T")


@dataclass(frozen=True)
class Problem:
    """One reason a package (or, for warnings, a row) needs attention, located for the user."""

    file: str
    reason: str
    table: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = f"［{self.file}］"
        if self.row is not None:
            where += f" 第{self.row}行"
        if self.column:
            where += f" 列“{self.column}”"
        if self.value is not None and self.value != "":
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "…"
            where += f" 值“{shown}”"
        return f"{where}：{self.reason}"


@dataclass(frozen=True)
class Change:
    """A row the import replaces: its key and the columns that differ (old → new)."""

    key: str
    old: dict[str, Any]
    new: dict[str, Any]


@dataclass
class TableResult:
    key: str
    name: str
    sources: list[str] = field(default_factory=list)
    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    changes: list[Change] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # the spec columns the file actually has


@dataclass
class ImportReport:
    """What an import found and did; `written` is true only when the transaction committed."""

    source: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    tables: dict[str, TableResult] = field(default_factory=dict)
    problems_not_listed: int = 0
    # (file, table, column) → errors counted there but not listed (beyond the first few per column)
    unlisted: dict[tuple[str, str | None, str | None], int] = field(default_factory=dict)
    warnings_not_listed: int = 0
    written: bool = False
    import_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and not self.problems_not_listed

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.problems_not_listed

    @property
    def added(self) -> int:
        return sum(t.added for t in self.tables.values())

    @property
    def changed(self) -> int:
        return sum(t.changed for t in self.tables.values())

    def summary(self) -> str:
        """One paragraph in Chinese: the outcome first, then every problem and warning."""
        lines: list[str] = []
        if not self.ok:
            lines.append(f"数据包“{self.source}”被拒绝：发现{self.problem_count}处错误，数据库未作任何修改。")
            lines.extend(str(p) for p in self.problems)
            if self.problems_not_listed:
                lines.append(f"……另有{self.problems_not_listed}处错误未列出：")
                lines.extend(f"  ［{file}］{TABLES_BY_KEY[t].name if t in TABLES_BY_KEY else ''}"
                             f"{f'列“{c}”' if c else ''}另有{n}处" for (file, t, c), n in self.unlisted.items())
        else:
            verb = "已导入" if self.written else ("无变化" if not (self.added or self.changed) else "预览")
            lines.append(f"数据包“{self.source}”{verb}：新增{self.added}行，更新{self.changed}行。")
            for t in sorted(self.tables.values(), key=lambda t: _TABLE_ORDER[t.key]):
                lines.append(f"  {t.name}：{t.rows}行（新增{t.added}，更新{t.changed}，未变{t.unchanged}）")
        if self.warnings:
            lines.append(f"数据质量提示{len(self.warnings) + self.warnings_not_listed}条（不影响导入）：")
            lines.extend(str(w) for w in self.warnings)
            if self.warnings_not_listed:
                lines.append(f"……另有{self.warnings_not_listed}条提示未列出。")
        return "\n".join(lines)


def package_limits(settings: Settings) -> Limits:
    return Limits(unpacked=settings.max_unpacked_mb * 2**20, member=settings.max_member_mb * 2**20)


class _Problems:
    """Collects problems: the first few of each table and column are listed, the rest only counted.

    A file of a million bad rows otherwise makes a million Problem objects (gigabytes) and a report
    nobody reads; the first errors of a column show what is wrong, the count says how often.
    """

    def __init__(self, report: ImportReport, per_column: int = 100) -> None:
        self.report = report
        self.per_column = per_column
        self.listed: dict[tuple[str, str | None, str | None], int] = {}
        self.warned: dict[tuple[str, str | None, str | None], int] = {}

    def add(self, problem: Problem) -> None:
        where = (problem.file, problem.table, problem.column)
        shown = self.listed.get(where, 0)
        if shown < self.per_column and len(self.report.problems) < MAX_PROBLEMS:
            self.listed[where] = shown + 1
            self.report.problems.append(problem)
        else:
            self.report.problems_not_listed += 1
            self.report.unlisted[where] = self.report.unlisted.get(where, 0) + 1

    def warn(self, problem: Problem) -> None:
        where = (problem.file, problem.table, problem.column)
        shown = self.warned.get(where, 0)
        if shown < self.per_column:
            self.warned[where] = shown + 1
            self.report.warnings.append(problem)
        else:
            self.report.warnings_not_listed += 1


@dataclass
class _Context:
    settings: Settings
    towns: TownshipDirectory
    bounds: Boundaries | None
    enterprises: set[str]
    scoring: dict[tuple[int, str], Decimal]
    guard: WriteGuard | None = None  # the importing user's rights; None for the command line


@dataclass(frozen=True)
class _Limits:
    """What the column's database type can hold; checked here so no write ever fails half-way."""

    text: int = v.MAX_TEXT
    magnitude: Decimal = Decimal("1e12")


@functools.cache
def _column_limits(table: str) -> dict[str, _Limits]:
    """Per column of a table, the width of its String or the precision of its exact decimal in the model."""
    spec = TABLES_BY_KEY[table]
    columns = DATA_MODELS[table].__table__.c
    out: dict[str, _Limits] = {}
    for col in spec.columns:
        kind = columns[col.attribute].type
        if isinstance(kind, String) and kind.length:
            out[col.key] = _Limits(text=min(kind.length, v.MAX_TEXT))
        elif isinstance(kind, ExactDecimal):
            out[col.key] = _Limits(magnitude=Decimal(10) ** (kind.precision - kind.scale))
        else:
            out[col.key] = _Limits()
    return out


def _parser_for(col: Column, ctx: _Context, limits: _Limits = _Limits()) -> Callable[[Any], Any]:
    """The function that reads one non-blank cell of this column (chosen once per file, not per cell)."""
    return parser_for(col, ctx.towns, limits.text, limits.magnitude)


class _RowChecker:
    """Turns one table's raw rows into clean records, reporting every bad cell."""

    def __init__(self, source: SourceTable, ctx: _Context, problems: _Problems, report: ImportReport) -> None:
        self.source = source
        self.spec = source.spec
        self.ctx = ctx
        self.problems = problems
        self.report = report
        self.columns: list[tuple[int, Column, str]] = []  # (index, column, header as written)
        self.width = 0  # cells per row that have a header
        self.limits = _column_limits(self.spec.key)
        # Set by plan() once the header is read: (index, key, header, required, default, parser) per cell.
        self.steps: list[tuple[int, str, str, bool, Any, Callable[[Any], Any]]] = []
        self.absent: list[tuple[str, Any]] = []  # columns the file lacks, with their defaults
        self.cross_checks = checks_for(self.spec)

    def problem(self, reason: str, row: int | None = None, column: str | None = None, value: Any = None) -> None:
        self.problems.add(
            Problem(self.source.label, reason, self.spec.key, row, column, None if value is None else shown(value))
        )

    def warn(self, reason: str, row: int, column: str | None = None, value: Any = None) -> None:
        self.problems.warn(
            Problem(self.source.label, reason, self.spec.key, row, column, None if value is None else shown(value))
        )

    def read_header(self, cells: list[Any], row: int = 1) -> bool:
        """Match the header cells to the spec's columns; `row` is where it is (blank rows above are skipped)."""
        found: dict[str, str] = {}
        ok = True
        last = max((i for i, c in enumerate(cells) if not v.is_blank(c)), default=-1)
        self.width = last + 1
        for index, cell in enumerate(cells[: last + 1]):
            if v.is_blank(cell):
                self.problem(f"第{index + 1}列没有表头", row)
                ok = False
                continue
            header = str(cell).strip().lstrip("\ufeff").strip()
            col = self.spec.match_header(header)
            if col is None:
                allowed = "、".join(f"{c.header}（{c.key}）" for c in self.spec.columns)
                self.problem(f"未知列“{header}”，本表允许的列：{allowed}", row, header)
                ok = False
                continue
            if col.key in found:
                self.problem(f"列“{col.header}”重复出现（已有“{found[col.key]}”）", row, header)
                ok = False
                continue
            found[col.key] = header
            self.columns.append((index, col, header))
        for col in self.spec.columns:
            if (col.required or col.natural_key and col.default is None) and col.key not in found:
                self.problem(f"缺少必需的列“{col.header}”（{col.key}）", row, col.header)
                ok = False
        if ok:
            self.plan()
        return ok

    def plan(self) -> None:
        """After the header: what to do with each cell, so the per-row loop does only that."""
        given = {col.key for _, col, _ in self.columns}
        self.steps = [(index, col.key, header, col.required, col.default,
                       _parser_for(col, self.ctx, self.limits[col.key])) for index, col, header in self.columns]
        self.absent = [(col.key, col.default) for col in self.spec.columns if col.key not in given]

    def check(self, number: int, cells: list[Any]) -> dict[str, Any] | None:
        """The row's clean record, or None when it has a problem (reported)."""
        unheaded = self._unheaded_data(number, cells)
        record, bad = self._parse_cells(number, cells)
        self._remember_enterprise(record)
        if unheaded or bad or not self._cross_checks(number, record):
            return None
        return record

    def _unheaded_data(self, number: int, cells: list[Any]) -> bool:
        # A value right of the last header would be silently dropped, like an unknown column.
        if len(cells) <= self.width:
            return False
        extra = next((i for i in range(self.width, len(cells)) if not v.is_blank(cells[i])), None)
        if extra is None:
            return False
        self.problem(f"第{extra + 1}列有数据但没有表头（多出的数据不会被导入，请删除或补上表头）",
                     number, None, cells[extra])
        return True

    def _parse_cells(self, number: int, cells: list[Any]) -> tuple[dict[str, Any], bool]:
        """The row's values by column key (defaults for blank and absent columns), and whether a cell was bad."""
        record: dict[str, Any] = {}
        bad = False
        width = len(cells)
        for index, key, header, required, default, parse in self.steps:
            raw = cells[index] if index < width else None
            if raw is None or (type(raw) is str and (not raw or raw.isspace())):
                if required:
                    self.problem("必填项为空", number, header)
                    bad = True
                    continue
                record[key] = default
                continue
            try:
                record[key] = parse(raw)
            except v.Invalid as exc:
                self.problem(str(exc), number, header, raw)
                bad = True
        for key, default in self.absent:
            record[key] = default
        return record, bad

    def duplicate(self, number: int, record: dict[str, Any], first: int) -> None:
        """Report a row whose natural key an earlier row of the file (row `first`) already has."""
        values = "、".join(f"{c.header}={shown(record[c.key])}" for c in self.spec.key_columns)
        # The header as written in this file (English or Chinese), like every other problem.
        self.problem(f"主键重复：与第{first}行相同（{values}）", number, self.header_of(self.spec.key_columns[0].key))

    def permitted(self, number: int, record: dict[str, Any]) -> bool:
        """Whether the importing user may write this row (reported if not); a scoring item counts from now on."""
        guard = self.ctx.guard
        if guard is not None and (refusal := guard.row(self.spec.key, record)):
            self.problem(refusal, number)
            return False
        if self.spec.key == "scoring_items":
            self.ctx.scoring[(record["year"], record["item_code"])] = record["max_score"]
        return True

    def _remember_enterprise(self, record: dict[str, Any]) -> None:
        # Other tables may cite an enterprise whose own row has another error:
        # report that error once instead of every row that cites it.
        if self.spec.key == "enterprises" and isinstance(record.get("uscc"), str):
            self.ctx.enterprises.add(record["uscc"])

    def header_of(self, key: str) -> str:
        return next((h for _, c, h in self.columns if c.key == key), self.spec.column(key).header)

    def _cross_checks(self, n: int, r: dict[str, Any]) -> bool:
        if not self.cross_checks:
            return True
        row = Row(self.spec, n, r, self.ctx, self)
        for check in self.cross_checks:
            check(row)
        return row.ok


def _same(old: Any, new: Any) -> bool:
    if old is None or new is None:
        return old is None and new is None
    return bool(old == new)


class _SeenKeys:
    """The natural keys one table's file has shown so far, each with the row it first appeared on: 16 bytes a key.

    A dict of the keys themselves cost about 250 bytes a key, and a 10-year invoice file has millions of them: it
    was most of an import's memory (issue 21: 1.2 GB at 4× the province). Here a key is a 64-bit and a 32-bit
    hash (pandas' SipHash of its parts under two different keys: two different keys agreeing on all 96 bits does
    not happen in practice; on the first 64 alone, about once in 10^12 imports, the later key waits in a small
    dict) and its row, in sorted numpy runs: each chunk's new keys become a run, and runs of similar size merge,
    as in a log-structured merge tree, up to RUN_CAP keys a run (so a merge never copies more than that), and a
    chunk is looked up in every run by binary search. Hashing and lookups are vectorised per chunk; Python looks
    at a row only when its key was seen. (A temporary table in the database kept Python's memory flat but made a
    SQLite import 25 % slower.)
    """

    RUN_CAP = 1 << 21  # keys; 32 MB a run

    KEYS = ("supervision-key1", "supervision-key2")  # SipHash keys (16 characters) of the two hashes

    def __init__(self, checker: _RowChecker) -> None:
        self.checker = checker
        self.fields = [c.key for c in checker.spec.key_columns]
        self.runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (first hashes sorted, second, row)
        self.collided: dict[tuple[Any, ...], int] = {}

    def _hashes(self, records: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
        columns = [np.array([r[f] for r in records], dtype=object) for f in self.fields]
        out = []
        for salt in self.KEYS:
            combined = hash_array(columns[0], hash_key=salt)
            for column in columns[1:]:
                combined = combined * np.uint64(1_000_003) ^ hash_array(column, hash_key=salt)
            out.append(combined.view(np.int64))
        return out[0], out[1].astype(np.int32)

    def _earlier(self, firsts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each (sorted, distinct) first hash: whether an earlier chunk had it, its second hash and its row."""
        hit = np.zeros(len(firsts), dtype=bool)
        second = np.zeros(len(firsts), dtype=np.int32)
        row = np.zeros(len(firsts), dtype=np.int32)
        for run_first, run_second, run_row in self.runs:
            at = np.minimum(np.searchsorted(run_first, firsts), len(run_first) - 1)
            found = run_first[at] == firsts
            hit |= found
            second[found], row[found] = run_second[at[found]], run_row[at[found]]
        return hit, second, row

    def _add(self, first: np.ndarray, second: np.ndarray, row: np.ndarray) -> None:
        run = (first, second, row.astype(np.int32))
        while self.runs and len(run[0]) >= (last := len(self.runs[-1][0])) and last + len(run[0]) <= self.RUN_CAP:
            run = self._merge(self.runs.pop(), run)
        self.runs.append(run)

    @staticmethod
    def _merge(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Two runs sorted by first hash as one, without sorting again: b's entries go where they belong in a."""
        at = np.searchsorted(a[0], b[0]) + np.arange(len(b[0]))
        from_a = np.ones(len(a[0]) + len(b[0]), dtype=bool)
        from_a[at] = False
        merged = []
        for x, y in zip(a, b, strict=True):
            out = np.empty(len(from_a), dtype=x.dtype)
            out[at], out[from_a] = y, x
            merged.append(out)
        return merged[0], merged[1], merged[2]

    def firsts(self, chunk: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
        """The chunk's records whose key no earlier row had; every other one is reported as a duplicate."""
        if not chunk:
            return []
        numbers = np.fromiter((n for n, _ in chunk), dtype=np.int64, count=len(chunk))
        records = [r for _, r in chunk]
        first, second = self._hashes(records)
        distinct, where = np.unique(first, return_index=True)  # sorted; where: each one's first row in the chunk
        hit, earlier_second, earlier_row = self._earlier(distinct)
        own = np.searchsorted(distinct, first)
        # A row needs a look when its first hash was met before: in an earlier chunk, or earlier in this one.
        suspect = hit[own] | (where[own] != np.arange(len(chunk)))
        kept = records
        if suspect.any():
            drop = set()
            for i in np.flatnonzero(suspect):
                j = own[i]
                if hit[j]:
                    seen_second, seen_row = int(earlier_second[j]), int(earlier_row[j])
                else:
                    seen_second, seen_row = int(second[where[j]]), int(numbers[where[j]])
                record = records[i]
                key = tuple(record[f] for f in self.fields)
                if seen_second == int(second[i]):  # both hashes agree: the same key
                    self.checker.duplicate(int(numbers[i]), record, seen_row)
                    drop.add(i)
                elif key in self.collided:
                    self.checker.duplicate(int(numbers[i]), record, self.collided[key])
                    drop.add(i)
                else:  # another key has the same first hash: remembered here instead
                    self.collided[key] = int(numbers[i])
            kept = [r for i, r in enumerate(records) if i not in drop]
        new = ~hit
        if new.any():
            self._add(distinct[new], second[where[new]], numbers[where[new]])
        return kept


class _Writer:
    """Upserts one table's records by natural key, recording every replacement in the audit log."""

    def __init__(self, conn: Connection, spec: TableSpec, actor: str, import_id: int, result: TableResult) -> None:
        self.conn = conn
        self.spec = spec
        self.model = DATA_MODELS[spec.key]
        self.table = self.model.__table__
        self.actor = actor
        self.import_id = import_id
        self.result = result
        self.attrs = [c.attribute for c in spec.columns]
        self.key_attrs = [c.attribute for c in spec.key_columns]
        self.pairs = [(c.attribute, c.key) for c in spec.columns]
        self.now = dt.datetime.now(dt.UTC)
        # Into an empty table every row is new (a key repeated in the package never gets here):
        # the first bulk import of a table skips a lookup query per 2000 rows.
        self.was_empty = conn.execute(select(self.table.c[self.key_attrs[0]]).limit(1)).first() is None

    def _replaced_attrs(self) -> list[str]:
        """The columns a replacement overwrites: those the file has.

        A column missing from the file keeps its stored value, so a department that sends
        only some columns (税务局 without coordinates, say) never blanks another's data;
        a column present with an empty cell does clear the value, as the row says.
        """
        present = set(self.result.columns)
        return [attribute for attribute, key in self.pairs if key in present]

    def _row_values(self, record: dict[str, Any]) -> dict[str, Any]:
        return {attribute: record[key] for attribute, key in self.pairs}

    def _existing(self, keys: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], Any]:
        cols = [self.table.c[a] for a in self.key_attrs]
        condition = cols[0].in_([k[0] for k in keys]) if len(cols) == 1 else tuple_(*cols).in_(keys)
        rows = self.conn.execute(select(self.table).where(condition))
        return {tuple(getattr(r, a) for a in self.key_attrs): r for r in rows}

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        """New rows, handed to the driver as plain tuples: on PostgreSQL a COPY in the same transaction, on SQLite
        one executemany of the compiled INSERT.

        psycopg runs an executemany INSERT as one statement per row; for 2,000,000 invoices that was most of
        the importer's own CPU time. On SQLite, SQLAlchemy's own per-row parameter handling cost about as much
        as SQLite's insert. Both take the same values, through the same type processors SQLAlchemy applies.
        """
        names = [*self.attrs, "version", "import_id"]
        processors = [(n, self.table.c[n].type.bind_processor(self.conn.dialect)) for n in names]
        values = ([row[n] if p is None else p(row[n]) for n, p in processors] for row in rows)
        postgres = self.conn.dialect.name == "postgresql" and self.conn.dialect.driver == "psycopg"
        if not postgres and self.conn.dialect.name != "sqlite":
            self.conn.execute(insert(self.table), rows)
            return
        cursor = self.conn.connection.cursor()
        statement: Any = "INSERT"
        try:
            if postgres:
                from psycopg import sql

                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(self.table.name), sql.SQL(", ").join(sql.Identifier(n) for n in names))
                with cursor.copy(statement) as copy:
                    for row_values in values:
                        copy.write_row(row_values)
            else:
                compiled = insert(self.table).compile(dialect=self.conn.dialect, column_keys=names)
                assert list(compiled.positiontup or ()) == names  # the order the tuples are built in
                statement = str(compiled)
                cursor.executemany(statement, list(values))
        except self.conn.dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(str(statement), None, exc, self.conn.dialect.loaded_dbapi.Error) from exc
        finally:
            cursor.close()

    def write(self, records: list[dict[str, Any]]) -> None:
        rows = [self._row_values(r) for r in records]
        keys = [tuple(r[a] for a in self.key_attrs) for r in rows]
        existing: dict[tuple[Any, ...], Any] = {}
        for start in range(0, 0 if self.was_empty else len(keys), LOOKUP_BATCH):
            existing.update(self._existing(keys[start:start + LOOKUP_BATCH]))
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        replaced = self._replaced_attrs()
        for key, row in zip(keys, rows, strict=True):
            old = existing.get(key)
            if old is None:
                row["version"], row["import_id"] = 1, self.import_id
                inserts.append(row)
                continue
            diff = [a for a in replaced if not _same(getattr(old, a), row[a])]
            if not diff:
                self.result.unchanged += 1
                continue
            # Only the replaced columns go in: SQLAlchemy would SET any column named in the parameters.
            updates.append({**{f"k_{a}": row[a] for a in self.key_attrs},
                            **{a: row[a] for a in replaced if a not in self.key_attrs},
                            "version": (old.version or 0) + 1, "import_id": self.import_id})
            old_values = {a: jsonable(getattr(old, a)) for a in diff}
            new_values = {a: jsonable(row[a]) for a in diff}
            key_text = record_key(key)
            audits.append({
                "at": self.now, "actor": self.actor, "action": "replace", "table_name": self.spec.key,
                "record_key": key_text, "old_values": old_values, "new_values": new_values,
                "import_id": self.import_id,
            })
            if len(self.result.changes) < MAX_CHANGE_SAMPLES:
                self.result.changes.append(Change(key_text, old_values, new_values))
        if inserts:
            self._insert(inserts)
        if updates:
            condition = and_(*(self.table.c[a] == bindparam(f"k_{a}") for a in self.key_attrs))
            values: dict[str, BindParameter[Any]] = {
                a: bindparam(a) for a in [*replaced, "version", "import_id"] if a not in self.key_attrs}
            self.conn.execute(update(self.table).where(condition).values(values), updates)
        if audits:
            self.conn.execute(insert(AuditEntry), audits)
        self.result.added += len(inserts)
        self.result.changed += len(updates)


@contextmanager
def _sqlite_import_cache(conn: Connection) -> Iterator[None]:
    """A larger SQLite page cache while a package is written, back to the default afterwards.

    With SQLite's default 2 MB cache the index pages of a large table spill out of the
    cache during the one big transaction: inserting 300,000 invoices took 7.8 s of CPU
    instead of 4.3 s with 128 MB. PRAGMA takes no parameters, hence the literal values;
    the engine (supervision.storage.db) leaves cache_size at SQLite's default of -2000 (2 MB).
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    default = conn.exec_driver_sql("PRAGMA cache_size").scalar() == -2000
    conn.exec_driver_sql("PRAGMA cache_size=-131072")
    conn.commit()  # ends SQLAlchemy's autobegun transaction so the import can begin its own
    try:
        yield
    finally:
        if default:
            conn.exec_driver_sql("PRAGMA cache_size=-2000")
            conn.commit()


def _load_context(conn: Connection, settings: Settings) -> _Context:
    enterprises = set(conn.execute(select(Enterprise.uscc)).scalars())
    scoring = {(r.year, r.item_code): r.max_score for r in conn.execute(select(ScoringItem))}
    try:
        bounds: Boundaries | None = boundaries(settings)
    except (OSError, ValueError):
        bounds = None
    return _Context(settings, directory(settings), bounds, enterprises, scoring)


def _write_guard(conn: Connection, settings: Settings, principal: Principal | None) -> WriteGuard | None:
    """The importing user's rights, or None for the command line (and the system principal)."""
    if principal is None or is_system(principal):
        return None
    return WriteGuard(principal, settings.security,
                      {u: t for u, t in conn.execute(select(Enterprise.uscc, Enterprise.township))})


def _chunks(rows: Iterable[_T], size: int) -> Iterator[list[_T]]:
    chunk: list[_T] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _check_table(checker: _RowChecker, result: TableResult) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield the valid records of one table with their row numbers; every invalid one is reported instead."""
    source, ctx, problems = checker.source, checker.ctx, checker.problems
    if ctx.guard is not None and (refusal := ctx.guard.table(source.spec.key)):
        problems.add(Problem(source.label, refusal, source.spec.key))
        return
    rows = source.read_rows()
    try:
        headed = yield from _checked_rows(rows, checker, result)
    except PackageError as exc:
        problems.add(Problem(source.label, str(exc), source.spec.key))
        return
    # A file with a header and no rows is accepted (0 rows): it is a department's template with
    # nothing new, not an empty file. A package whose files hold no row at all is rejected below.
    if not headed:
        problems.add(Problem(source.label, "文件为空（没有表头）", source.spec.key))


def _checked_rows(rows: Iterable[tuple[int, list[Any]]], checker: _RowChecker,
                  result: TableResult) -> Generator[tuple[int, dict[str, Any]], None, bool]:
    """The valid records below the header (blank rows skipped); returns whether there was a header at all."""
    headed = False
    for number, cells in rows:
        if all(v.is_blank(c) for c in cells):
            continue
        if not headed:
            headed = True
            if not checker.read_header(cells, number):
                return True
            result.columns = [col.key for _, col, _ in checker.columns]
            continue
        result.rows += 1
        limit = checker.ctx.settings.max_rows_per_table
        if result.rows > limit:
            # Stop reading: what follows could only cost time and memory for a file that is refused.
            checker.problem(f"数据行超过每张表{limit:,}行的上限，已停止读取；请拆分为多个文件分别导入", number)
            return True
        record = checker.check(number, cells)
        if record is not None and checker.permitted(number, record):
            yield number, record
    return headed


def _group_tables(package: Package, problems: _Problems) -> list[SourceTable]:
    by_key: dict[str, SourceTable] = {}
    for table in package.tables:
        if table.spec.key in by_key:
            problems.add(Problem(table.label, f"与“{by_key[table.spec.key].label}”是同一张表（{table.spec.name}），"
                                              "一个数据包中每张表只能有一个文件", table.spec.key))
            continue
        by_key[table.spec.key] = table
    return sorted(by_key.values(), key=lambda t: _TABLE_ORDER[t.spec.key])


def _import_table(conn: Connection, source: SourceTable, ctx: _Context, problems: _Problems, report: ImportReport,
                  batch: tuple[str, int], progress: Callable[[str, int], None] | None) -> None:
    """Check one table's rows and write them in chunks; `batch` is (actor, import id)."""
    spec = source.spec
    result = report.tables.setdefault(spec.key, TableResult(spec.key, spec.name))
    result.sources.append(source.label)
    writer = _Writer(conn, spec, batch[0], batch[1], result)
    checker = _RowChecker(source, ctx, problems, report)
    seen = _SeenKeys(checker)
    for chunk in _chunks(_check_table(checker, result), CHUNK):
        records = seen.firsts(chunk)
        # Once anything is wrong the transaction will be rolled back: keep
        # checking to report every bad row, but stop writing.
        if report.ok:
            writer.write(records)
        if progress is not None:
            progress(spec.key, result.rows)


def _record_batch(conn: Connection, report: ImportReport, source: Path | Upload, actor: str, batch_id: int) -> None:
    """The import batch's summary, and the import as one audit event."""
    summary = {k: {"rows": t.rows, "added": t.added, "changed": t.changed, "unchanged": t.unchanged}
               for k, t in report.tables.items()}
    conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(summary=summary))
    # Rows an import adds have no entry of their own: the import itself is the event (who, what file, how much).
    audit.record(conn, actor, "import", "import_batches", report.source, None, {
        "文件": report.source, "SHA-256": source_digest(source),
        **{t.name: f"{t.rows}行（新增{t.added}，更新{t.changed}，未变{t.unchanged}）"
           for t in sorted(report.tables.values(), key=lambda t: _TABLE_ORDER[t.key])},
    }, import_id=batch_id)


def import_package(
    source: Path | Upload,
    engine: Engine,
    settings: Settings,
    *,
    actor: str = "命令行",
    dry_run: bool = False,
    progress: Callable[[str, int], None] | None = None,
    principal: Principal | None = None,
    waiting: Callable[[], None] | None = None,
) -> ImportReport:
    """Validate and write a package: all of it in one transaction, or nothing.

    Imports (and dry runs, which write and roll back) take turns: one that finds another running calls
    `waiting` once and queues; after IMPORT_WAIT_S it gives up with the problem BUSY, never "database is locked".

    With a `principal` (the app always passes the signed-in user), every table and row is checked against
    that user's rights: a row the user may not write is reported like an invalid row, and nothing is written.
    """
    label = source.name if isinstance(source, Upload) else Path(source).name
    report = ImportReport(source=label)
    problems = _Problems(report, settings.max_errors_per_column)
    package = read_package(source, package_limits(settings))
    for file_label, reason in package.problems:
        problems.add(Problem(file_label, reason))
    tables = _group_tables(package, problems)
    with import_slot(engine, IMPORT_WAIT_S, waiting) as turn:
        if not turn:
            problems.add(Problem(label, BUSY))
            return report
        return _import_tables(source, engine, settings, report, problems, tables, actor=actor, dry_run=dry_run,
                              progress=progress, principal=principal, waiting=waiting)


def _pg_turn(conn: Connection, waiting: Callable[[], None] | None) -> bool:
    """Queue on the advisory lock that serialises PostgreSQL imports, for IMPORT_WAIT_S at most."""
    deadline = time.monotonic() + IMPORT_WAIT_S
    told = False
    while not conn.execute(select(func.pg_try_advisory_xact_lock(IMPORT_LOCK_KEY))).scalar_one():
        if time.monotonic() >= deadline:
            return False
        if waiting is not None and not told:
            waiting()
            told = True
        time.sleep(0.2)
    return True


def _import_tables(source: Path | Upload, engine: Engine, settings: Settings, report: ImportReport,
                   problems: _Problems, tables: list[SourceTable], *, actor: str, dry_run: bool,
                   progress: Callable[[str, int], None] | None, principal: Principal | None,
                   waiting: Callable[[], None] | None) -> ImportReport:
    label = report.source
    with engine.connect() as conn, _sqlite_import_cache(conn), conn.begin() as trans:
        # One import at a time: two packages replacing the same keys at once would otherwise
        # end in a unique-key error for one of them (SQLite: import_slot above).
        if conn.dialect.name == "postgresql" and not _pg_turn(conn, waiting):
            problems.add(Problem(label, BUSY))
            trans.rollback()
            return report
        ctx = _load_context(conn, settings)
        ctx.guard = _write_guard(conn, settings, principal)
        batch_id = conn.execute(
            insert(ImportBatch).values(at=dt.datetime.now(dt.UTC), actor=actor, source=label, summary={})
            .returning(ImportBatch.id)
        ).scalar_one()
        for source_table in tables:
            _import_table(conn, source_table, ctx, problems, report, (actor, batch_id), progress)
        if report.ok and not any(t.rows for t in report.tables.values()):
            problems.add(Problem(label, "数据包中没有任何数据行"))
        if not report.ok or dry_run or not (report.added or report.changed):
            trans.rollback()
            return report
        _record_batch(conn, report, source, actor, batch_id)
        bump_data_version(conn)
        trans.commit()
    report.written = True
    report.import_id = batch_id
    bulk = [DATA_MODELS[k].__tablename__ for k, t in report.tables.items() if t.added + t.changed >= ANALYZE_AFTER_ROWS]
    if bulk:
        refresh_statistics(engine, bulk)
    return report
