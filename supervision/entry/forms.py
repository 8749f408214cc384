"""Form input: parsed with the importer's parsers, checked by the importer itself, saved through writes.

A form is exactly as strict as an upload because its rows go through the same checks:
1. every field is parsed with the `supervision.core.values` parser the importer uses for its kind
   (so a field error reads like the importer's, and the values come out typed);
2. the form's own workflow rules (below) are applied;
3. the rows are run through `import_package(..., dry_run=True, principal=...)` as a one-table CSV,
   which applies every cross-check (dates in order, 已整改数 ≤ 发现问题数, score ≤ the item's
   maximum, the enterprise exists, the user may write this table and township) in a transaction
   that is rolled back; its problems are mapped back onto the fields;
4. only then `writes.save_rows` writes them (permission, version check, audit entry, data version).

Rules a form adds to the importer's (the importer reads a department's snapshot, a form records
an event as it happens):
- an event date (受理, 决定, 发现, 整改完成, 报送, 督查, 反馈, 办结) may not lie in the future;
  only 黑名单截止日期 may;
- 黑名单截止日期 may not precede 决定日期;
- a tip-off's 办理状态 only moves forward (已受理 → 核查中 → 已办结); 已办结 needs 办结日期 and
  办结日期 needs 已办结.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from supervision.access.audit import actor_label
from supervision.access.permissions import PermissionDenied
from supervision.core import values as v
from supervision.core.clock import today_local
from supervision.core.config import Settings
from supervision.core.principal import Principal
from supervision.core.spec import TABLES_BY_KEY, TIPOFF_STATUSES, Kind, TableSpec
from supervision.entry.writes import RowWrite, Saved, WriteConflict, save_rows
from supervision.ingest.fields import parse_value
from supervision.ingest.importer import import_package
from supervision.ingest.package import Upload
from supervision.storage.townships import TownshipDirectory, directory

# The tables that have a form in the app.
FORM_TABLES = ("inspection_scores", "tipoffs", "penalties", "environment", "self_checks", "township_reports")

# Date columns that may lie in the future (everything else a form records has already happened).
FUTURE_DATES = frozenset({"blacklisted_until", "valid_from", "valid_to"})

FORM_ROW = ""  # the "field" of an error that concerns the whole row


def local_today() -> dt.date:
    """Today in Taicang, whatever the server's time zone (a date typed this morning is not "in the future")."""
    return today_local()


def parse_row(spec: TableSpec, raw: Mapping[str, Any],
              towns: TownshipDirectory) -> tuple[dict[str, Any], dict[str, str]]:
    """A form row as the importer would read it: (record, {column key: reason}) — blanks take the default."""
    record: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for col in spec.columns:
        value = raw.get(col.key)
        if v.is_blank(value):
            if col.required:
                errors[col.key] = "必填项为空"
            record[col.key] = col.default
            continue
        try:
            record[col.key] = parse_value(spec, col, value, towns)
        except v.Invalid as exc:
            errors[col.key] = str(exc)
    return record, errors


def cell_text(value: Any) -> str:
    """A parsed value as the text the importer reads back to the same value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def one_table_csv(spec: TableSpec, records: Sequence[Mapping[str, Any]]) -> bytes:
    """Records as a CSV of one table, headed by the English keys (what the importer's dry run reads)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.key for c in spec.columns])
    for record in records:
        writer.writerow([cell_text(record.get(c.key)) for c in spec.columns])
    return buffer.getvalue().encode("utf-8")


@dataclass
class Checked:
    """The outcome of checking a form: the parsed records, and every reason to refuse them."""

    records: list[dict[str, Any]]
    errors: dict[int, dict[str, str]] = field(default_factory=dict)  # row index → {column key or "": reason}
    form_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.form_errors

    def add(self, row: int, column: str, reason: str) -> None:
        self.errors.setdefault(row, {}).setdefault(column, reason)

    def messages(self, spec: TableSpec, row_label: Any = None) -> list[str]:
        """Every reason as one line in Chinese, naming the field by its header."""
        out = list(self.form_errors)
        for row, fields in sorted(self.errors.items()):
            prefix = "" if row_label is None else f"{row_label(row)}："
            for key, reason in fields.items():
                name = spec.column(key).header if key else "本行"
                out.append(f"{prefix}{name}：{reason}")
        return out


def _rule_errors(table: str, record: Mapping[str, Any], previous: Mapping[str, Any] | None,
                 today: dt.date) -> dict[str, str]:
    spec = TABLES_BY_KEY[table]
    errors: dict[str, str] = {}
    for col in spec.columns:
        value = record.get(col.key)
        if col.kind is Kind.DATE and isinstance(value, dt.date) and col.key not in FUTURE_DATES and value > today:
            errors[col.key] = f"不能晚于今天（{today.isoformat()}）"
    if table == "penalties":
        until, decided = record.get("blacklisted_until"), record.get("decided_on")
        if until is not None and decided is not None and until < decided:
            errors.setdefault("blacklisted_until", "黑名单截止日期早于决定日期")
    if table == "tipoffs":
        status = record.get("status")
        if previous is not None and previous.get("status") in TIPOFF_STATUSES and status in TIPOFF_STATUSES:
            if TIPOFF_STATUSES.index(status) < TIPOFF_STATUSES.index(previous["status"]):
                errors.setdefault("status", f"办理状态不能从“{previous['status']}”退回“{status}”")
        if status == "已办结" and record.get("resolved_on") is None:
            errors.setdefault("resolved_on", "办理状态为“已办结”时须填写办结日期")
        if status != "已办结" and record.get("resolved_on") is not None:
            errors.setdefault("resolved_on", "尚未办结的线索不应填写办结日期")
    return errors


def validate(engine: Engine, settings: Settings, principal: Principal, table: str,
             rows: Sequence[Mapping[str, Any]], *, previous: Sequence[Mapping[str, Any] | None] = (),
             today: dt.date | None = None) -> Checked:
    """Parse and check form rows exactly as an upload of them would be checked, plus the form's rules.

    `previous` holds the stored record each row replaces (None for a new one), for the workflow rules.
    """
    spec = TABLES_BY_KEY[table]
    towns = directory(settings)
    today = today or local_today()
    checked = Checked(records=[])
    for index, raw in enumerate(rows):
        record, errors = parse_row(spec, raw, towns)
        before = previous[index] if index < len(previous) else None
        for key, reason in {**_rule_errors(table, record, before, today), **errors}.items():
            checked.add(index, key, reason)
        checked.records.append(record)
    if not checked.ok or not rows:
        return checked
    upload = Upload(f"{table}.csv", one_table_csv(spec, checked.records))
    report = import_package(upload, engine, settings, actor=actor_label(principal), dry_run=True,
                            principal=principal)
    known = {c.key for c in spec.columns}
    for problem in report.problems:
        if problem.row is None or not 2 <= problem.row < 2 + len(rows):
            checked.form_errors.append(problem.reason)
            continue
        column = problem.column if problem.column in known else FORM_ROW
        checked.add(problem.row - 2, column, problem.reason)
    if report.problems_not_listed:
        checked.form_errors.append(f"另有{report.problems_not_listed}处错误未列出")
    return checked


@dataclass(frozen=True)
class FormRow:
    """One row a form submits: the raw field values, and what the form loaded (None for a new record)."""

    values: Mapping[str, Any]
    previous: Mapping[str, Any] | None = None
    expected_version: int | None = None
    create_only: bool = False


@dataclass
class Outcome:
    """What became of a form submission: saved rows, or the reasons nothing was saved."""

    checked: Checked
    saved: list[Saved] = field(default_factory=list)
    conflict: WriteConflict | None = None
    refused: str | None = None

    @property
    def ok(self) -> bool:
        return self.checked.ok and self.conflict is None and self.refused is None

    @property
    def changed(self) -> int:
        return sum(1 for s in self.saved if s.action != "unchanged")


def submit(engine: Engine, settings: Settings, principal: Principal, table: str, rows: Sequence[FormRow],
           *, today: dt.date | None = None) -> Outcome:
    """Check the rows like an upload, then save them all in one transaction (or none of them)."""
    checked = validate(engine, settings, principal, table, [r.values for r in rows],
                       previous=[r.previous for r in rows], today=today)
    outcome = Outcome(checked)
    if not checked.ok:
        return outcome
    writes = [RowWrite(record, row.expected_version, row.create_only)
              for record, row in zip(checked.records, rows, strict=True)]
    try:
        outcome.saved = save_rows(engine, principal, settings.security, table, writes)
    except WriteConflict as exc:
        outcome.conflict = exc
    except (PermissionDenied, ValueError) as exc:
        outcome.refused = str(exc)
    return outcome
