"""登录: password sign-in (with the forced change of a temporary password) and, if configured, single sign-on."""

import streamlit as st

from components import session
from components.db import settings
from supervision.core.errors import AuthError
from supervision.core.safety import md_escape

if st.query_params.get("mode") == "screen" and st.query_params.get("token"):
    # A wall link that no longer works: a notice readable from across the room, and no sign-in form on a wall.
    session.pop_notice()
    st.title("大屏链接已失效")
    st.error("此大屏链接无效、已过期或已被停用，大屏已停止显示数据。", icon=":material/link_off:")
    st.markdown("请联系系统管理员在“用户管理 › 大屏设置”中生成新的大屏链接，并在本大屏的浏览器中打开。")
    st.stop()

st.title("稀土整顿监管平台")
st.caption("太仓市稀土行业秩序整顿监管看板")

notice = session.pop_notice()
if notice:
    st.info(md_escape(notice), icon=":material/info:")

pending = session.pending_password_change()
if pending is not None:
    st.subheader("请设置新密码")
    st.write("您使用的是管理员设置的临时密码，须先设置自己的密码。")
    with st.form("new_password_form", clear_on_submit=True):
        first = st.text_input("新密码", type="password", key="new_password", max_chars=256)
        second = st.text_input("再次输入新密码", type="password", key="new_password_again", max_chars=256)
        done = st.form_submit_button("设置并登录", type="primary", key="new_password_submit")
    if done:
        if first != second:
            st.error("两次输入的密码不一致")
        else:
            try:
                session.finish_password_change(first)
            except AuthError as exc:
                st.error(md_escape(exc))
            else:
                st.rerun()
    if st.button("返回登录", key="cancel_password_change"):
        session.cancel_password_change()
        st.rerun()
    st.stop()

with st.columns([2, 3])[0], st.form("login_form", clear_on_submit=True):
    username = st.text_input("用户名", key="login_username", max_chars=40, autocomplete="username")
    password = st.text_input("密码", type="password", key="login_password", max_chars=256,
                             autocomplete="current-password")
    submitted = st.form_submit_button("登录", type="primary", key="login_submit")
if submitted:
    result = session.sign_in_with_password(username, password)
    if result.ok:
        st.rerun()
    st.error(md_escape(result.message), icon=":material/error:")

sso = settings().security.sso
if sso.enabled:
    st.divider()
    if st.button(md_escape(sso.label), key="sso_login", icon=":material/badge:"):
        session.start_sso()
    if st.user.is_logged_in:
        st.caption("已通过统一身份认证，但本系统中没有对应的账号。")
        if st.button("退出统一身份认证", key="sso_logout"):
            st.logout()

st.caption(f"连续{settings().security.lockout_threshold:d}次输错密码，账号将锁定"
           f"{settings().security.lockout_minutes:d}分钟。忘记密码请联系系统管理员。")
