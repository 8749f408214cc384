"""Self-check reports and the city summary: .docx reopened with python-docx, outline, figures, scope, inert text."""

from __future__ import annotations

import datetime as dt

import pytest
from exports_support import YEAR, docx_outline
from sqlalchemy import Engine, update

from supervision.access.permissions import PermissionDenied
from supervision.core.config import Settings
from supervision.core.principal import SYSTEM, Principal, Role
from supervision.read import queries
from supervision.reporting import report
from supervision.storage.models import Tipoff

AS_OF = dt.date(2019, 8, 20)
OFFICER = Principal("t.town", "沙溪镇人员", Role.TOWNSHIP, township="沙溪镇")
LEADER = Principal("t.leader", "领导", Role.LEADER)


def _build(engine: Engine, settings: Settings, who: Principal, township: str | None) -> tuple[report.Report, bytes]:
    built = report.collect(engine, settings, who, YEAR, AS_OF, township)
    return built, report.build_docx(built)


def test_township_report_follows_the_outline_with_the_townships_figures(demo: Engine, settings: Settings) -> None:
    built, data = _build(demo, settings, OFFICER, None)
    paragraphs, tables = docx_outline(data)
    assert paragraphs[0] == ("Title", "沙溪镇2019年稀土行业秩序整顿自查报告")
    headings = [text for style, text in paragraphs if style == "Heading 1"]
    assert headings == list(report.OUTLINE)
    body = "\n".join(text for _, text in paragraphs)
    enterprises = queries.enterprises(demo, OFFICER)
    assert f"沙溪镇现有稀土企业{len(enterprises)}家" in body
    directory = next(t for t in tables if t[0][0] == "企业名称" and t[0][1] == "统一社会信用代码")
    assert sorted(row[1] for row in directory[1:]) == sorted(enterprises["uscc"])
    checks = queries.self_check_status(demo, OFFICER, settings, YEAR, AS_OF)
    submitted = int(checks["status"].isin(["按时", "逾期提交"]).sum())
    assert f"应报送企业自查表（附件1）的企业{len(checks)}家，截至08月20日已报送{submitted}家" in body
    summary = queries.township_report_status(demo, OFFICER, settings, YEAR, AS_OF).iloc[0]
    assert f"已排查{int(summary['enterprises_checked'])}家，发现问题{int(summary['problems_found'])}个" in body
    total = queries.score_totals(demo, OFFICER, (YEAR,), as_of=AS_OF).iloc[0]["total"]
    assert f"得分{float(total):.2f}分" in body
    assert body.count("【请补充：") == 3  # what only the officers know is left for them, never invented
    assert "沙溪镇（盖章）" in body and "负责人（签字）" in body
    others = set(queries.townships(demo, SYSTEM)["name"]) - {"沙溪镇"}
    everything = body + str(tables)
    assert not [t for t in others if t in everything]
    # Captions are numbered in order, without gaps.
    captions = [text for _, text in paragraphs if text.startswith("表")]
    assert [c.split(" ")[0] for c in captions] == [f"表{i}" for i in range(1, len(captions) + 1)]
    assert built.file_stem == "沙溪镇2019年稀土整顿自查报告_截至2019-08-20"


def test_city_summary_compares_every_township(demo: Engine, settings: Settings) -> None:
    built, data = _build(demo, settings, LEADER, None)
    assert built.city_summary
    paragraphs, tables = docx_outline(data)
    assert paragraphs[0][1] == "太仓市2019年稀土行业秩序整顿工作汇总报告"
    assert [t for s, t in paragraphs if s == "Heading 1"] == list(report.OUTLINE)
    counts = next(t for t in tables if t[0][0] == "镇区" and t[0][-1] == "合计")
    towns = queries.townships(demo, LEADER)["name"].tolist()
    assert [row[0] for row in counts[1:-1]] == towns
    total = int(queries.enterprise_counts(demo, LEADER)["n"].sum())
    assert counts[-1][0] == "合计" and counts[-1][-1] == str(total)
    assert sum(int(row[-1]) for row in counts[1:-1]) == total
    scores = next(t for t in tables if t[0][:3] == ["名次", "镇区", "得分"])
    assert len(scores) - 1 == len(queries.score_totals(demo, LEADER, (YEAR,), as_of=AS_OF))
    body = "\n".join(t for _, t in paragraphs)
    assert f"太仓市现有稀土企业{total}家" in body and "当前为演示数据" in body


def test_officers_cannot_export_another_township_or_the_city_as_theirs(demo: Engine, settings: Settings) -> None:
    with pytest.raises(PermissionDenied):
        report.collect(demo, settings, OFFICER, YEAR, AS_OF, "浮桥镇")
    built = report.collect(demo, settings, OFFICER, YEAR, AS_OF, None)
    assert not built.city_summary and built.scope == "沙溪镇"


def test_formula_like_text_from_the_database_is_just_text_in_the_docx(demo: Engine, settings: Settings) -> None:
    dangerous = "@SUM(1+1)*cmd|' /C calc'!A0"
    with demo.begin() as conn:
        conn.execute(update(Tipoff).where(Tipoff.township == "沙溪镇").values(subject_name=dangerous))
    _, data = _build(demo, settings, LEADER, "沙溪镇")
    _, tables = docx_outline(data)
    tips = next(t for t in tables if t[0][0] == "线索编号")
    assert dangerous in [row[2] for row in tips[1:]]
