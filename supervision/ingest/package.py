"""Reading a data package: a folder of CSV files, a .zip of them, an .xlsx workbook, or one CSV file.

Nothing here judges the values; it yields each table's rows with the row
numbers a user sees (header = row 1) and names every file it cannot read.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO, Any

from supervision.core.spec import TableSpec, table_for_name

Row = tuple[int, list[Any]]
BinaryOpener = Callable[[], AbstractContextManager[IO[bytes]]]

# Sheets a template may carry besides the tables: instructions and hidden drop-down lists.
RESERVED_SHEETS = {"说明", "填写说明", "instructions", "readme"}
_BLOCK = 1 << 20
# What a damaged member of a .zip raises while it is read (bad deflate data, CRC mismatch, truncation).
_DAMAGED = (OSError, EOFError, RuntimeError, zlib.error, zipfile.BadZipFile)
_UTF8_NAME_FLAG = 0x800


class PackageError(Exception):
    """A file that cannot be read as a table; the message is shown to the user."""


@dataclass(frozen=True)
class Upload:
    """A package received as bytes (an upload in the app)."""

    name: str
    data: bytes


@dataclass
class SourceTable:
    """One table found in the package, read lazily so large files stream."""

    label: str
    spec: TableSpec
    read_rows: Callable[[], Iterator[Row]]


@dataclass
class Package:
    label: str
    tables: list[SourceTable]
    problems: list[tuple[str, str]]  # (file label, reason) for files that are not usable tables


def detect_encoding(open_binary: BinaryOpener) -> str:
    """UTF-8 (with or without BOM) or GB18030, decided from the whole file, never asked."""
    with open_binary() as fh:
        head = fh.read(3)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
        if _decodes(open_binary, "utf-8"):
            return encoding
        raise PackageError("文件以UTF-8标记开头，但内容含无法解码的字节")
    for encoding in ("utf-8", "gb18030"):
        if _decodes(open_binary, encoding):
            return encoding
    raise PackageError("无法识别文件编码（支持UTF-8和GB18030/GBK），或不是文本表格文件")


def _decodes(open_binary: BinaryOpener, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    with open_binary() as fh:
        try:
            while block := fh.read(_BLOCK):
                if b"\x00" in block:
                    raise PackageError("不是文本表格文件（含二进制内容）")
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def csv_rows(open_binary: BinaryOpener) -> Iterator[Row]:
    """Rows of a CSV file; the record number is the row a spreadsheet shows."""
    try:
        encoding = detect_encoding(open_binary)
        with open_binary() as fh:
            stream = io.TextIOWrapper(fh, encoding=encoding, newline="")
            reader = csv.reader(stream)
            try:
                for number, record in enumerate(reader, start=1):
                    yield number, list(record)
            except csv.Error as exc:
                raise PackageError(f"CSV格式错误（第{reader.line_num}行附近）：{exc}") from None
    except _DAMAGED:
        # A damaged member of a .zip fails only when read: report the file, never crash.
        raise PackageError("文件已损坏，无法读取（压缩数据错误）") from None


def _xlsx_rows(workbook_opener: Callable[[], Any], sheet_name: str) -> Iterator[Row]:
    workbook = workbook_opener()
    try:
        sheet = workbook[sheet_name]
        # Dimensions written by other tools are often wrong; read to the real end.
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)
    except PackageError:
        raise
    except Exception:  # noqa: BLE001 - openpyxl lets its XML parser's and zipfile's errors through
        # A workbook that opens may still hold a damaged sheet (truncated XML, bad deflate data).
        raise PackageError("工作表已损坏，无法读取") from None
    finally:
        workbook.close()


MACRO_REFUSAL = ("工作簿含有宏（VBA代码），已拒绝：请在Excel中“另存为”普通的“Excel工作簿(*.xlsx)”"
                 "（不含宏）后再导入")


def _has_macros(data: bytes) -> bool:
    """Whether a workbook carries VBA: a macro-enabled workbook renamed .xlsx still holds vbaProject.bin."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n.lower() for n in archive.namelist()]
            if any(n.endswith("vbaproject.bin") or n.endswith("vbadata.xml") for n in names):
                return True
            if "[content_types].xml" in names:
                types = archive.read(next(i for i in archive.infolist()
                                          if i.filename.lower() == "[content_types].xml")).lower()
                return b"macroenabled" in types or b"vbaproject" in types
    except (zipfile.BadZipFile, *_DAMAGED):
        return False  # not a workbook at all: openpyxl names that problem
    return False


@dataclass(frozen=True)
class Limits:
    """How far a compressed package may expand: in all, per file inside it (bytes)."""

    unpacked: int = 1000 * 2**20
    member: int = 500 * 2**20


def _expansion_problem(infos: list[zipfile.ZipInfo], limits: Limits, what: str) -> str | None:
    """Why a .zip or .xlsx expands too far, judged from its directory before anything is decompressed.

    zipfile never yields more than a member's declared size (it stops there and checks the CRC), so
    the directory's sizes bound what reading can cost; `_Bounded` enforces the member limit again.
    """
    big = next((i for i in infos if i.file_size > limits.member), None)
    if big is not None:
        return (f"{what}中的文件“{_member_name(big)}”解压后为{big.file_size / 2**20:,.0f} MB，"
                f"超过单个文件{limits.member // 2**20} MB的上限，已拒绝")
    total = sum(i.file_size for i in infos)
    if total > limits.unpacked:
        return f"{what}解压后共{total / 2**20:,.0f} MB，超过{limits.unpacked // 2**20} MB的上限，已拒绝"
    return None


class _Bounded(io.RawIOBase):
    """A member of a .zip read as a stream that stops with a PackageError past the member limit."""

    def __init__(self, inner: IO[bytes], limit: int, name: str) -> None:
        self.inner, self.limit, self.name, self.count = inner, limit, name, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.inner.read(len(buffer))
        self.count += len(data)
        if self.count > self.limit:
            raise PackageError(f"“{self.name}”解压后超过{self.limit // 2**20} MB的上限，已停止读取")
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.inner.close()
        super().close()


def _open_workbook(open_binary: BinaryOpener, limits: Limits = Limits()) -> Any:
    from openpyxl import load_workbook

    with open_binary() as fh:
        data = fh.read()
    if _has_macros(data):
        raise PackageError(MACRO_REFUSAL)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            problem = _expansion_problem(archive.infolist(), limits, "工作簿")
    except zipfile.BadZipFile:
        problem = None  # openpyxl names it below
    if problem:
        raise PackageError(problem)
    try:
        # data_only=False: a formula is read as its text and never evaluated.
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:
        raise PackageError("无法打开工作簿：文件已损坏或不是有效的xlsx文件") from None


def _table_or_problem(stem: str, label: str, problems: list[tuple[str, str]]) -> TableSpec | None:
    spec = table_for_name(stem)
    if spec is None:
        problems.append((label, f"“{stem}”不是规定的表名（应为英文表名或中文表名，如 invoices 或 稀土专用发票）"))
    return spec


def _ignored(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return any(p.startswith(".") or p == "__MACOSX" for p in parts) or name.endswith("/")


def _read_workbook(label: str, open_binary: BinaryOpener, limits: Limits) -> Package:
    problems: list[tuple[str, str]] = []
    try:
        workbook = _open_workbook(open_binary, limits)
    except PackageError as exc:
        return Package(label, [], [(label, str(exc))])
    names = workbook.sheetnames
    workbook.close()
    tables: list[SourceTable] = []
    for sheet in names:
        if sheet.strip().lower() in RESERVED_SHEETS or sheet.startswith("_"):
            continue
        spec = _table_or_problem(sheet, f"{label}［{sheet}］", problems)
        if spec is not None:
            tables.append(
                SourceTable(
                    f"{label}［{sheet}］",
                    spec,
                    partial(_xlsx_rows, partial(_open_workbook, open_binary), sheet),
                )
            )
    if not tables and not problems:
        problems.append((label, "工作簿中没有规定的数据表"))
    return Package(label, tables, problems)


def _file_opener(path: Path) -> BinaryOpener:
    return lambda: open(path, "rb")


def _bytes_opener(data: bytes) -> BinaryOpener:
    return lambda: io.BytesIO(data)


def _read_csv_files(label: str, files: list[tuple[str, BinaryOpener]]) -> Package:
    problems: list[tuple[str, str]] = []
    tables: list[SourceTable] = []
    for name, opener in files:
        path = PurePosixPath(name)
        if path.suffix.lower() != ".csv":
            hint = "（xlsx工作簿请单独导入）" if path.suffix.lower() in (".xlsx", ".xls") else ""
            problems.append((name, f"不是CSV表格文件{hint}"))
            continue
        spec = _table_or_problem(path.stem, name, problems)
        if spec is not None:
            tables.append(SourceTable(name, spec, partial(csv_rows, opener)))
    if not tables and not problems:
        problems.append((label, "数据包中没有CSV表格文件"))
    return Package(label, tables, problems)


def _zip_opener(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> BinaryOpener:
    return lambda: io.BufferedReader(_Bounded(archive.open(info), limit, _member_name(info)), _BLOCK)


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author typed it.

    Windows' "send to compressed folder" and most Chinese zip tools store names in
    the ANSI code page (GBK) without the UTF-8 flag; zipfile then decodes them as
    CP437 and 企业名录.csv arrives as mojibake. Undo that: UTF-8 if the bytes are, else GB18030.
    """
    name = info.filename
    if info.flag_bits & _UTF8_NAME_FLAG or name.isascii():
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


def _read_zip(label: str, open_binary: BinaryOpener, limits: Limits) -> Package:
    with open_binary() as fh:
        data = fh.read()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not _ignored(i.filename)]
    except zipfile.BadZipFile:
        return Package(label, [], [(label, "无法打开压缩包：文件已损坏或不是zip文件")])
    problem = _expansion_problem(infos, limits, "压缩包")
    if problem:
        return Package(label, [], [(label, problem)])
    files = [(_member_name(i), _zip_opener(archive, i, limits.member)) for i in infos]
    return _read_csv_files(label, files)


def read_package(source: Path | Upload, limits: Limits = Limits()) -> Package:
    """Find the tables of a package; unreadable files become problems, not exceptions."""
    if isinstance(source, Upload):
        label, opener, suffix = source.name, _bytes_opener(source.data), PurePosixPath(source.name).suffix.lower()
    else:
        if source.is_dir():
            files = sorted(
                (str(p.relative_to(source)), _file_opener(p))
                for p in source.rglob("*")
                if p.is_file() and not _ignored(str(p.relative_to(source)))
            )
            return _read_csv_files(source.name, files)
        label, opener, suffix = source.name, _file_opener(source), source.suffix.lower()
    if suffix == ".xlsx":
        return _read_workbook(label, opener, limits)
    if suffix == ".zip":
        return _read_zip(label, opener, limits)
    if suffix == ".csv":
        return _read_csv_files(label, [(label, opener)])
    if suffix == ".xls":
        return Package(label, [], [(label, "不支持旧版.xls格式，请在Excel中另存为.xlsx后导入")])
    return Package(label, [], [(label, "不支持的文件类型：数据包应为CSV文件夹、.zip压缩包或.xlsx工作簿")])


def source_digest(source: Path | Upload) -> str:
    """The SHA-256 of what was imported: the file's bytes, or for a folder its files' names and bytes in order."""
    if isinstance(source, Upload):
        return hashlib.sha256(source.data).hexdigest()
    paths = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
    outer = hashlib.sha256()
    for path in paths:
        inner = hashlib.sha256()
        with open(path, "rb") as fh:
            while block := fh.read(_BLOCK):
                inner.update(block)
        if not source.is_dir():
            return inner.hexdigest()
        outer.update(f"{path.relative_to(source).as_posix()}\0{inner.hexdigest()}\n".encode())
    return outer.hexdigest()
