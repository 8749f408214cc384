"""The administrator's pages in AppTest: create, change, reset and disable accounts; links; the audit page."""

from __future__ import annotations

from typing import Any

import pytest
from auth_support import OWN, add_account, fast, new_app, on_login_page, sign_in
from sqlalchemy import Engine

from supervision.access import audit, passwords, signin, wall_links
from supervision.core.config import Settings
from supervision.core.errors import AuthError
from supervision.core.principal import SYSTEM, Role


def _admin(engine: Engine, settings: Settings) -> Any:
    add_account(engine, settings, "page.admin", Role.ADMIN, display_name="页面管理员")
    at = sign_in(new_app().run(), "page.admin")
    assert at.title[0].value == "用户管理"
    return at


def test_create_an_account_and_sign_in_with_its_temporary_password(app_db: Engine, settings: Settings) -> None:
    at = _admin(app_db, settings)
    at.text_input(key="new_username").input("Town.Officer")
    at.text_input(key="new_display_name").input("浮桥镇经办人")
    at.selectbox(key="new_role").select(Role.TOWNSHIP)
    at.selectbox(key="new_township").select(OWN)
    at.button(key="create_user_submit").click().run()
    assert not at.exception and not at.error
    temporary = at.code[0].value
    assert passwords.password_problems(temporary, "town.officer", settings.security) == []
    table = at.run().dataframe[0].value.set_index("用户名")
    assert table.loc["town.officer", "角色"] == "镇区人员" and table.loc["town.officer", "镇区"] == OWN
    assert bool(table.loc["town.officer", "须改密码"])
    officer = sign_in(new_app().run(), "town.officer", temporary)
    assert any(w.key == "new_password" for w in officer.text_input)  # must set their own first


def test_change_role_reset_password_and_disable(app_db: Engine, settings: Settings) -> None:
    add_account(app_db, settings, "target", Role.TOWNSHIP, township=OWN)
    at = _admin(app_db, settings)
    at.selectbox(key="edit_username").select("target").run()
    at.selectbox(key="edit_role").select(Role.BUREAU)
    at.selectbox(key="edit_department").select("海关")
    at.button(key="edit_user_submit").click().run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value.set_index("用户名")
    assert table.loc["target", "角色"] == "局办人员" and table.loc["target", "部门"] == "海关"
    assert table.loc["target", "镇区"] == ""
    at.button(key="reset_password").click().run()
    new_password = at.code[0].value
    security = fast(settings.security)
    signed = signin.authenticate(app_db, "target", new_password, security)
    assert signed.ok and signed.must_change_password
    at.button(key="toggle_user").click().run()
    assert at.dataframe[0].value.set_index("用户名").loc["target", "状态"] == "停用"
    assert not signin.authenticate(app_db, "target", new_password, security).ok


def test_screen_link_created_on_the_page_opens_the_overview(app_db: Engine, settings: Settings) -> None:
    at = _admin(app_db, settings)
    at.text_input(key="token_label").input("指挥中心大屏")
    at.button(key="create_token_submit").click().run()
    link = at.code[0].value
    assert "/?token=" in link and link.endswith("&mode=screen")
    token = link.split("token=")[1].split("&")[0]
    wall = new_app()
    wall.query_params["token"] = token
    wall.run()
    assert not on_login_page(wall) and wall.title[0].value.startswith("稀土行业秩序整顿")
    at.run()
    at.selectbox(key="revoke_token_id").select(at.selectbox(key="revoke_token_id").options[0])
    at.run()
    at.button(key="revoke_token").click().run()
    assert at.dataframe[1].value.iloc[0]["状态"] == "已停用"  # the links table, after the users table
    assert on_login_page(wall.run())


def test_audit_page_filters_and_offers_the_export(app_db: Engine, settings: Settings) -> None:
    add_account(app_db, settings, "someone", Role.LEADER)
    signin.authenticate(app_db, "someone", "wrong", fast(settings.security))
    at = _admin(app_db, settings).switch_page("app_pages/audit_log.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert {"新增", "登录失败", "登录成功"} <= set(table["操作"])
    at.multiselect(key="audit_actions").select("signin_bad").run()
    table = at.dataframe[0].value
    assert list(table["操作"]) == ["登录失败"] and list(table["记录"]) == ["someone"]
    at.text_input(key="audit_key").input("nobody-like-this").run()
    assert at.dataframe[0].value.empty
    assert at.get("download_button")


def test_wall_settings_store_each_screens_parameters(app_db: Engine, settings: Settings) -> None:
    """大屏设置: the new link is selected; its parameters are saved with it (audited) and listed; the link to copy
    carries only the token, so what the screen shows can be changed later from here."""
    at = _admin(app_db, settings)
    at.text_input(key="token_label").input("指挥中心大屏")
    at.button(key="create_token_submit").click().run()
    token = at.code[0].value.split("token=")[1].split("&")[0]
    token_id = at.selectbox(key="wall_link_id").value
    assert at.button(key="wall_save").disabled  # nothing changed yet
    at.radio(key=f"wall_page_{token_id}").set_value("map")
    at.multiselect(key=f"wall_panels_{token_id}").select("map").select("lights")
    at.slider(key=f"wall_carousel_{token_id}").set_value(20)
    at.selectbox(key=f"wall_theme_{token_id}").select("night").run()
    assert any(c.value == "参数已修改，尚未保存。" for c in at.caption)
    assert at.code[-1].value.endswith(f"/map?token={token}&mode=screen")
    at.button(key="wall_save").click().run()
    assert not at.exception and not at.error
    assert wall_links.screen_link_params(app_db, token_id) == {
        "page": "map", "panels": "map,lights", "carousel": "20", "theme": "night"}
    listed = at.dataframe[-1].value.set_index("编号")
    assert listed.loc[token_id, "参数"] == "镇区地图；面板：镇区地图 → 逾期事项与举报、处罚；轮播20秒；夜间"
    assert at.button(key="wall_save").disabled
    changes, _ = audit.audit_entries(app_db, SYSTEM, audit.AuditFilter(tables=("link_tokens",), actions=("update",)))
    assert changes["记录"].tolist() == [str(token_id)]


def test_wall_settings_refuse_unknown_or_overlong_parameters(app_db: Engine) -> None:
    token_id, _ = wall_links.create_screen_token(app_db, SYSTEM, "会议室", None)
    with pytest.raises(AuthError, match="未知的大屏参数：token"):
        wall_links.set_screen_params(app_db, SYSTEM, token_id, {"token": "x"})
    with pytest.raises(AuthError, match="过长"):
        wall_links.set_screen_params(app_db, SYSTEM, token_id, {"panels": "map," * 40})
    wall_links.revoke_screen_token(app_db, SYSTEM, token_id)
    with pytest.raises(AuthError, match="已停用"):
        wall_links.set_screen_params(app_db, SYSTEM, token_id, {"theme": "night"})
    assert wall_links.screen_link_params(app_db, token_id) is None

