"""Every page opens on an empty database (a fresh install) without an error, in normal and screen mode."""

from __future__ import annotations

import pytest
from page_support import PAGES, no_exception


@pytest.mark.parametrize("page", PAGES)
def test_page_opens_without_data(empty_app, page):
    at = empty_app(page)
    no_exception(at)
    assert at.title


@pytest.mark.parametrize("page", ["overview", "map"])
def test_screen_mode_without_data(empty_app, page):
    no_exception(empty_app(page, mode="screen", res="4k", carousel="10"))
