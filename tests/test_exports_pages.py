"""AppTest: the meeting page builds the pack and the reports on request; charts and tables offer their downloads."""

from __future__ import annotations

import io

import openpyxl
from exports_support import docx_outline, needs_browser, pptx_texts
from page_support import no_exception

from components import downloads

PARAMS = {"year": "2019", "as_of": "2019-10-15"}


def _button(at, key):
    return next(b for b in at.button if b.key == key)


def _downloads(at) -> dict[str, object]:
    return {b.proto.id.rsplit("-", 1)[-1]: b for b in at.get("download_button")}


def test_meeting_page_offers_pack_and_reports_before_building_anything(app):
    at = app("meeting", **PARAMS)
    no_exception(at)
    assert at.title[0].value == "会议材料"
    assert _button(at, "meeting_pack_build").label == "生成会议材料"
    assert not at.get("download_button")  # nothing is built on a rerun
    assert _button(at, "report_city_build").label == "生成市汇总报告"
    assert any(s.key == "report_township" for s in at.selectbox)


def test_reports_build_on_request_and_hold_the_outline(app):
    at = app("meeting", **PARAMS)
    at.selectbox(key="report_township").select("浮桥镇").run()
    _button(at, "report_township_build").click().run()
    no_exception(at)
    assert "report_township_docx" in _downloads(at)
    built = at.session_state[downloads._BUILT]
    docs = [v for k, v in built.items() if k.startswith("report|") and k.endswith("|浮桥镇")]
    paragraphs, _ = docx_outline(docs[0]["docx"])
    assert paragraphs[0][1] == "浮桥镇2019年稀土行业秩序整顿自查报告"
    _button(at, "report_city_build").click().run()
    assert {"report_township_docx", "report_city_docx"} <= set(_downloads(at))


@needs_browser
def test_meeting_pack_builds_with_progress_and_offers_pptx_and_pdf(app):
    at = app("meeting", **PARAMS)
    _button(at, "meeting_pack_build").click().run(timeout=180)
    no_exception(at)
    assert {"meeting_pack_pptx", "meeting_pack_pdf"} <= set(_downloads(at))
    assert any("已生成11页" in s.value for s in at.success)
    built = next(v for k, v in at.session_state[downloads._BUILT].items() if k.startswith("pack|"))
    slides = pptx_texts(built["pptx"])
    assert slides[0]["title"] == "太仓市稀土行业秩序整顿工作情况" and len(slides) == 11
    assert built["pdf"].startswith(b"%PDF")
    assert built["stem"] == "太仓市稀土整顿会议材料_2019年_截至2019-10-15"


@needs_browser
def test_chart_images_render_only_when_asked(app):
    at = app("quota", **PARAMS)
    no_exception(at)
    assert _button(at, "quota_utilisation_export").label == "生成图片"
    assert not [k for k in _downloads(at) if k.startswith("quota_utilisation_")]
    _button(at, "quota_utilisation_export").click().run(timeout=120)
    no_exception(at)
    assert {"quota_utilisation_png2", "quota_utilisation_png4", "quota_utilisation_svg"} <= set(_downloads(at))
    # Another chart on the page was not rendered.
    assert "quota_years_png2" not in _downloads(at)


def test_tables_offer_an_xlsx_download(app):
    at = app("quota", **PARAMS)
    assert "quota_table_xlsx" in _downloads(at)
    at = app("findings", **PARAMS)
    assert {"findings_table_xlsx", "findings_ranking_xlsx", "findings_tipoffs_xlsx"} <= set(_downloads(at))


def test_the_xlsx_a_page_offers_is_built_from_its_table():
    import datetime as dt
    from decimal import Decimal

    import pandas as pd

    from supervision.reporting.tables import xlsx_table

    frame = pd.DataFrame({"name": ["=cmd"], "quota_t": [Decimal("1500.000")], "utilisation": [0.96],
                          "last_period": ["2019-09"], "decided_on": [dt.date(2019, 9, 1)]})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_table(frame, {"name": "企业", "quota_t": "指标（吨）",
                                                                 "utilisation": "使用率"}, title="t")))["数据"]
    assert [c.value for c in sheet[1]] == ["企业", "指标（吨）", "使用率"]
    assert [c.value for c in sheet[2]] == ["'=cmd", 1500, 0.96]
