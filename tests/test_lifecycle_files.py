"""Evidence files: the type told by the content, size limits, and downloads only for those who may see."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from lifecycle_support import AS_OF, AUG, CX, HB, HTML, LEADER, PDF, PNG, SX, docx, finding_id, world
from sqlalchemy import func, select

from supervision.lifecycle import queries
from supervision.lifecycle.files import EvidenceRefused, Upload, check_upload, detect_kind
from supervision.lifecycle.machine import FindingNotFound, sync_findings, transition
from supervision.storage.models import FindingFile


def _reporting(db, settings):
    ids = world(db)
    sync_findings(db, settings, 2019, AS_OF, day=AUG)
    fid = finding_id(db, "R14", ids["cx"])
    transition(db, settings, HB, fid, "assign")
    transition(db, settings, CX, fid, "start")
    return fid


def test_kinds_are_told_by_content():
    assert detect_kind(PDF) == "PDF"
    assert detect_kind(PNG) == "PNG"
    assert detect_kind(b"\xff\xd8\xff\xe0" + b"\0" * 20) == "JPEG"
    assert detect_kind(docx()) == "DOCX"
    assert detect_kind(b"PK\x03\x04 not really a zip") is None
    assert check_upload(Upload("C:\\Users\\a\\整改.docx", docx()), 20).filename == "整改.docx"


@pytest.mark.parametrize(("upload", "expected"), [
    (Upload("现场照片.pdf", PNG), "文件“现场照片.pdf”的内容是PNG 图片，与扩展名“.pdf”不符"),
    (Upload("整改报告.pdf", HTML),
     "文件“整改报告.pdf”按内容识别为网页或标记文本（HTML/XML），只接受 PDF、JPG/PNG、DOCX、XLSX 文件"),
    (Upload("空.pdf", b""), "文件“空.pdf”是空文件（0 字节），未上传"),
    (Upload("大.pdf", PDF + b"\0" * (1024 * 1024)), "文件“大.pdf”大小为 1.0 MB，超过单个附件上限 1 MB"),
])
def test_refused_files_are_named_with_the_reason_and_nothing_is_written(db, settings, upload, expected):
    fid = _reporting(db, settings)
    small = dataclasses.replace(settings, findings=dataclasses.replace(settings.findings, max_file_mb=1))
    with pytest.raises(EvidenceRefused) as info:
        transition(db, small, CX, fid, "report", measures="已整改", files=[pdf_ok(), upload])
    assert str(info.value) == expected or str(info.value).startswith(expected)
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(FindingFile)).scalar_one() == 0


def pdf_ok() -> Upload:
    return Upload("整改报告.pdf", PDF)


def test_files_are_stored_with_their_hash_and_served_only_to_those_who_may_see(db, settings):
    fid = _reporting(db, settings)
    transition(db, settings, CX, fid, "report", measures="已整改",
               files=[Upload("现场照片.png", PNG), Upload("整改方案.docx", docx())])
    listed = queries.files(db, CX, fid)
    assert listed["filename"].tolist() == ["现场照片.png", "整改方案.docx"]
    assert listed["sha256"].iloc[0] == hashlib.sha256(PNG).hexdigest()
    file_id = int(listed["id"].iloc[0])
    for who in (CX, HB, LEADER):
        got = queries.download(db, who, file_id)
        assert (got.content, got.media_type, got.filename) == (PNG, "image/png", "现场照片.png")
    with pytest.raises(FindingNotFound, match="无权下载"):
        queries.download(db, SX, file_id)  # another township, asking by id
    assert queries.files(db, SX, fid).empty
    with pytest.raises(FindingNotFound):
        queries.download(db, HB, file_id + 1000)
