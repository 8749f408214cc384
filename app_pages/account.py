"""我的账号: who I am, changing my password, signing out."""

import streamlit as st

from components import live, session
from components.db import settings
from supervision.core.errors import AuthError
from supervision.core.safety import md_escape

principal = session.current_principal()

st.title("我的账号")
facts = [("用户名", principal.username), ("姓名", principal.display_name), ("角色", principal.role.value),
         ("所属镇区", principal.township), ("所属部门", principal.department)]
for label, value in facts:
    if value:
        st.text(label + "：" + value)

st.subheader("修改密码")
security = settings().security
with st.form("change_password_form", clear_on_submit=True):
    old = st.text_input("原密码", type="password", key="old_password", max_chars=256)
    first = st.text_input("新密码", type="password", key="new_password", max_chars=256,
                          help=f"至少{security.password_min_length:d}位，包含小写字母、大写字母、数字、其他字符中的至少"
                               f"{security.password_min_classes:d}类，不含用户名")
    second = st.text_input("再次输入新密码", type="password", key="new_password_again", max_chars=256)
    done = st.form_submit_button("修改密码", type="primary", key="change_password_submit")
if done:
    if first != second:
        st.error("两次输入的新密码不一致")
    else:
        try:
            epoch = live.change_own_password(principal, security, old, first)
        except AuthError as exc:
            st.error(md_escape(exc))
        else:
            session.password_changed(epoch)
            st.success("密码已修改。其他已登录的浏览器须重新登录。")

st.divider()
left, right = st.columns(2)
if left.button("退出登录", key="account_sign_out", type="secondary"):
    session.sign_out()
if right.button("在所有浏览器上退出", key="account_sign_out_everywhere", type="secondary",
                help="结束本账号在所有电脑、浏览器和标签页上的登录（例如在公用电脑上忘记退出时）"):
    session.sign_out_everywhere()
