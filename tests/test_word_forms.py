"""Printable forms: the 企业自查表 and the 镇（区）自查情况汇总表 as .docx, blank or pre-filled."""

from __future__ import annotations

import datetime as dt
import io

from auth_support import OWN, E
from docx import Document

from supervision.core.config import Settings
from supervision.core.spec import TABLES_BY_KEY
from supervision.ingest import word_forms


def _docx_text(data: bytes) -> tuple[str, list[list[list[str]]]]:
    document = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return text, tables


def test_printable_self_check_form(settings: Settings) -> None:
    blank_text, blank_tables = _docx_text(word_forms.self_check_form(settings))
    assert "附件1" in blank_text and "企业自查表" in blank_text
    items = [row[1] for row in blank_tables[1][1:]]
    assert items == list(word_forms.SELF_CHECK_ITEMS)
    assert "☑" not in "".join(c for t in blank_tables for r in t for c in r)
    enterprise = {"uscc": E[0], "name": "浮桥冶炼示例有限公司", "township": OWN, "category": "冶炼分离",
                  "status": "在产", "group_name": None}
    text, tables = _docx_text(word_forms.self_check_form(settings, year=2019, enterprise=enterprise))
    cells = [c for r in tables[0] for c in r]
    assert "浮桥冶炼示例有限公司" in cells and E[0] in cells and OWN in cells
    assert any("☑冶炼分离" in c and "☐资源综合利用" in c for c in cells)
    assert "2019年7月31日前" in text  # the configured self-check deadline
    assert "2019" in text.split("\n")[2]


def test_printable_township_report_form(settings: Settings) -> None:
    import pandas as pd

    listed = pd.DataFrame([
        {"uscc": E[0], "name": "浮桥冶炼示例有限公司", "category": "冶炼分离", "submitted_on": dt.date(2019, 7, 20),
         "problems_found": 2, "problems_rectified": 1},
        {"uscc": E[1], "name": "浮桥贸易示例有限公司", "category": "贸易流通", "submitted_on": None,
         "problems_found": None, "problems_rectified": None},
    ])
    totals = {"enterprises_total": 2, "enterprises_checked": 1, "problems_found": 2, "problems_rectified": 1}
    text, tables = _docx_text(word_forms.township_report_form(settings, year=2019, township=OWN, enterprises=listed,
                                                              totals=totals))
    assert "附件3" in text and f"{OWN}自查情况汇总表" in text and "2019年8月13日前" in text
    spec = TABLES_BY_KEY["township_reports"]
    summary = tables[0]
    assert summary[0] == [spec.column(k).header for k in ("enterprises_total", "enterprises_checked",
                                                           "problems_found", "problems_rectified",
                                                           "cases_transferred")]
    assert summary[1][:4] == ["2", "1", "2", "1"] and summary[1][4].strip("　") == ""
    listing = tables[1]
    assert listing[1][1:4] == ["浮桥冶炼示例有限公司", E[0], "冶炼分离"] and listing[1][4] == "2019年7月20日"
    assert listing[2][1] == "浮桥贸易示例有限公司" and listing[2][7] == "未报送自查表"
    assert len(listing) == 11  # a header and at least ten lines to fill by hand
    blank_text, _ = _docx_text(word_forms.township_report_form(settings))
    assert "＿＿＿＿镇（区）自查情况汇总表" in blank_text
