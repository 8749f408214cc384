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


def test_a_file_over_the_upload_limit_gets_a_chinese_message(app_db, settings, tmp_path, monkeypatch) -> None:
    """The browser lets a file over the configured limit through to the page, which refuses it in Chinese (12)."""
    import os
    from pathlib import Path

    from auth_support import E
    from entry_support import entry_world, open_page

    entry_world(app_db, settings, tmp_path / "seed")
    small = tmp_path / "small.toml"
    text = Path(os.environ["SUPERVISION_CONFIG"]).read_text(encoding="utf-8")
    small.write_text(text.replace("max_upload_mb = 200", "max_upload_mb = 1"), encoding="utf-8")
    monkeypatch.setenv("SUPERVISION_CONFIG", str(small))
    at = open_page("e.gxj", "app_pages/data_entry.py")
    uploader = at.file_uploader[0]
    assert uploader.proto.max_upload_size_mb > 1  # the browser's own refusal ("File must be …") starts above it
    big = ("uscc,year\n" + f"{E[0]},2019\n" * 60_000).encode()  # about 1.4 MB
    uploader.upload("self_checks.csv", big).run()
    assert "文件过大" in at.error[0].value and "上限为 1 MB" in at.error[0].value
