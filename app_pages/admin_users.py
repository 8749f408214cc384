"""用户管理: accounts, their roles and status, and the wall-screen links (administrators only)."""

import pandas as pd
import streamlit as st

from components import live, mapview, screen, session, tables
from components.db import settings
from supervision.access import passwords
from supervision.access.permissions import PermissionDenied
from supervision.core.errors import AuthError
from supervision.core.principal import Role
from supervision.core.safety import md_escape

principal = session.current_principal()
if principal.role is not Role.ADMIN:
    st.error("仅管理员可使用本页。")
    st.stop()

security = settings().security
ROLES = [Role.LEADER, Role.BUREAU, Role.TOWNSHIP, Role.ADMIN]
towns = live.township_names()
departments = security.departments

st.title("用户管理")
users = live.list_users(principal)
st.dataframe(tables.tidy(users), hide_index=True, key="users_table")

new_tab, edit_tab, screen_tab = st.tabs(["新建账号", "修改账号", "大屏链接"])

with new_tab:
    with st.form("create_user_form", clear_on_submit=True):
        username = st.text_input("用户名", key="new_username", max_chars=40,
                                 help="2至40位小写字母、数字或 . _ -，登录时使用")
        display_name = st.text_input("姓名", key="new_display_name", max_chars=60)
        role = st.selectbox("角色", ROLES, format_func=lambda r: r.value, key="new_role", placeholder="请选择")
        township = st.selectbox("所属镇区（仅镇区人员）", towns, index=None, key="new_township", placeholder="请选择")
        department = st.selectbox("所属部门（仅局办人员）", departments, index=None, key="new_department",
                                  placeholder="请选择")
        sso_subject = st.text_input("统一身份标识（可选，单点登录用）", key="new_sso", max_chars=200)
        create = st.form_submit_button("创建账号", type="primary", key="create_user_submit")
    if create:
        password = passwords.generate_password(security, username.strip().lower())
        try:
            live.create_user(principal, security, username=username, display_name=display_name,
                             role=role, password=password, township=township, department=department,
                             sso_subject=sso_subject or None)
        except (AuthError, PermissionDenied) as exc:
            st.error(md_escape(exc))
        else:
            st.success(f"已创建账号 {md_escape(username.strip().lower())}。临时密码只显示这一次，请当面或电话告知本人；"
                       "首次登录须修改密码。")
            st.code(password, language=None)

with edit_tab:
    chosen = st.selectbox("选择账号", users["用户名"].tolist(), index=None, key="edit_username", placeholder="请选择")
    if chosen:
        row = users.set_index("用户名").loc[chosen]
        current_role = Role(row["角色"])
        with st.form("edit_user_form"):
            display_name = st.text_input("姓名", value=row["姓名"], key="edit_display_name", max_chars=60)
            role = st.selectbox("角色", ROLES, index=ROLES.index(current_role), format_func=lambda r: r.value,
                                key="edit_role", placeholder="请选择")
            township = st.selectbox("所属镇区（仅镇区人员）", towns, key="edit_township",
                                    index=towns.index(row["镇区"]) if row["镇区"] in towns else None,
                                                      placeholder="请选择")
            department = st.selectbox("所属部门（仅局办人员）", departments, key="edit_department",
                                      index=departments.index(row["部门"]) if row["部门"] in departments else None,
                                                              placeholder="请选择")
            sso_subject = st.text_input("统一身份标识", value=row["统一身份标识"], key="edit_sso", max_chars=200)
            save = st.form_submit_button("保存修改", type="primary", key="edit_user_submit")
        if save:
            try:
                live.update_user(principal, security, chosen, display_name=display_name, role=role,
                                 township=township, department=department, sso_subject=sso_subject or None)
            except (AuthError, PermissionDenied) as exc:
                st.error(md_escape(exc))
            else:
                st.success("已保存。角色、镇区或部门有变化时，该账号须重新登录。")
                st.rerun()
        left, middle, right = st.columns(3)
        if left.button("重置密码", key="reset_password"):
            password = passwords.generate_password(security, chosen)
            try:
                live.set_password(principal, security, chosen, password, must_change=True)
            except (AuthError, PermissionDenied) as exc:
                st.error(md_escape(exc))
            else:
                st.success("已重置并解除锁定。临时密码只显示这一次：")
                st.code(password, language=None)
        if middle.button("解除锁定", key="unlock_user"):
            live.unlock(principal, chosen)
            st.success("已解除锁定。")
        disabled = row["状态"] == "停用"
        if right.button("启用账号" if disabled else "停用账号", key="toggle_user"):
            try:
                live.update_user(principal, security, chosen, disabled=not disabled)
            except (AuthError, PermissionDenied) as exc:
                st.error(md_escape(exc))
            else:
                st.rerun()


def _at(options: list[str], value: str) -> int:
    return options.index(value) if value in options else 0


def wall_settings(active: pd.DataFrame, created: dict[int, str]) -> None:
    """大屏设置: one screen's stored parameters, saved for the screen to take at its next refresh, and its link."""
    st.caption("每块大屏的显示参数保存在它的链接上。在这里修改并保存后，正在显示的大屏会在下次刷新时自动按新参数显示，"
               "无需到现场操作。链接中写明的参数优先于这里保存的参数。")
    names = dict(zip(active["编号"], active["名称"], strict=True))
    if st.session_state.get("wall_link_id") not in names:
        st.session_state.pop("wall_link_id", None)
    link_id = int(st.selectbox("大屏", list(names), format_func=lambda i: f"#{i} {names[i]}", key="wall_link_id",
                                placeholder="请选择"))
    stored: dict[str, str] = active.loc[active["编号"] == link_id, "参数"].iloc[0]
    themes = list(screen.THEMES)
    measures = [""] + list(mapview.MEASURES)
    left, right = st.columns(2)
    # Keys carry the link's number, so each screen's controls open on its own stored values.
    with left:
        page = st.radio("页面", ["", "map"], format_func=screen.PAGES.get, horizontal=True, key=f"wall_page_{link_id}",
                        index=1 if stored.get("page") == "map" else 0)
        chosen = st.multiselect("轮播的面板组（按选择顺序；空为该页面的默认）", list(screen.GROUP_NAMES),
                                default=list(screen.parse_panels(stored.get("panels"))),
                                format_func=screen.GROUP_NAMES.get, key=f"wall_panels_{link_id}",
                                placeholder="请选择（可多选）")
        carousel = st.slider("轮播间隔（秒，0为不轮播）", 0, screen.CAROUSEL_RANGE[1],
                             screen.stored_carousel(stored), step=5, key=f"wall_carousel_{link_id}")
    with right:
        refresh = st.number_input("刷新间隔（秒）", min_value=screen.MIN_REFRESH, max_value=3600,
                                  value=screen.stored_refresh(stored), key=f"wall_refresh_{link_id}")
        theme = st.selectbox("亮度", themes, format_func=screen.THEMES.get, key=f"wall_theme_{link_id}",
                             placeholder="请选择", index=_at(themes, stored.get("theme", "")))
        measure = st.selectbox("地图着色指标（空为随轮播变化）", measures,
                               format_func=lambda m: mapview.MEASURES.get(m, "随轮播变化"),
                               index=_at(measures, stored.get("measure", "")), key=f"wall_measure_{link_id}",
                               placeholder="请选择")
    wanted = screen.stored_params(page=page, panels=tuple(chosen), carousel=int(carousel), refresh=int(refresh),
                                  theme=theme, measure=measure)
    if st.button("保存到此大屏", key="wall_save", type="primary", disabled=wanted == stored):
        try:
            live.set_screen_params(principal, link_id, wanted)
        except (AuthError, PermissionDenied) as exc:
            st.error(md_escape(exc))
        else:
            st.toast("已保存：该大屏将在下次刷新时按新参数显示。", icon=":material/check:")
            st.rerun()
    if wanted != stored:
        st.caption("参数已修改，尚未保存。")
    st.caption("屏幕分辨率无需设置：页面按屏幕宽度自动缩放（1920×1080 至 3840×2160）。")
    base = (st.context.url or "").rstrip("/")
    token_text = created.get(link_id) or st.text_input(
        "大屏链接口令（token，用于重新生成此大屏的链接）", key=f"wall_token_{link_id}", type="password",
        help="口令只在创建时显示一次；粘贴该大屏现有链接中 token= 之后的部分即可。")
    if token_text.strip():
        st.code(screen.link(base, token_text, page=page), language=None)
        st.caption("此链接只含口令，其余参数随上方保存的设置变化。")


with screen_tab:
    st.write("大屏链接只能查看总览和地图，不能修改任何数据；链接只在创建时显示一次。")
    tokens = live.list_screen_tokens(principal)
    listed = tokens.assign(参数=tokens["参数"].map(screen.describe)) if not tokens.empty else tokens
    st.dataframe(tables.tidy(listed), hide_index=True, key="tokens_table")
    # Tokens created in this admin session, so 大屏设置 below can show each screen's link again.
    created: dict[int, str] = st.session_state.setdefault("wall_tokens", {})
    with st.form("create_token_form", clear_on_submit=True):
        label = st.text_input("大屏名称", key="token_label", max_chars=60, placeholder="如：指挥中心大屏")
        days = st.number_input("有效天数（0为长期）", min_value=0, max_value=3650,
                               value=security.screen_token_days, key="token_days")
        make = st.form_submit_button("创建大屏链接", key="create_token_submit")
    if make:
        try:
            token_id, token = live.create_screen_token(principal, label, int(days) or None)
        except (AuthError, PermissionDenied) as exc:
            st.error(md_escape(exc))
        else:
            st.success(f"已创建大屏链接 #{token_id:d}。请复制下面的链接，它不会再次显示：")
            st.code(screen.link((st.context.url or "").rstrip("/"), token), language=None)
            created[token_id] = token
            st.session_state["wall_link_id"] = token_id  # 大屏设置 opens on the new screen
            tokens = live.list_screen_tokens(principal)
    active = tokens[tokens["状态"] == "有效"] if not tokens.empty else tokens
    if not active.empty:
        revoke_id = st.selectbox("停用链接", active["编号"].tolist(), index=None, key="revoke_token_id",
                                 placeholder="请选择")
        if revoke_id is not None and st.button("停用所选链接", key="revoke_token"):
            live.revoke_screen_token(principal, int(revoke_id))
            st.rerun()

    st.subheader("大屏设置")
    if active.empty:
        st.info("还没有有效的大屏链接：请先在上方创建。", icon=":material/tv:")
    else:
        wall_settings(active, created)
