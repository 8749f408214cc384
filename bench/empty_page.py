"""The baseline of the page timings: an empty Streamlit page, run the way the app's pages are."""

import streamlit as st

st.write("空白页")
