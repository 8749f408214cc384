"""The meeting pack as a 16:9 .pptx: titles as real title placeholders, tables as editable tables, notes per slide."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from typing import Any

from supervision.reporting.pack_slides import (
    FIG_LEFT_IN,
    FIG_TOP_IN,
    FIG_W_IN,
    SLIDE_W_IN,
    TABLE_ROWS,
    Kpi,
    MeetingPack,
    Slide,
    Table,
)

FONT = "Microsoft YaHei"  # what Chinese offices have; elsewhere the viewer substitutes its CJK font
NAVY, GREY_TEXT, RED_TEXT = "1F3864", "5F6368", "B3261E"


def build_pptx(pack: MeetingPack, pictures: dict[int, bytes]) -> bytes:
    """The slides as a 16:9 .pptx: titles as real title placeholders, tables as editable tables, notes per slide."""
    from pptx import Presentation
    from pptx.util import Emu

    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)  # PowerPoint's own 16:9 widescreen size
    prs.core_properties.title = pack.title
    prs.core_properties.subject = pack.subtitle
    prs.core_properties.author = "稀土整顿监管平台"
    for i, slide in enumerate(pack.slides):
        if i == 0:
            _pptx_title(prs, pack, slide)
        else:
            _pptx_content(prs, pack, slide, i, pictures.get(i))
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def _style(run: Any, size: float, *, bold: bool = False, color: str = "1F1F1F") -> None:
    from pptx.dml.color import RGBColor
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    font = run.font
    font.size = Pt(size)
    font.bold = bold
    font.name = FONT
    font.color.rgb = RGBColor.from_string(color)
    rpr = run._r.get_or_add_rPr()
    # The East Asian typeface is a separate attribute: without it Chinese text keeps the theme's font.
    for tag in ("a:ea", "a:cs"):
        found = rpr.find(qn(tag))
        if found is None:
            found = rpr.makeelement(qn(tag), {})
            rpr.append(found)
        found.set("typeface", FONT)


def _text(frame: Any, lines: Sequence[str], size: float, *, bold: bool = False, color: str = "1F1F1F",
          align: Any = None) -> None:
    frame.word_wrap = True
    for j, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if j == 0 else frame.add_paragraph()
        paragraph.text = ""
        run = paragraph.add_run()
        run.text = line
        _style(run, size, bold=bold, color=color)
        if align is not None:
            paragraph.alignment = align


def _pptx_title(prs: Any, pack: MeetingPack, slide: Slide) -> None:
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches

    page = prs.slides.add_slide(prs.slide_layouts[0])
    title, subtitle = page.shapes.title, page.placeholders[1]
    title.left, title.top, title.width, title.height = Inches(0.8), Inches(2.0), Inches(SLIDE_W_IN - 1.6), Inches(1.4)
    _text(title.text_frame, [pack.title], 40, bold=True, color=NAVY, align=PP_ALIGN.CENTER)
    subtitle.left, subtitle.top = Inches(0.8), Inches(3.6)
    subtitle.width, subtitle.height = Inches(SLIDE_W_IN - 1.6), Inches(2.6)
    _text(subtitle.text_frame, list(slide.lines), 18, color=GREY_TEXT, align=PP_ALIGN.CENTER)
    if pack.demo:
        last = subtitle.text_frame.paragraphs[-1].runs[0]
        _style(last, 16, bold=True, color=RED_TEXT)
    page.notes_slide.notes_text_frame.text = slide.notes


def _pptx_content(prs: Any, pack: MeetingPack, slide: Slide, index: int, picture: bytes | None) -> None:
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches

    page = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only": the title stays a real title
    title = page.shapes.title
    title.left, title.top, title.width, title.height = Inches(0.45), Inches(0.25), Inches(9.0), Inches(0.8)
    _text(title.text_frame, [slide.title], 28, bold=True, color=NAVY)
    title.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    head = page.shapes.add_textbox(Inches(9.4), Inches(0.35), Inches(3.5), Inches(0.6))
    _text(head.text_frame, [f"{pack.scope} · {pack.year}年 · 截至{pack.as_of:%Y-%m-%d}"], 12, color=GREY_TEXT,
          align=PP_ALIGN.RIGHT)
    line = page.shapes.add_connector(1, Inches(0.45), Inches(1.08), Inches(SLIDE_W_IN - 0.45), Inches(1.08))
    line.line.color.rgb = _rgb(NAVY)
    if picture is not None:
        page.shapes.add_picture(io.BytesIO(picture), Inches(FIG_LEFT_IN), Inches(FIG_TOP_IN), width=Inches(FIG_W_IN))
    if slide.kpis:
        _pptx_kpis(page, slide.kpis)
    if slide.table is not None:
        _pptx_table(page, slide.table)
    if slide.footnote:
        box = page.shapes.add_textbox(Inches(0.45), Inches(6.55), Inches(SLIDE_W_IN - 0.9), Inches(0.5))
        _text(box.text_frame, [slide.footnote], 10, color=GREY_TEXT)
    foot = page.shapes.add_textbox(Inches(SLIDE_W_IN - 3.45), Inches(7.05), Inches(3.0), Inches(0.35))
    _text(foot.text_frame, [("演示数据 · " if pack.demo else "") + f"第{index + 1}页"], 10,
          color=RED_TEXT if pack.demo else GREY_TEXT, align=PP_ALIGN.RIGHT)
    page.notes_slide.notes_text_frame.text = slide.notes


def _rgb(hex_color: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_color)


def _pptx_kpis(page: Any, kpis: Sequence[Kpi]) -> None:
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    width, height, gap = 3.95, 2.45, 0.3
    for i, kpi in enumerate(kpis):
        col, row = i % 3, i // 3
        left, top = 0.45 + col * (width + gap), 1.35 + row * (height + gap)
        card = page.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Inches(left), Inches(top), Inches(width),
                                     Inches(height))
        card.fill.solid()
        card.fill.fore_color.rgb = _rgb("EEF3FA")
        card.line.color.rgb = _rgb("C5D3E8")
        frame = card.text_frame
        _text(frame, [kpi.label, kpi.value, kpi.detail], 16)
        _style(frame.paragraphs[0].runs[0], 16, color=GREY_TEXT)
        _style(frame.paragraphs[1].runs[0], 36, bold=True, color=NAVY)
        _style(frame.paragraphs[2].runs[0], 12, color=GREY_TEXT)


def _text_width(text: str) -> int:
    """Display width in half-width units: CJK characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def column_widths(table: Table, total: float) -> list[float]:
    """Column widths (inches) in proportion to their longest text, so names stay on one line where they can."""
    wanted = [max(4, min(40, max([_text_width(h)] + [_text_width(r[j]) for r in table.rows])))
              for j, h in enumerate(table.headers)]
    return [total * w / sum(wanted) for w in wanted]


def _pptx_table(page: Any, table: Table) -> None:
    from pptx.util import Emu, Inches

    rows = max(1, len(table.rows)) + 1
    size = 12 if rows <= TABLE_ROWS + 1 else 10  # the data-sources table lists every table
    height = min(5.0, (0.4 if size == 12 else 0.3) * rows)
    width = SLIDE_W_IN - 0.9
    shape = page.shapes.add_table(rows, len(table.headers), Inches(0.45), Inches(1.3), Inches(width),
                                  Inches(height))
    grid = shape.table
    for j, inches in enumerate(column_widths(table, width)):
        grid.columns[j].width = Emu(int(inches * 914400))
    for j, header in enumerate(table.headers):
        cell = grid.cell(0, j)
        _text(cell.text_frame, [header], 13 if size == 12 else 11, bold=True, color="FFFFFF")
        cell.fill.solid()
        cell.fill.fore_color.rgb = _rgb(NAVY)
    if not table.rows:
        _text(grid.cell(1, 0).text_frame, ["无"], 12)
    for i, values in enumerate(table.rows, start=1):
        for j, value in enumerate(values):
            _text(grid.cell(i, j).text_frame, [value], size)
    if table.note:
        # At the foot of the slide, so a table whose rows grow with wrapped text never runs over it.
        box = page.shapes.add_textbox(Inches(0.45), Inches(6.5), Inches(width), Inches(0.55))
        _text(box.text_frame, [table.note], 10, color=GREY_TEXT)
