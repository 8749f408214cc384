"""The 整改台账 as a workbook: download, fill in the measures offline, upload, preview, confirm (all or nothing).

The workbook carries each finding's number and version. On upload every row is checked before anything is
written: only the 整改措施 column may change, only by the finding's assignee while it is being rectified, and a
row whose finding changed since the download is refused with its current value. The confirm writes every
change in one transaction with the same version check, or none.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select, update

from supervision.access import audit
from supervision.core.config import Settings
from supervision.core.principal import Principal
from supervision.core.safety import xlsx_bytes
from supervision.lifecycle import queries
from supervision.lifecycle import states as s
from supervision.lifecycle.machine import (
    FindingConflict,
    bump_lifecycle_version,
    finding_key,
    local_today,
    may_see,
    refusal,
    stamp,
    write_history,
)
from supervision.storage.models import FindingRecord

F = FindingRecord
SHEET = "整改台账"
ID, VERSION, MEASURES = "编号", "版本", "整改措施"
# Workbook column → ledger column; only MEASURES may be changed in the file.
COLUMNS: dict[str, str] = {
    ID: "id", VERSION: "version", "规则": "rule", "名称": "rule_name", "企业": "enterprise_name", "镇区": "township",
    "状态": "state", "整改责任单位": "assignee", "整改期限": "deadline", MEASURES: "measures",
    "交办日期": "assigned_on", "报送日期": "reported_on", "销号日期": "closed_on", "理由": "reason",
    "问题描述": "message",
}
LOCKED = ("状态", "整改责任单位", "整改期限")  # checked: a change there is refused, not silently dropped
EDIT_ACTION = s.Action("measures", "填写整改措施", frozenset(s.DUE), "", s.ASSIGNEE)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def workbook(engine: Engine, settings: Settings, principal: Principal, year: int,
             today: dt.date | None = None, township: str | None = None) -> bytes:
    """The year's findings the principal may see as an .xlsx, every cell text, with a sheet saying how to fill it."""
    today = today or local_today()
    frame = queries.ledger(engine, settings, principal, year, today, township=township)
    sheet = pd.DataFrame({header: [_text(v) for v in frame[column]] for header, column in COLUMNS.items()},
                         columns=list(COLUMNS))
    about = pd.DataFrame({"说明": [
        f"{year}年整改台账，导出于{today:%Y-%m-%d}，共{len(frame)}条。",
        f"只能修改“{MEASURES}”一列，且只能填写交办给本单位、状态为“已交办”或“整改中”的问题。",
        f"请勿修改“{ID}”和“{VERSION}”：上传时据此核对下载后是否已有他人办理。",
        "上传后先预览每一处修改，确认后一次全部保存；任何一行有误则全部不保存。",
        "报送整改情况（转为待核查）、上传证明材料仍在问题页面办理。",
    ]})
    return xlsx_bytes({SHEET: sheet, "填写说明": about})


@dataclass(frozen=True)
class Problem:
    row: int | None  # the spreadsheet's row number (the header is row 1)
    column: str | None
    message: str

    def __str__(self) -> str:
        where = "".join([f"第{self.row}行" if self.row else "", f"列“{self.column}”" if self.column else ""])
        return f"{where}：{self.message}" if where else self.message


@dataclass(frozen=True)
class Change:
    row: int
    finding_id: int
    version: int
    label: str
    old: str
    new: str


@dataclass
class LedgerPreview:
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _read(data: bytes) -> pd.DataFrame | Problem:
    if not data.startswith(b"PK\x03\x04"):
        return Problem(None, None, "文件不是有效的 Excel 工作簿（.xlsx）")
    try:
        frame = pd.read_excel(io.BytesIO(data), sheet_name=SHEET, dtype=str, keep_default_na=False)
    except ValueError:
        return Problem(None, None, f"文件中没有名为“{SHEET}”的工作表，请上传从本系统下载的整改台账")
    except (zipfile.BadZipFile, OSError, KeyError):
        return Problem(None, None, "文件不是有效的 Excel 工作簿（.xlsx）")
    missing = [c for c in (ID, VERSION, MEASURES) if c not in frame.columns]
    if missing:
        return Problem(1, "、".join(missing), "缺少此列，请使用从本系统下载的整改台账")
    return frame


def preview(engine: Engine, settings: Settings, principal: Principal, data: bytes,
            today: dt.date | None = None) -> LedgerPreview:
    """What the uploaded ledger would change, or every problem with its row and column; nothing is written."""
    today = today or local_today()
    read = _read(data)
    out = LedgerPreview()
    if isinstance(read, Problem):
        out.problems.append(read)
        return out
    out.rows = len(read)
    ids: dict[int, int] = {}
    for i, raw in enumerate(read[ID], start=2):
        text = str(raw).strip()
        if not text.isdigit():
            out.problems.append(Problem(i, ID, f"编号“{text}”不是有效的问题编号"))
        elif int(text) in ids.values():
            out.problems.append(Problem(i, ID, f"问题{text}在台账中出现了两次"))
        else:
            ids[i] = int(text)
    with engine.connect() as conn:
        current = {r.id: r for r in conn.execute(select(F).where(F.id.in_(list(ids.values()))))} if ids else {}
    for i, fid in ids.items():
        line = read.iloc[i - 2]
        row = current.get(fid)
        if row is None or not may_see(principal, row):
            out.problems.append(Problem(i, ID, f"找不到问题{fid}，或无权查看"))
            continue
        now = queries.row_record(row, today, settings.findings.amber_days)
        new = str(line[MEASURES]).strip()
        old = row.measures or ""
        if str(line[VERSION]).strip() != str(row.version):
            # Changed by someone else since the download: its other cells are old, not edits; refuse only
            # what the upload would overwrite, and show what is there now.
            if new != old:
                out.problems.append(Problem(
                    i, MEASURES, f"问题{fid}在下载台账后已被他人办理（当前状态“{row.state}”，"
                                 f"当前整改措施：“{old or '（空）'}”），本行未保存；请重新下载台账"))
            continue
        for header in LOCKED:
            shown = _text(now[COLUMNS[header]])
            if header in read.columns and str(line[header]).strip() != shown:
                out.problems.append(Problem(i, header, f"此列不能在台账中修改（当前：“{shown}”）；"
                                                       "交办、期限和状态请在问题页面办理"))
        if new == old:
            continue
        why = refusal(principal, row, EDIT_ACTION)
        if why is None and row.state not in s.DUE:
            why = f"该问题当前为“{row.state}”，只有“已交办”或“整改中”的问题可以填写整改措施"
        if why:
            out.problems.append(Problem(i, MEASURES, why))
            continue
        if not new:
            out.problems.append(Problem(i, MEASURES, "整改措施不能清空"))
            continue
        label = f"问题{fid} {row.rule} {row.enterprise_name or row.subject}"
        out.changes.append(Change(i, fid, row.version, label, old, new))
    return out


def confirm(engine: Engine, principal: Principal, plan: LedgerPreview, day: dt.date | None = None) -> int:
    """Write every change of an accepted preview in one transaction (version-checked), or none; the count written."""
    if not plan.ok:
        raise ValueError("台账有错误，未保存")
    day = day or local_today()
    at = stamp(day)
    with engine.begin() as conn:
        for c in plan.changes:
            row = conn.execute(select(F).where(F.id == c.finding_id)).one()
            done = conn.execute(update(F).where(F.id == c.finding_id, F.version == c.version)
                                .values(measures=c.new, version=c.version + 1, updated_at=at))
            if done.rowcount != 1:
                raise FindingConflict(f"第{c.row}行：问题{c.finding_id}在预览后已被他人办理（当前状态“{row.state}”，"
                                      f"当前整改措施：“{row.measures or '（空）'}”），台账未保存任何修改",
                                      current_state=row.state, current_version=row.version)
            write_history(conn, c.finding_id, at, day, principal, "measures", row.state, row.state, c.new)
            audit.record(conn, principal, "update", "findings", finding_key(row.rule, row.subject, row.year),
                         {"measures": c.old}, {"measures": c.new}, at=at)
        if plan.changes:
            bump_lifecycle_version(conn)
    return len(plan.changes)
