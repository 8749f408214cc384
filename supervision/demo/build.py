"""Deterministic demo data for Taicang 2018–2020, written as a data package and imported like any other.

`write_demo_package` writes one CSV per table of the data-exchange specification, byte-identical on
every run (seeded random streams per subject, no clock, sorted output). `build_demo_database` imports
it through `supervision.ingest.importer` as `principal.DEMO_ACTOR`, so the app shows its "fictional" banner.
The scenario is in `supervision.demo.scenario`, the simulated flows in `.economy`, the rows in `.tables`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy import text as sql

from supervision.core.config import Settings
from supervision.core.spec import TABLES_BY_KEY
from supervision.demo.tables import demo_tables
from supervision.storage.db import bump_data_version
from supervision.storage.models import DATA_MODELS, AuditEntry, Base, ImportBatch

# Writing the package the way the departments would: mostly Excel CSV (UTF-8 with BOM, Chinese
# headers), two system exports with English headers, one township file saved as GB18030.


@dataclass(frozen=True)
class FileStyle:
    name: str
    english: bool = False
    encoding: str = "utf-8-sig"
    dates: str = "iso"  # iso: 2019-08-13, slash: 2019/08/13, chinese: 2019年8月13日


FILE_STYLES: dict[str, FileStyle] = {
    "enterprises": FileStyle("企业名录.csv"),
    "quotas": FileStyle("总量控制指标.csv"),
    "monthly_reports": FileStyle("企业月报.csv"),
    "invoices": FileStyle("稀土专用发票.csv"),
    "traceability": FileStyle("traceability.csv", english=True, encoding="utf-8"),
    "resource_tax": FileStyle("资源税完税证明.csv", dates="slash"),
    "licenses": FileStyle("进出口许可证.csv"),
    "customs": FileStyle("customs.csv", english=True),
    "environment": FileStyle("环保监管记录.csv"),
    "self_checks": FileStyle("企业自查表.csv"),
    "township_reports": FileStyle("镇(区)自查情况汇总表.csv", encoding="gb18030", dates="chinese"),
    "scoring_items": FileStyle("督查评价表条目.csv"),
    "inspection_scores": FileStyle("督查评分.csv"),
    "tipoffs": FileStyle("举报线索.csv"),
    "penalties": FileStyle("行政处罚与黑名单.csv"),
}


def _cell(value: Any, dates: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        # As Excel shows a typed number: no trailing zeros, never an exponent.
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, dt.date):
        if dates == "slash":
            return f"{value.year}/{value.month:02d}/{value.day:02d}"
        if dates == "chinese":
            return f"{value.year}年{value.month}月{value.day}日"
        return value.isoformat()
    return str(value)


def _csv_bytes(key: str, rows: Iterable[dict[str, Any]], style: FileStyle) -> bytes:
    spec = TABLES_BY_KEY[key]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.key if style.english else c.header for c in spec.columns])
    for row in rows:
        writer.writerow([_cell(row.get(c.key), style.dates) for c in spec.columns])
    return buffer.getvalue().encode(style.encoding)


def write_demo_package(out_dir: Path, settings: Settings) -> Path:
    """Write the demo package (one CSV per table) into out_dir; the same bytes on every run."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for key, rows in demo_tables(settings).items():
        style = FILE_STYLES[key]
        (out_dir / style.name).write_bytes(_csv_bytes(key, rows, style))
    return out_dir


# Building the demo database.


class DemoBuildError(Exception):
    """The demo package was rejected by the importer: a bug in the generator, reported with the summary."""


_BUSINESS_TABLES: tuple[type[Base], ...] = (*DATA_MODELS.values(), AuditEntry, ImportBatch)
_TABLE_LABELS = {**{key: spec.name for key, spec in TABLES_BY_KEY.items()}, "audit_log": "审计日志",
                 "import_batches": "导入记录"}


def business_row_counts(engine: Engine) -> dict[str, int]:
    """Rows per business table (the data tables, the audit log and the import batches)."""
    with engine.connect() as conn:
        return {model.__tablename__: int(conn.execute(select(func.count()).select_from(model)).scalar_one())
                for model in _BUSINESS_TABLES}


def _clear_business_data(engine: Engine) -> None:
    """Delete every business row in one transaction; townships and the schema version stay."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # The audit log is append-only (migration 0005); replacing the demo is the operator's maintenance.
            conn.execute(sql("SET LOCAL supervision.audit_maintenance = 'on'"))
        ordered: tuple[type[Base], ...] = (AuditEntry, *reversed(DATA_MODELS.values()), ImportBatch)
        for model in ordered:
            conn.execute(delete(model))
        bump_data_version(conn)


def _check_output_folder(folder: Path) -> None:
    from supervision.core.errors import UsageError

    ours = {style.name for style in FILE_STYLES.values()}
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"演示数据包输出位置不是文件夹：{folder}")
    if folder.is_dir():
        foreign = sorted(p.name for p in folder.iterdir() if p.name not in ours)
        if foreign:
            raise UsageError(f"输出文件夹{folder}中已有其他文件（{'、'.join(foreign[:5])}），"
                             "为免其被一并导入，请指定一个空文件夹")


def build_demo_database(engine: Engine, settings: Settings, *, replace: bool = False, if_empty: bool = False,
                        keep_package: Path | None = None) -> str:
    """Generate the demo package and import it through the ordinary importer as the demo actor."""
    from supervision.core.errors import UsageError
    from supervision.core.principal import DEMO_ACTOR
    from supervision.ingest.importer import import_package

    counts = business_row_counts(engine)
    held = {name: n for name, n in counts.items() if n}
    if held and if_empty:
        # Any business data counts, not only enterprises: `make run` must never mix demo and real rows.
        return f"数据库中已有数据（企业{counts['enterprises']}家），未导入演示数据。"
    if held and not replace:
        shown = "、".join(f"{_TABLE_LABELS[name]}{n}行" for name, n in held.items())
        raise UsageError(f"数据库中已有业务数据（{shown}），未作任何修改。"
                         "如确需清空全部业务数据与审计记录并改为演示数据，请加 --replace。")
    if keep_package is not None:
        _check_output_folder(keep_package)
    with tempfile.TemporaryDirectory(prefix="supervision-demo-") as scratch:
        folder = keep_package or Path(scratch) / "演示数据包"
        write_demo_package(folder, settings)
        if held:
            # Validate before deleting anything, so a generator bug never leaves an empty database.
            trial = import_package(folder, engine, settings, actor=DEMO_ACTOR, dry_run=True)
            if not trial.ok:
                raise DemoBuildError(trial.summary())
            _clear_business_data(engine)
        report = import_package(folder, engine, settings, actor=DEMO_ACTOR)
    if not report.ok:
        raise DemoBuildError(report.summary())
    saved = f"\n演示数据包已保存到：{keep_package}" if keep_package is not None else ""
    action = "已清空原有业务数据并导入" if held else "已导入"
    return f"{action}演示数据（企业均为虚构，仅供演示）。\n{report.summary()}{saved}"
