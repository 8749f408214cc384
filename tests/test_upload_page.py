"""Upload with preview: what the preview promises, confirm and cancel, limits, interruptions, and the page itself."""

from __future__ import annotations

import datetime as dt
import io
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from auth_support import OWN, PRINCIPALS, E, make_uscc, seed
from entry_support import audit_entries, entry_world, open_page, rows
from sqlalchemy import Engine, func, select

from supervision.core.config import PROJECT_ROOT, Settings
from supervision.entry.writes import save_row
from supervision.ingest import preview as pv
from supervision.ingest import workbook_templates
from supervision.ingest.importer import import_package
from supervision.ingest.package import Upload
from supervision.storage.models import ImportBatch

GXJ = PRINCIPALS["工信局"]
TOWN = PRINCIPALS["浮桥镇人员"]
NEW = make_uscc(10)  # make_uscc repeats every ten; E holds 1 to 6
PAGE = "app_pages/data_entry.py"


@pytest.fixture
def world(db: Engine, settings: Settings, tmp_path: Path) -> dict[str, Any]:
    return seed(db, settings, tmp_path / "seed")


def _csv(text: str) -> bytes:
    return text.encode("utf-8")


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text.encode("utf-8"))
    return buffer.getvalue()


MIXED = {
    # E[0] renamed, E[1] unchanged, NEW added; a self-check added for NEW, one changed for E[0].
    "enterprises.csv": (f"uscc,name,category,township,status,eia_approved,eia_accepted\n"
                        f"{E[0]},浮桥冶炼更名有限公司,冶炼分离,浮桥镇,在产,是,是\n"
                        f"{E[1]},浮桥贸易示例有限公司,贸易流通,浮桥镇,在产,是,是\n"
                        f"{NEW},新登记稀土有限公司,贸易流通,港区,在产,是,是\n"),
    "企业自查表.csv": (f"统一社会信用代码,年度,报送日期,发现问题数\n"
                   f"{E[0]},2019,2019-07-20,5\n"
                   f"{NEW},2019,2019-07-25,1\n"),
}


def test_preview_lists_adds_changes_and_writes_nothing(world: dict[str, Any], db: Engine, settings: Settings) -> None:
    before = {t: rows(db, t) for t in ("enterprises", "self_checks")}
    preview = pv.build_preview(_zip(MIXED), "包.zip", db, settings, GXJ)
    assert preview.ok and preview.writable
    assert preview.plan == {"enterprises": (1, 1), "self_checks": (1, 1)}
    assert preview.added == 2 and preview.changed == 2 and preview.rejected_rows == 0
    adds = preview.adds.to_dict("records")
    assert [(a["数据表"], a["行号"], a["主键"]) for a in adds] == [("企业名录", 4, NEW),
                                                               ("企业自查表", 3, f"{NEW}|2019")]
    assert "企业名称=新登记稀土有限公司" in adds[0]["内容"] and "所属镇区=港区" in adds[0]["内容"]
    changes = preview.changes.to_dict("records")
    assert {"数据表": "企业名录", "主键": E[0], "列": "企业名称", "原值": "浮桥冶炼示例有限公司",
            "新值": "浮桥冶炼更名有限公司"} in changes
    assert {"数据表": "企业自查表", "主键": f"{E[0]}|2019", "列": "发现问题数", "原值": "0", "新值": "5"} in changes
    summary = preview.tables.set_index("数据表")
    assert summary.loc["企业名录", ["数据行", "新增", "更新", "未变"]].tolist() == [3, 1, 1, 1]
    assert {t: rows(db, t) for t in ("enterprises", "self_checks")} == before  # a dry run
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ImportBatch)).scalar_one() == 1  # the seed only


def test_preview_of_a_rejected_package_lists_every_bad_row(world: dict[str, Any], db: Engine,
                                                          settings: Settings) -> None:
    bad = _csv(f"uscc,year,problems_found,problems_rectified,description\n"
               f"{E[0]},2019,1,2,=HYPERLINK(\"http://x\")\n"
               f"{E[1]},2019,1,0,正常\n"
               f"{E[1][:17]}0,二〇一九,1,0,\n")
    preview = pv.build_preview(bad, "self_checks.csv", db, settings, GXJ)
    assert not preview.ok and not preview.writable and preview.plan == {}
    assert preview.rejected_rows == 2 and preview.problem_count == 3
    found = {(r["行号"], r["列"]): r["原因"] for r in preview.rejections.to_dict("records")}
    assert found[(2, "problems_rectified")] == "已整改数不能大于发现问题数"
    assert "校验位错误" in found[(4, "uscc")] and "应为整数" in found[(4, "year")]
    assert preview.adds.empty and preview.changes.empty  # nothing will be written
    book = openpyxl.load_workbook(io.BytesIO(pv.error_report(preview)))
    assert book.sheetnames == ["错误清单", "数据质量提示", "说明"]
    listed = list(book["错误清单"].iter_rows(values_only=True))
    assert listed[0] == ("文件", "数据表", "行号", "列", "值", "原因") and len(listed) == 4
    conclusion = dict(book["说明"].iter_rows(min_row=2, values_only=True))
    assert conclusion["结论"].startswith("被拒绝") and conclusion["涉及行数"] == "2"
    assert pv.error_report_filename(preview) == "self_checks_校验报告.xlsx"


def test_preview_applies_the_officers_rights(world: dict[str, Any], db: Engine, settings: Settings) -> None:
    package = _csv(f"uscc,year\n{E[0]},2020\n{E[2]},2020\n")
    preview = pv.build_preview(package, "self_checks.csv", db, settings, TOWN)
    assert not preview.ok
    assert [(r["行号"], r["原因"]) for r in preview.rejections.to_dict("records")] == [
        (3, "该行不属于本镇区，浮桥镇的账号只能写入本镇区的数据")]
    refused = pv.build_preview(_csv(f"case_no,uscc,decided_on\nCF9,{E[0]},2019-01-01\n"), "penalties.csv",
                               db, settings, TOWN)
    assert "镇区人员无权写入“行政处罚与黑名单”" in refused.rejections["原因"].tolist()


def test_confirm_after_a_change_by_someone_else_says_what_differs(world: dict[str, Any], db: Engine,
                                                                  settings: Settings) -> None:
    data = _zip(MIXED)
    preview = pv.build_preview(data, "包.zip", db, settings, GXJ)
    # Between the preview and the confirm, another officer records the same self-check change.
    save_row(db, GXJ, settings.security, "self_checks", {"uscc": E[0], "year": 2019,
                                                         "submitted_on": dt.date(2019, 7, 20), "problems_found": 5})
    report = import_package(Upload("包.zip", data), db, settings, actor="t", principal=GXJ)
    assert report.written
    assert pv.plan_differences(preview, report) == ["企业自查表：预览时新增1行、更新1行，实际新增1行、更新0行"]
    assert pv.plan_differences(pv.build_preview(data, "包.zip", db, settings, GXJ), report) == [
        "企业名录：预览时新增0行、更新0行，实际新增1行、更新1行",
        "企业自查表：预览时新增0行、更新0行，实际新增1行、更新0行"]


def test_an_interrupted_import_writes_nothing(world: dict[str, Any], db: Engine, settings: Settings) -> None:
    """A session that stops mid-import (browser closed, rerun) raises in the progress callback: all rolled back."""
    before = {t: rows(db, t) for t in ("enterprises", "self_checks")}
    calls: list[tuple[str, int]] = []

    class Interrupted(Exception):
        pass

    def progress(table: str, done: int) -> None:
        calls.append((table, done))
        if table == "self_checks":  # the enterprises are already written in the transaction by now
            raise Interrupted

    with pytest.raises(Interrupted):
        import_package(Upload("包.zip", _zip(MIXED)), db, settings, actor="t", principal=GXJ, progress=progress)
    assert calls == [("enterprises", 3), ("self_checks", 2)]
    assert {t: rows(db, t) for t in ("enterprises", "self_checks")} == before
    assert not audit_entries(db, actor="t")
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ImportBatch)).scalar_one() == 1


def test_progress_meter_and_row_estimates(settings: Settings) -> None:
    zipped = _zip(MIXED)
    assert pv.estimate_rows(zipped, "包.zip") == {"enterprises": 3, "self_checks": 2}
    assert pv.estimate_rows(_csv(MIXED["enterprises.csv"]), "企业名录.csv") == {"enterprises": 3}
    book = openpyxl.load_workbook(io.BytesIO(workbook_templates.table_template("tipoffs", settings)))
    for i in range(40):
        book["举报线索"].append([f"JB{i}", "2019-06-01", None, OWN, None, None, None, None, "已受理"])
    out = io.BytesIO()
    book.save(out)
    assert pv.estimate_rows(out.getvalue(), "线索.xlsx") == {"tipoffs": 40}  # from the sheet's dimension
    streamed = openpyxl.Workbook(write_only=True)
    streamed.create_sheet("tipoffs").append(["tipoff_id"])
    out = io.BytesIO()
    streamed.save(out)
    assert pv.estimate_rows(out.getvalue(), "流式.xlsx") == {}  # no dimension written: no estimate, no guess
    assert pv.estimate_rows(b"not a zip", "x.zip") == {}
    shown: list[tuple[float | None, str]] = []
    meter = pv.ProgressMeter({"enterprises": 3, "self_checks": 2}, lambda f, t: shown.append((f, t)))
    meter("enterprises", 3)
    meter("self_checks", 2)
    assert shown[0] == (0.6, "正在校验“企业名录”：已处理3行，共约5行")
    assert shown[1][0] == 0.99  # never "done" before the import returns
    unknown = pv.ProgressMeter({}, lambda f, t: shown.append((f, t)), verb="导入")
    unknown("invoices", 5000)
    assert shown[-1] == (None, "正在导入“稀土专用发票”：已处理5,000行")


def test_the_servers_upload_ceiling_is_above_the_apps_limit(settings: Settings) -> None:
    """So a file over the configured limit gets the page's Chinese message, not the browser's English one."""
    with open(PROJECT_ROOT / ".streamlit" / "config.toml", "rb") as fh:
        server = tomllib.load(fh)["server"]["maxUploadSize"]
    assert server >= 2 * settings.max_upload_mb


# The page, in AppTest.

def _upload(at: Any, name: str, data: bytes) -> Any:
    at.file_uploader[0].upload(name, data).run()
    assert not at.exception, at.exception
    return at


# AppTest does not expose a dataframe's key; each list of the preview has a column of its own.
FRAMES = {"upload_adds": "内容", "upload_changes": "原值", "upload_rejections": "原因", "upload_tables": "未变"}


def _frame(at: Any, key: str) -> Any:
    return next(d.value for d in at.dataframe if FRAMES[key] in d.value.columns)


def test_upload_page_previews_then_confirms(app_db: Engine, settings: Settings, tmp_path: Path) -> None:
    entry_world(app_db, settings, tmp_path / "seed")
    before = rows(app_db, "enterprises")
    at = _upload(open_page("e.gxj", PAGE), "包.zip", _zip(MIXED))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"新增行": "2", "更新行": "2", "错误行": "0", "数据质量提示": "0"}
    assert _frame(at, "upload_adds")["主键"].tolist() == [NEW, f"{NEW}|2019"]
    changes = _frame(at, "upload_changes")
    assert ("企业名称", "浮桥冶炼示例有限公司", "浮桥冶炼更名有限公司") in set(
        zip(changes["列"], changes["原值"], changes["新值"], strict=True))
    assert at.get("download_button") and rows(app_db, "enterprises") == before  # previewed, nothing written
    at.button(key="upload_confirm").click().run()
    assert not at.exception
    assert any(s.value.startswith("已导入“包") and "：新增2行，更新2行" in s.value for s in at.success)
    names = {r["uscc"]: r["name"] for r in rows(app_db, "enterprises")}
    assert names[E[0]] == "浮桥冶炼更名有限公司" and names[NEW] == "新登记稀土有限公司"
    replaced = audit_entries(app_db, action="replace")
    assert {e.record_key for e in replaced} == {E[0], f"{E[0]}|2019"}
    assert {e.actor for e in replaced} == {"e.gxj经办（e.gxj）"}
    assert at.file_uploader[0].value is None  # emptied: the same file is not imported twice by accident
    assert not at.dataframe


def test_upload_page_cancel_writes_nothing(app_db: Engine, settings: Settings, tmp_path: Path) -> None:
    entry_world(app_db, settings, tmp_path / "seed")
    before = {t: rows(app_db, t) for t in ("enterprises", "self_checks")}
    at = _upload(open_page("e.gxj", PAGE), "包.zip", _zip(MIXED))
    at.button(key="upload_cancel").click().run()
    assert any("已取消导入，数据库未作任何修改" in i.value for i in at.info)
    assert {t: rows(app_db, t) for t in ("enterprises", "self_checks")} == before
    assert not audit_entries(app_db, action="replace")
    with app_db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ImportBatch)).scalar_one() == 1


def test_upload_page_shows_rejections_and_cannot_confirm(app_db: Engine, settings: Settings,
                                                         tmp_path: Path) -> None:
    entry_world(app_db, settings, tmp_path / "seed")
    bad = _csv(f"uscc,year,problems_found,problems_rectified\n{E[0]},2019,1,2\n{E[2]},2019,1,0\n")
    at = _upload(open_page("e.town", PAGE), "self_checks.csv", bad)
    assert "校验未通过：发现2处错误（涉及2行）" in at.error[0].value
    rejected = _frame(at, "upload_rejections")
    assert rejected["行号"].tolist() == [2, 3]
    assert rejected["原因"].tolist() == ["已整改数不能大于发现问题数",
                                       "该行不属于本镇区，浮桥镇的账号只能写入本镇区的数据"]
    assert at.button(key="upload_confirm").disabled
    assert any(b.key == "upload_report" for b in at.get("download_button"))
    # Rejection first: the reasons' tab opens first, with its count, and the report is inside it.
    labels = [tab.label for tab in at.tabs]
    first = labels.index("被拒绝（2）")
    assert labels[first + 1:first + 4] == ["将新增（0）", "将更新（0）", "提示（0）"], labels
    assert any(b.key == "upload_report" for b in at.tabs[first].get("download_button"))


def test_an_accepted_preview_opens_on_what_will_be_added(app_db: Engine, settings: Settings,
                                                         tmp_path: Path) -> None:
    entry_world(app_db, settings, tmp_path / "seed")
    at = _upload(open_page("e.gxj", PAGE), "包.zip", _zip(MIXED))
    labels = [tab.label for tab in at.tabs]
    first = next(i for i, label in enumerate(labels) if label.startswith("将新增"))
    assert labels[first + 1].startswith("将更新") and labels[first + 2].startswith("被拒绝"), labels


def test_upload_page_warns_when_the_data_changed_after_the_preview(app_db: Engine, settings: Settings,
                                                                  tmp_path: Path) -> None:
    entry_world(app_db, settings, tmp_path / "seed")
    at = _upload(open_page("e.gxj", PAGE), "包.zip", _zip(MIXED))
    save_row(app_db, GXJ, settings.security, "self_checks",
             {"uscc": E[0], "year": 2019, "submitted_on": dt.date(2019, 7, 20), "problems_found": 5})
    at.button(key="upload_confirm").click().run()
    warning = at.warning[0].value
    assert "预览之后数据已被他人修改" in warning and "实际新增1行、更新0行" in warning


def test_upload_page_refuses_a_file_over_the_configured_limit(app_db: Engine, settings: Settings,
                                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    entry_world(app_db, settings, tmp_path / "seed")
    small = tmp_path / "small.toml"
    text = Path(os.environ["SUPERVISION_CONFIG"]).read_text(encoding="utf-8")
    small.write_text(text.replace("max_upload_mb = 200", "max_upload_mb = 1"), encoding="utf-8")
    monkeypatch.setenv("SUPERVISION_CONFIG", str(small))
    at = open_page("e.gxj", PAGE)
    assert "单个文件不超过1 MB" in at.caption[0].value
    big = _csv("uscc,year\n" + f"{E[0]},2019\n" * 60_000)  # about 1.4 MB
    at = _upload(at, "self_checks.csv", big)
    assert "文件过大" in at.error[0].value and "max\\_upload\\_mb" in at.error[0].value
    assert not at.dataframe and not at.metric  # refused before reading: no preview


def test_template_round_trip_through_the_page(app_db: Engine, settings: Settings,
                                              tmp_path: Path) -> None:
    """Download a template (the page offers this table's), fill it in Excel's types, upload, confirm."""
    entry_world(app_db, settings, tmp_path / "seed")
    at = open_page("e.town", PAGE)
    assert at.selectbox(key="template_table").options == ["企业名录", "企业自查表", "镇（区）自查情况汇总表",
                                                          "举报线索"]
    book = openpyxl.load_workbook(io.BytesIO(workbook_templates.table_template("tipoffs", settings, [OWN])))
    sheet = book["举报线索"]
    sheet.append(["JB2019-101", dt.datetime(2019, 9, 2), "电话", OWN, E[1], "浮桥贸易示例有限公司", "夜间运输",
                  "浮桥镇",
                  "已办结", dt.datetime(2019, 9, 20), dt.datetime(2019, 9, 25)])
    sheet.append(["JB2019-102", dt.datetime(2019, 9, 3), "信件", "港区", None, "某作坊", "疑似非法加工", None, "已受理",
                  None, None])
    out = io.BytesIO()
    book.save(out)
    at = _upload(at, "举报线索_填报模板.xlsx", out.getvalue())
    assert {m.label: m.value for m in at.metric}["新增行"] == "2"
    at.button(key="upload_confirm").click().run()
    stored = {r["tipoff_id"]: r for r in rows(app_db, "tipoffs")}
    assert stored["JB2019-101"]["received_on"] == dt.date(2019, 9, 2)
    assert stored["JB2019-101"]["feedback_on"] == dt.date(2019, 9, 25)
    assert stored["JB2019-101"]["subject_uscc"] == E[1] and stored["JB2019-101"]["status"] == "已办结"
    assert stored["JB2019-102"]["township"] == OWN and stored["JB2019-102"]["summary"] == "疑似非法加工"


def test_template_tab_offers_the_officers_tables_and_forms(app_db: Engine, settings: Settings,
                                                          tmp_path: Path) -> None:
    entry_world(app_db, settings, tmp_path / "seed")
    keys = {b.key for b in open_page("e.gxj", PAGE).get("download_button")}
    assert {"template_one", "template_package", "print_self_check", "print_township_report"} <= keys
    customs = open_page("e.hg", PAGE)
    assert customs.selectbox(key="template_table").options == ["进出口报关单"]
    assert {b.key for b in customs.get("download_button")} == {"template_one", "template_package"}
    town = open_page("e.town", PAGE)
    assert town.selectbox(key="print_township").options == [OWN]
    assert town.selectbox(key="print_enterprise").options == [
        "浮桥冶炼示例有限公司（91320585789012345G）", "浮桥贸易示例有限公司（913205854567890123）"]
