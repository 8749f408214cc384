"""Helpers for the export tests: the demo database, text pulled out of .pptx/.docx/.pdf, pixel checks."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageChops, ImageStat

from supervision.reporting import images

AS_OF_TEXT = "2019-08-20"
YEAR = 2019

needs_browser = pytest.mark.skipif(not images.export_available()[0],
                                   reason="Chromium or a CJK font is missing (make sysdeps installs them)")


def pptx_texts(data: bytes) -> list[dict[str, Any]]:
    """Per slide: its title, every text of its shapes and table cells, its notes, and its pictures' bytes."""
    from pptx import Presentation

    prs = Presentation(io.BytesIO(data))
    out = []
    for slide in prs.slides:
        texts, cells, pictures = [], [], []
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                cells.append([[c.text for c in row.cells] for row in shape.table.rows])
            if shape.shape_type == 13:  # MSO_SHAPE_TYPE.PICTURE
                pictures.append(shape.image.blob)
        title = slide.shapes.title.text_frame.text if slide.shapes.title is not None else ""
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        out.append({"title": title, "texts": texts, "tables": cells, "notes": notes, "pictures": pictures})
    return out


def docx_outline(data: bytes) -> tuple[list[tuple[str, str]], list[list[list[str]]]]:
    """(style name, text) of every paragraph, and every table as rows of cell texts."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return paragraphs, tables


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def pdf_text(data: bytes, tmp: Path) -> str | None:
    """The PDF's text by pdftotext (poppler-utils), or None where it is not installed."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    path = tmp / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def non_blank(png: bytes) -> float:
    """The standard deviation of the image's grey levels: 0 for a blank image."""
    image = Image.open(io.BytesIO(png)).convert("L")
    return float(ImageStat.Stat(image).stddev[0])


def differing_pixels(a: bytes, b: bytes) -> int:
    first, second = (Image.open(io.BytesIO(x)).convert("L") for x in (a, b))
    assert first.size == second.size
    return int((np.asarray(ImageChops.difference(first, second)) > 40).sum())
