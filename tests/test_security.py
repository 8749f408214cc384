"""Hardening: HTML/JS, SQL, spreadsheet-formula and path-traversal strings through every text input and export."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from auth_support import PASSWORD, PRINCIPALS, add_account, fast, new_app, seed, sign_in, write_package
from sqlalchemy import Engine, func, inspect, select

from supervision.access import audit, signin
from supervision.core.config import Settings
from supervision.core.principal import Role
from supervision.core.safety import (
    csv_bytes,
    md_escape,
    neutralise,
    safe_filename,
    staged_upload,
    upload_problem,
    xlsx_bytes,
)
from supervision.ingest.importer import import_package
from supervision.ingest.package import Upload
from supervision.read import queries
from supervision.storage.models import AuditEntry, Enterprise, LinkToken, User

XSS = "<img src=x onerror=alert(1)>"
MD_LINK = "[点我](javascript:alert(1)) ![t](http://evil.example/t.png)"
SQL = "x'); DROP TABLE users; --"
FORMULA = "=cmd|' /C calc'!A0"
TRAVERSAL = "../../etc/passwd"
PAYLOADS = {"xss": XSS, "markdown": MD_LINK, "sql": SQL, "formula": FORMULA, "traversal": TRAVERSAL}


def _commonmark_unescape(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_md_escape_leaves_no_markup(payload: str) -> None:
    escaped = md_escape(payload)
    # Every markdown/HTML metacharacter is backslash-escaped, so it renders as itself ...
    assert not re.search(r"(?<!\\)[<>\[\]()!`*_]", escaped)
    # ... and the text the reader sees is exactly the data (plus invisible word joiners that keep Streamlit
    # from turning http://, www. and e-mail addresses into links after the escapes are resolved).
    assert _commonmark_unescape(escaped).replace("\u2060", "") == payload


def test_formula_neutralisation() -> None:
    for dangerous in (FORMULA, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1+1",
                      '=HYPERLINK("http://evil.example","点击")'):
        assert neutralise(dangerous) == "'" + dangerous
    for harmless in ("企业", "-12.5", "+3", "1e5", "", "a=b"):
        assert neutralise(harmless) == harmless
    assert neutralise(-5) == -5 and neutralise(None) is None


def test_exports_never_carry_a_live_formula() -> None:
    frame = pd.DataFrame({"名称": [FORMULA, "正常企业", XSS], "数量": [1.5, -2, 3], FORMULA: ["a", "b", "c"]})
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"表": frame})))
    sheet = book["表"]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no formula anywhere
    assert sheet["A2"].value == "'" + FORMULA and sheet["A4"].value == XSS
    assert sheet["C1"].value == "'" + FORMULA  # column names too
    assert sheet["B3"].value == -2  # numbers stay numbers
    import csv

    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"))))
    assert rows[0][2] == "'" + FORMULA and rows[1][0] == "'" + FORMULA and rows[3][0] == XSS
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "@"))]


def test_formula_typed_at_sign_in_is_neutralised_in_the_audit_export(db: Engine, settings: Settings) -> None:
    # A failed sign-in stores the typed name as the actor: the audit export is where it could bite.
    signin.authenticate(db, FORMULA, "x", fast(settings.security))
    admin = PRINCIPALS["管理员"]
    frame, _ = audit.audit_entries(db, admin, audit.AuditFilter())
    # An unknown name is never stored as typed (issue 20, item 14: it may be a password typed in the wrong box),
    # so the formula cannot reach the export at all; what is stored is a masked label.
    assert str(frame.loc[0, "操作人"]).startswith("未知用户#")
    sheet = openpyxl.load_workbook(io.BytesIO(audit.audit_excel(frame, audit.AuditFilter(), admin)))["审计日志"]
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [v for v in values if "cmd|" in v.lower()]
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def _table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        names = inspect(conn).get_table_names()
        return {m.__tablename__: conn.execute(select(func.count()).select_from(m)).scalar_one()
                for m in (User, Enterprise, LinkToken) if m.__tablename__ in names}


def test_sql_strings_in_domain_filters_and_sign_in(db: Engine, settings: Settings, tmp_path: Path) -> None:
    seed(db, settings, tmp_path / "seed")
    add_account(db, settings, "victim", Role.LEADER)
    before = _table_counts(db)
    security = fast(settings.security)
    for attempt in ("' OR '1'='1' --", "victim' --", "victim'; DROP TABLE users; --", SQL):
        assert not signin.authenticate(db, attempt, "' OR '1'='1", security).ok
    leader = PRINCIPALS["领导"]
    assert int(queries.enterprise_counts(db, leader, "浮桥镇' OR '1'='1")["n"].sum()) == 0
    # Only the city-level table.
    freshness = queries.table_freshness(db, leader, 2019, "x' OR 1=1 --", as_of=dt.date(2019, 12, 31))
    assert int(freshness["rows"].sum()) == 2
    admin = PRINCIPALS["管理员"]
    for field in ("actor", "key"):
        frame, total = audit.audit_entries(db, admin, audit.AuditFilter(**{field: "' OR 1=1 --"}))
        assert total == 0 and frame.empty
    assert _table_counts(db) == before
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one() > 0


def test_injection_strings_in_an_imported_package_are_stored_as_text(db: Engine, settings: Settings,
                                                                     tmp_path: Path) -> None:
    from auth_support import make_uscc

    names = [XSS, SQL, FORMULA, TRAVERSAL, MD_LINK]
    codes = [make_uscc(20 + i) for i in range(len(names))]
    header = ["uscc", "name", "category", "township", "address"]
    rows = [[c, n, "贸易流通", "浮桥镇", n] for c, n in zip(codes, names, strict=True)]
    report = import_package(write_package(tmp_path / "inj", {"enterprises": (header, rows, [])}), db, settings)
    assert report.written, report.summary()
    with db.connect() as conn:
        stored = dict(conn.execute(select(Enterprise.uscc, Enterprise.name)).all())
    assert stored == dict(zip(codes, names, strict=True))
    assert int(queries.enterprise_counts(db, PRINCIPALS["领导"])["n"].sum()) == len(names)
    # An injection string where a code or a township is expected is simply invalid.
    bad = [[SQL, "某企业", "贸易流通", "浮桥镇", ""], [make_uscc(40), "某企业", "贸易流通", SQL, ""]]
    rejected = import_package(write_package(tmp_path / "bad", {"enterprises": (header, bad, [])}), db, settings)
    assert not rejected.ok and {p.row for p in rejected.problems} == {2, 3}


def test_upload_names_never_write_outside_a_temporary_folder(db: Engine, settings: Settings, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "a" / "b" / "c"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    before = {p for p in tmp_path.rglob("*")}
    csv = b"uscc,name,category,township\n"
    for name in (TRAVERSAL, "../../enterprises.csv", "..\\..\\enterprises.csv", "/etc/cron.d/x.csv"):
        report = import_package(Upload(name, csv), db, settings)
        assert not report.written
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../evil.csv", "a,b\n1,2\n")
        zf.writestr("/tmp/abs-evil.csv", "a,b\n1,2\n")
        zf.writestr("../../enterprises.csv", "uscc,name,category,township\n")
    report = import_package(Upload("pkg.zip", archive.getvalue()), db, settings)
    assert not report.written
    assert {p for p in tmp_path.rglob("*")} == before
    assert not Path("/tmp/abs-evil.csv").exists()
    with open("/etc/passwd", encoding="utf-8") as fh:
        assert "root" in fh.read()  # untouched and still a passwd file


@pytest.mark.parametrize("name", [TRAVERSAL, "..\\..\\windows\\system.ini", "/etc/passwd", "....//....//x.csv",
                                  "a\x00b.csv", "..", ".hidden.csv", "\u202ecod.exe.csv", "x" * 300 + ".csv"])
def test_staged_uploads_stay_in_their_temporary_folder(name: str) -> None:
    with staged_upload(name, b"data") as path:
        folder = path.parent
        assert folder.name.startswith("supervision-upload-")
        assert path.resolve().parent == folder.resolve()
        assert path.read_bytes() == b"data"
        assert "/" not in path.name and "\\" not in path.name and not path.name.startswith(".")
        assert len(path.name) <= 120
    assert not folder.exists()  # removed afterwards


def test_upload_type_and_size_limits() -> None:
    assert upload_problem("data.xlsx", 10, 200) is None
    assert upload_problem("包.zip", 10, 200) is None
    assert "类型" in (upload_problem("run.sh", 10, 200) or "")
    assert "类型" in (upload_problem(TRAVERSAL, 10, 200) or "")
    assert "类型" in (upload_problem("data.csv.exe", 10, 200) or "")
    assert "过大" in (upload_problem("data.csv", 201 * 2**20, 200) or "")
    assert upload_problem("data.csv", 0, 200) == "文件为空"
    assert safe_filename("../../etc/passwd") == "passwd"


# Every text input of the sign-in, account and administration pages, with every kind of injection string.

def _admin_app(engine: Engine, settings: Settings) -> Any:
    add_account(engine, settings, "sec.admin", Role.ADMIN, display_name="安全管理员")
    return sign_in(new_app().run(), "sec.admin")


def _fill(at: Any, values: dict[str, str]) -> None:
    for key, value in values.items():
        at.text_input(key=key).input(value)


INPUTS: dict[str, dict[str, Any]] = {
    # page: (url file, the form's text inputs with valid values, the submit button, keys to inject)
    "login": {"page": None, "valid": {"login_username": "nobody", "login_password": "x"},
              "submit": "login_submit", "inject": ["login_username", "login_password"]},
    "create_user": {"page": "app_pages/admin_users.py",
                    "valid": {"new_username": "created.user", "new_display_name": "新用户", "new_sso": ""},
                    "submit": "create_user_submit", "inject": ["new_username", "new_display_name", "new_sso"]},
    "create_token": {"page": "app_pages/admin_users.py", "valid": {"token_label": "大屏"},
                     "submit": "create_token_submit", "inject": ["token_label"]},
    "audit_filter": {"page": "app_pages/audit_log.py", "valid": {"audit_key": ""}, "submit": None,
                     "inject": ["audit_key"]},
    "change_password": {"page": "app_pages/account.py",
                        "valid": {"old_password": PASSWORD, "new_password": "Valid-Pass-123",
                                  "new_password_again": "Valid-Pass-123"},
                        "submit": "change_password_submit",
                        "inject": ["old_password", "new_password", "new_password_again"]},
}
CASES = [(form, key, kind) for form, spec in INPUTS.items() for key in spec["inject"] for kind in PAYLOADS]


@pytest.mark.parametrize(("form", "key", "kind"), CASES)
def test_injection_through_every_text_input(app_db: Engine, settings: Settings, form: str, key: str,
                                            kind: str) -> None:
    spec = INPUTS[form]
    payload = PAYLOADS[kind]
    at = new_app().run() if spec["page"] is None else _admin_app(app_db, settings).switch_page(spec["page"]).run()
    before = _table_counts(app_db)
    _fill(at, {**spec["valid"], key: payload})
    if spec["submit"]:
        at.button(key=spec["submit"]).click()
    at.run()
    assert not at.exception, at.exception
    # Nothing shown as HTML: no element of any page may carry HTML from data.
    assert not [m for m in at.markdown if m.proto.allow_html]
    # st.html carries only the app's own stylesheets (print.css, the wall's screen.css): no tag but <style>.
    assert all(set(re.findall(r"<\s*([a-zA-Z]+)", h.proto.body)) <= {"style"} and payload.strip() not in h.proto.body
               for h in at.get("html"))
    after = _table_counts(app_db)
    assert set(after) == set(before) == {"users", "enterprises", "link_tokens"}  # no table dropped
    stored = _stored_text(app_db, form)
    if form == "create_user" and key == "new_display_name":
        assert after["users"] == before["users"] + 1 and payload.strip() in stored
        assert payload.strip() in at.run().dataframe[0].value["姓名"].tolist()  # listed as the literal text
    elif form == "create_user" and key == "new_sso":
        assert stored.count(payload.strip()) == 1
    elif form == "create_user":  # an injection string is never a valid user name
        assert after["users"] == before["users"] and at.error
    if form == "create_token":
        assert after["link_tokens"] == before["link_tokens"] + 1 and payload.strip() in stored
    if form == "change_password":
        # Only the valid combination changes the password; every injected variant is refused.
        assert at.error or at.success
        assert signin.authenticate(app_db, "sec.admin", PASSWORD, fast(settings.security)).ok == bool(at.error)


def _stored_text(engine: Engine, form: str) -> str:
    with engine.connect() as conn:
        if form == "create_token":
            return "\n".join(conn.execute(select(LinkToken.label)).scalars())
        rows = conn.execute(select(User.display_name, User.sso_subject)).all()
    return "\n".join(f"{a}\n{b}" for a, b in rows)


def test_names_render_literally_on_the_users_page(app_db: Engine, settings: Settings) -> None:
    add_account(app_db, settings, "xss.name", Role.LEADER, display_name=XSS)
    add_account(app_db, settings, "md.name", Role.LEADER, display_name=MD_LINK[:60])
    at = _admin_app(app_db, settings)
    shown = at.dataframe[0].value["姓名"].tolist()
    assert XSS in shown and MD_LINK[:60] in shown
    # The signed-in user's own name goes into a caption (markdown): it is escaped there.
    leader = sign_in(new_app().run(), "xss.name")
    caption = next(c.value for c in leader.sidebar.caption if "当前用户" in c.value)
    assert md_escape(XSS) in caption and XSS not in caption


def test_enterprise_named_like_html_appears_literally_in_the_audit_page(app_db: Engine, settings: Settings,
                                                                        tmp_path: Path) -> None:
    from auth_support import make_uscc

    code = make_uscc(30)
    header = ["uscc", "name", "category", "township"]
    for name in ("原名称", XSS):
        rows = [[code, name, "贸易流通", "浮桥镇"]]
        folder = write_package(tmp_path / str(len(name)), {"enterprises": (header, rows, [])})
        assert import_package(folder, app_db, settings, actor=XSS).written
    at = _admin_app(app_db, settings).switch_page("app_pages/audit_log.py").run()
    table = at.dataframe[0].value
    row = table[table["操作"] == "导入替换"].iloc[0]
    assert row["操作人"] == XSS  # the actor's text, shown literally in a dataframe cell
    # An admin sees no business values (issue 20, item 6): the hostile name is masked, never rendered.
    assert XSS not in row["新值"] and "＊" in row["新值"] and "原名称" not in row["原值"]
    assert not [m for m in at.markdown if m.proto.allow_html]


def test_no_page_source_allows_html() -> None:
    root = Path(__file__).resolve().parent.parent
    sources = [root / "app.py", *(root / "app_pages").glob("*.py"), *(root / "components").glob("*.py")]
    allows_html = re.compile(r"unsafe_allow_html\s*=\s*True")
    offenders = [p.name for p in sources if allows_html.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
