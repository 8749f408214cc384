"""Evidence files: the type told by the content (magic bytes), never by the name; size limits; SHA-256."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

# kind → (media type, the extensions a file of that kind may carry)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "PDF": ("application/pdf", (".pdf",)),
    "PNG": ("image/png", (".png",)),
    "JPEG": ("image/jpeg", (".jpg", ".jpeg")),
    "DOCX": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "XLSX": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
}
KIND_NAMES = {"PDF": "PDF 文档", "PNG": "PNG 图片", "JPEG": "JPG 图片", "DOCX": "Word 文档（DOCX）",
              "XLSX": "Excel 表格（XLSX）"}
ALLOWED_TEXT = "PDF、JPG/PNG、DOCX、XLSX"


class EvidenceRefused(ValueError):
    """The file is not accepted; the message (Chinese) names the file and why."""


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    kind: str
    media_type: str
    size: int
    sha256: str
    content: bytes


def _office_kind(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "DOCX"
    if "xl/workbook.xml" in names:
        return "XLSX"
    return None


def detect_kind(content: bytes) -> str | None:
    """PDF, PNG, JPEG, DOCX or XLSX from the first bytes (and, for Office files, the archive's parts)."""
    if content.startswith(b"%PDF-"):
        return "PDF"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if content.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if content.startswith(b"PK\x03\x04"):
        return _office_kind(content)
    return None


def _describe_unknown(content: bytes) -> str:
    head = content[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml", b"<")):
        return "网页或标记文本（HTML/XML）"
    if content.startswith(b"PK\x03\x04"):
        return "压缩包（非 DOCX/XLSX）"
    if content.startswith(b"MZ") or content.startswith(b"\x7fELF"):
        return "可执行程序"
    return "无法识别的类型"


def clean_name(filename: str) -> str:
    """The file's own name without any folder a browser or client sent, at most 120 characters."""
    name = PureWindowsPath(PurePosixPath(filename).name).name.strip().replace("\x00", "")
    return (name or "附件")[-120:]


def check_upload(upload: Upload, max_mb: int) -> CheckedFile:
    """Accept the file or say why not: empty, too large, a type not allowed, or a name that lies about the type."""
    name = clean_name(upload.filename)
    size = len(upload.content)
    if size == 0:
        raise EvidenceRefused(f"文件“{name}”是空文件（0 字节），未上传")
    if size > max_mb * 1024 * 1024:
        raise EvidenceRefused(f"文件“{name}”大小为 {size / 1024 / 1024:.1f} MB，超过单个附件上限 {max_mb} MB")
    kind = detect_kind(upload.content)
    if kind is None:
        raise EvidenceRefused(f"文件“{name}”按内容识别为{_describe_unknown(upload.content)}，"
                              f"只接受 {ALLOWED_TEXT} 文件")
    media_type, extensions = KINDS[kind]
    suffix = PurePosixPath(name.lower()).suffix
    if suffix not in extensions:
        raise EvidenceRefused(f"文件“{name}”的内容是{KIND_NAMES[kind]}，与扩展名“{suffix or '无'}”不符；"
                              f"请确认文件后以 {extensions[0]} 扩展名重新上传")
    return CheckedFile(name, kind, media_type, size, hashlib.sha256(upload.content).hexdigest(), upload.content)
