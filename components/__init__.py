"""Streamlit building blocks shared by the pages: cached data access, filters, charts, tables."""
