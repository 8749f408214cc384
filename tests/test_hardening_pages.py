"""Issue 20 on the pages: a wall link gets the wall only (5), no toolbar CSV download (4), upload limit message (12)."""

from __future__ import annotations

import tomllib

import pytest
from page_support import charts, no_exception

from supervision.core.config import PROJECT_ROOT

PARAMS = {"year": "2019", "as_of": "2019-10-15"}


@pytest.mark.parametrize("page", ["overview", "map"])
def test_a_screen_link_without_mode_screen_still_gets_only_the_wall(app, seeded, page):
    """`?token=…` alone used to open the normal overview with its tables and "下载Excel" (5)."""
    at = app(page, token=seeded[1], **PARAMS)
    no_exception(at)
    assert any(k.startswith("wall_") for k in charts(at)), list(charts(at))
    assert not [k for k in charts(at) if not k.startswith("wall_")]
    assert len(at.get("download_button")) == 0 and len(at.dataframe) == 0
    assert not any("下载" in b.label for b in at.button)
    at.switch_page("app_pages/overview.py" if page == "map" else "app_pages/map.py").run()
    no_exception(at)
    assert len(at.get("download_button")) == 0 and len(at.dataframe) == 0
    for forbidden in ("quota", "findings", "enterprise", "meeting", "account"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"app_pages/{forbidden}.py")


def test_dataframe_toolbar_export_is_off() -> None:
    """Streamlit's own "Download as CSV" of st.dataframe skips formula neutralisation: it is switched off (4)."""
    with open(PROJECT_ROOT / ".streamlit" / "config.toml", "rb") as fh:
        options = tomllib.load(fh)
    assert options["client"]["disableDataExport"] is True
