"""Entry script: page configuration, navigation and the shared filters; each page lives in app_pages/.

The folder is not named pages/: with that name a cold deep link (a bookmarked
/map opened as the server's first request) runs the page without this frame.
See README, "Why app_pages/".
"""

from pathlib import Path

import streamlit as st

from components import filters, navigation, screen
from components.db import current_data_version
from components.session import current_principal

wall = screen.read()
# A local favicon: a :material/...: page icon makes the browser fetch it from fonts.gstatic.com.
st.set_page_config(page_title="稀土整顿监管平台", page_icon=str(Path(__file__).parent / "static" / "favicon.png"),
                   layout="wide",
                   initial_sidebar_state="collapsed" if wall.on else "auto")
principal = current_principal()
page = st.navigation(navigation.st_pages(principal), position="hidden" if wall.on else "sidebar")
screen.apply(wall)
filters.render(current_data_version(), principal)
page.run()
