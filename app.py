"""Entry script: page configuration and navigation only; each page lives in app_pages/.

The folder is not named pages/: with that name a cold deep link (a bookmarked
/map opened as the server's first request) runs the page without this frame.
See README, "Why app_pages/".
"""

import streamlit as st

st.set_page_config(page_title="稀土整顿监管平台", page_icon=":material/shield:", layout="wide")

navigation = st.navigation(
    [
        st.Page("app_pages/overview.py", title="总览", icon=":material/dashboard:", url_path="overview", default=True),
    ]
)
navigation.run()
