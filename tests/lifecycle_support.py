"""A small world for the finding-lifecycle tests: two townships' enterprises, officers of each kind, sample files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from checks_support import Data
from sqlalchemy import Engine, select

from supervision.core.principal import Principal, Role
from supervision.lifecycle.files import Upload
from supervision.storage.models import FindingRecord

GXJ = Principal("l.gxj", "工信局经办", Role.BUREAU, department="工信局")
HB = Principal("l.hb", "生态环境局经办", Role.BUREAU, department="生态环境局")
CX = Principal("l.cx", "城厢镇经办", Role.TOWNSHIP, township="城厢镇")
SX = Principal("l.sx", "沙溪镇经办", Role.TOWNSHIP, township="沙溪镇")
LEADER = Principal("l.lead", "市领导", Role.LEADER)

AUG = dt.date(2019, 8, 20)
AS_OF = dt.date(2019, 12, 31)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def pdf(name: str = "整改报告.pdf") -> Upload:
    return Upload(name, PDF)


def world(engine: Engine) -> dict[str, str]:
    """A smelter without 环评批复 in 城厢镇 and one in 沙溪镇 (R14, 生态环境局), both without monthly reports."""
    d = Data()
    cx = d.enterprise(township="城厢镇", name="城厢稀土冶炼", eia_approved=False)
    sx = d.enterprise(township="沙溪镇", name="沙溪稀土冶炼", eia_approved=False)
    d.save(engine)
    return {"cx": cx, "sx": sx}


def finding_id(engine: Engine, rule: str, subject: str, year: int = 2019) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(FindingRecord.id).where(
            FindingRecord.rule == rule, FindingRecord.subject == subject, FindingRecord.year == year)).scalar_one())


def record(engine: Engine, fid: int) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(FindingRecord).where(FindingRecord.id == fid)).one()
