"""附件3's figures from the lifecycle in the Word report, with a township's own differing figures flagged."""

from __future__ import annotations

import datetime as dt

from checks_support import Data
from lifecycle_support import AS_OF, AUG, CX, HB, LEADER, SX, finding_id, world
from sqlalchemy import Engine

from supervision.lifecycle import queries
from supervision.lifecycle.machine import link_outcome, sync_findings, transition
from supervision.reporting import report
from supervision.storage.models import Penalty


def _text(built: report.Report) -> str:
    return "\n".join(b.text for s in built.sections for b in s.blocks if isinstance(b, report.Paragraph))


def test_report_takes_annex3_figures_from_the_lifecycle_and_flags_differences(db: Engine, settings) -> None:
    ids = world(db)
    d = Data()
    d.township_report("城厢镇", dt.date(2019, 8, 12))
    d.rows["township_reports"][0].update(problems_found=9, problems_rectified=0, cases_transferred=0)
    d.save(db)
    sync_findings(db, settings, 2019, AS_OF, day=AUG)
    fid = finding_id(db, "R14", ids["cx"])
    with db.begin() as conn:
        conn.execute(Penalty.__table__.insert().values(case_no="太环罚〔2019〕8号", uscc=ids["cx"],
                                                       decided_on=dt.date(2019, 9, 1), version=1))
    for who, action, extra in ((HB, "assign", {}), (CX, "start", {}), (CX, "report", {"measures": "m"}),
                               (HB, "verify", {"day": dt.date(2019, 9, 20)})):
        transition(db, settings, who, fid, action, **extra)
    link_outcome(db, HB, fid, case_no="太环罚〔2019〕8号")
    figures = queries.annex3(db, LEADER, 2019, AS_OF).set_index("township")
    found = int(figures.loc["城厢镇", "found"])
    assert (int(figures.loc["城厢镇", "rectified"]), int(figures.loc["城厢镇", "cases"])) == (1, 1)
    assert queries.annex3(db, LEADER, 2019, dt.date(2019, 9, 19)).set_index("township").loc["城厢镇", "rectified"] == 0

    town = _text(report.collect(db, settings, CX, 2019, AS_OF, None))
    assert f"据系统问题台账（问题闭环），截至12月31日城厢镇发现问题{found}条，已整改销号1条，移送案件1件。" in town
    assert ("数据质量提示：以下镇（区）汇总表（附件3）填报的数字与系统问题台账不一致，请核实——"
            f"城厢镇：发现问题填报9、台账{found}；已整改填报0、台账1；移送案件填报0、台账1。") in town
    city = report.collect(db, settings, LEADER, 2019, AS_OF, None)
    tables = [b for s in city.sections for b in s.blocks if isinstance(b, report.DocTable)]
    life = next(t for t in tables if t.caption.startswith("各镇（区）发现问题、已整改、移送案件"))
    assert ("城厢镇", str(found), "1", "1") in life.rows


def test_the_meeting_pack_says_found_closed_rectifying_overdue(db: Engine, settings) -> None:
    from supervision.reporting import pack

    ids = world(db)
    d = Data()
    d.quota(ids["cx"], 100)  # the pack's quota slide wants a quota holder
    d.save(db)
    sync_findings(db, settings, 2019, AS_OF, day=AUG)
    fid = finding_id(db, "R14", ids["cx"])
    for who, action, extra in ((HB, "assign", {}), (CX, "start", {}), (CX, "report", {"measures": "m"}),
                               (HB, "verify", {})):
        transition(db, settings, who, fid, action, **extra)
    late = finding_id(db, "R14", ids["sx"])
    transition(db, settings, HB, late, "assign", day=AUG, deadline=dt.date(2019, 9, 20))
    transition(db, settings, SX, late, "start", day=AUG)
    content = pack.collect(db, settings, LEADER, 2019, AS_OF, None)
    notes = "\n".join(slide.notes for slide in content.slides)
    found = int(queries.township_counts(db, LEADER, 2019, AS_OF)["found"].sum())
    assert f"问题整改（问题台账）：发现{found}条，已销号1条，整改中1条，逾期1条。" in notes
