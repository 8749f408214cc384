"""The administrator's pages in AppTest: create, change, reset and disable accounts; links; the audit page."""

from __future__ import annotations

from typing import Any

from auth_support import OWN, add_account, fast, new_app, on_login_page, sign_in
from sqlalchemy import Engine

from supervision.access import passwords, signin
from supervision.core.config import Settings
from supervision.core.principal import Role


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


def test_wall_settings_compose_a_link_per_screen(app_db: Engine, settings: Settings) -> None:
    """大屏设置: the new link's token is filled in; the chosen parameters make the link to copy."""
    at = _admin(app_db, settings)
    at.text_input(key="token_label").input("指挥中心大屏")
    at.button(key="create_token_submit").click().run()
    token = at.code[0].value.split("token=")[1].split("&")[0]
    at.multiselect(key="wall_panels").select("map").select("overview")
    at.slider(key="wall_carousel").set_value(20)
    at.selectbox(key="wall_theme").select("night").run()
    composed = at.code[-1].value
    assert f"?token={token}&mode=screen&panels=map,overview&carousel=20&theme=night" in composed
