"""Output and upload hygiene shared by every page, download and export.

- Spreadsheet formula injection: a cell that starts with = + - @ (or a tab or
  line break) is a formula to Excel, WPS and LibreOffice when a CSV is opened or
  a cell is edited. Text from departments' files is stored as given (spec 2), so
  every export passes through `neutralise()`: such text gets a leading
  apostrophe, which those programs show as text and never evaluate.
- Markdown: Streamlit escapes HTML in markdown, but not links or images, so any
  data put into st.markdown / st.caption / titles / labels goes through `md_escape()`
  (tests/test_markup_safety.py refuses anything else).
- Plotly: titles, ticks, hover texts, legends and annotations understand a subset of
  HTML (`<a href>`, `<b>`, `<br>`, ...), so data text in a figure goes through `plot_text()`.
- Uploads: checked for size and type before they are read, and if one must be
  put on disk it goes under a fresh temporary folder with a cleaned name.
"""

from __future__ import annotations

import html
import io
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import pandas as pd

# What spreadsheet programs read as the start of a formula or a DDE call (OWASP "CSV injection"),
# plus the full-width forms that some Chinese input methods produce.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:/&^=])")
# Bidirectional overrides and isolates: they make text read differently from what it is (e.g. "exe.pdf").
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Streamlit finds autolinks (http://, www., e-mail), :material/...: icons and :emoji: in the text *after*
# markdown escapes are resolved, so escaping cannot stop them: an invisible word joiner breaks the pattern.
_WJ = "\u2060"
_TEXT_PATTERNS = re.compile(r"(?i)(?<=\\:)(?=[a-z_+\-\\])|(?<=www)(?=\\\.)|(?=@)")

UPLOAD_TYPES = (".csv", ".zip", ".xlsx")


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, made inert; every other value unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` with every text cell and column name neutralised."""
    out = df.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise).astype(object)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame],
               number_formats: Mapping[str, Mapping[str, str]] | None = None) -> bytes:
    """An .xlsx workbook of the frames, neutralised, every text written as text (never as a formula or link).

    `number_formats` gives, per sheet name, an Excel number format per column header
    (e.g. "#,##0.000" for tonnes, "0.0%" for a ratio, "yyyy-mm-dd" for dates).
    """
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options},
                        date_format="yyyy-mm-dd", datetime_format="yyyy-mm-dd hh:mm") as writer:
        for name, frame in sheets.items():
            sheet = safe_sheet_name(name)
            neutralise_frame(frame).to_excel(writer, sheet_name=sheet, index=False)
            worksheet = writer.sheets[sheet]
            formats = (number_formats or {}).get(name, {})
            for i, column in enumerate(frame.columns):
                texts = [str(column), *frame[column].head(200).map(lambda x: "" if x is None else str(x))]
                width = min(60, max(8, *(_display_width(t) for t in texts)))
                pattern = formats.get(str(column))
                cell_format = writer.book.add_format({"num_format": pattern}) if pattern else None
                worksheet.set_column(i, i, width, cell_format)
    return buffer.getvalue()


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (what Excel on Chinese Windows opens correctly), neutralised."""
    return neutralise_frame(df).to_csv(index=False).encode("utf-8-sig")


def safe_sheet_name(name: str) -> str:
    """Excel forbids []:*?/\\ in sheet names and allows 31 characters."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'") or "Sheet"
    return cleaned[:31]


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text) + 2


def md_escape(text: Any) -> str:
    """Data as literal text inside Streamlit markdown: no links, images, emphasis, HTML, icons, colours or LaTeX.

    A missing value (None, NaN, NaT) is shown as a dash, as in the tables, never as "None" or "nan".
    """
    if text is None or (not isinstance(text, str) and pd.api.types.is_scalar(text) and pd.isna(text)):
        return "—"
    plain = _BIDI.sub("", str(text)).replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    # Leading spaces would make an indented code block; no-break spaces are not indentation to markdown.
    plain = re.sub(r"^[ \t]+", lambda m: "\u00a0" * len(m.group()), plain)
    return _TEXT_PATTERNS.sub(_WJ, _MD_SPECIAL.sub(r"\\\1", plain))


def plot_text(value: Any) -> Any:
    """Data text for a plotly figure, shown as written: no tags (<a href>, <b>, <br>), entities or LaTeX.

    Numbers, dates and missing values are returned unchanged, so numeric axes stay numeric.
    """
    if not isinstance(value, str):
        return value
    return _BIDI.sub("", html.escape(value, quote=False)).replace("$", "&#36;").replace("\n", " ")


def plot_texts(values: Iterable[Any]) -> list[Any]:
    """`plot_text` of every value (for x/y categories, text and customdata arrays)."""
    return [plot_text(v) for v in values]


def safe_filename(name: str, default: str = "upload") -> str:
    """The last path component only, without control characters, reserved characters or leading dots."""
    base = PureWindowsPath(PurePosixPath(name.replace("\x00", "")).name).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r'[<>:"/\\|?*]', "_", base).strip().lstrip(".")
    if not base or base in (".", ".."):
        return default
    stem, dot, suffix = base.rpartition(".")
    if dot and len(base) > 120:
        return stem[: 119 - len(suffix)] + "." + suffix
    return base[:120]


def upload_problem(name: str, size: int, max_mb: int) -> str | None:
    """Why an upload is refused (in Chinese), or None when its size and type are acceptable."""
    suffix = PurePosixPath(safe_filename(name)).suffix.lower()
    if suffix not in UPLOAD_TYPES:
        return f"不支持的文件类型“{suffix or '无扩展名'}”：只接受 {'、'.join(UPLOAD_TYPES)} 文件"
    if size > max_mb * 2**20:
        return f"文件过大（{size / 2**20:.1f} MB），上限为 {max_mb} MB"
    if size == 0:
        return "文件为空"
    return None


@contextmanager
def staged_upload(name: str, data: bytes) -> Iterator[Path]:
    """The upload as a file inside a fresh temporary folder, removed afterwards whatever happens."""
    with tempfile.TemporaryDirectory(prefix="supervision-upload-") as folder:
        root = Path(folder).resolve()
        path = (root / safe_filename(name)).resolve()
        if path.parent != root:  # cannot happen after safe_filename; kept as the last line of defence
            raise ValueError("upload name escapes the temporary folder")
        with open(path, "xb") as fh:
            fh.write(data)
        yield path
