"""Large-screen mode for wall displays: `?mode=screen` (and `&res=4k` for 3840×2160 at 100 % zoom).

Other parameters: `refresh` (seconds between automatic refreshes, default 60) and
`carousel` (seconds per panel group; 0 or absent shows every panel at once).
The look comes from two static stylesheets under static/ that hold no data.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from components import session
from supervision.core.clock import now_local, to_local
from supervision.reporting.charts import Look

STATIC = Path(__file__).resolve().parent.parent / "static"
DEFAULT_REFRESH = 60
MIN_REFRESH = 5


@dataclass(frozen=True)
class Screen:
    on: bool
    uhd: bool = False  # 3840×2160 at 100 % zoom: twice the CSS pixels of 1920×1080
    refresh_s: int = DEFAULT_REFRESH
    carousel_s: int = 0

    @property
    def scale(self) -> float:
        return 2.0 if self.uhd else 1.0

    def look(self, height_1080: int, columns: int = 1) -> Look:
        """A dark look whose height (given for 1920×1080) and type scale follow the screen.

        `columns` is how many panels share the screen's width, so the source line wraps to fit.
        """
        return Look(height=round(height_1080 * self.scale), dark=True, scale=self.scale,
                    footnote_chars=max(30, 150 // columns))

    def carousel_index(self, groups: int, now: float | None = None) -> int:
        """Which panel group to show now: time-based, so every screen showing the link agrees."""
        if not self.carousel_s or groups <= 1:
            return 0
        return int((now if now is not None else time.time()) // self.carousel_s) % groups

    @property
    def run_every(self) -> int:
        """How often the wall panels rerun: the refresh period, or the carousel's if shorter."""
        periods = [self.refresh_s] + ([self.carousel_s] if self.carousel_s else [])
        return max(MIN_REFRESH, min(periods))


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text not in (None, "") else default
    except ValueError:
        return default


def read() -> Screen:
    """The screen settings from the URL (invalid values fall back to the defaults).

    A wall-screen link (`token`) or a session signed in by one always gets the wall, with or without
    `mode=screen`: a link must never open the normal pages with their tables and downloads.
    """
    params = st.query_params
    if params.get("mode") != "screen" and not params.get("token") and not session.is_screen():
        return Screen(on=False)
    return Screen(
        on=True,
        uhd=params.get("res", "").lower() in ("4k", "2160", "uhd"),
        refresh_s=max(MIN_REFRESH, _int(params.get("refresh"), DEFAULT_REFRESH)),
        carousel_s=max(0, _int(params.get("carousel"), 0)),
    )


def apply(screen: Screen) -> None:
    """Hide the sidebar, header and toolbar and switch to the dark wall style."""
    if not screen.on:
        return
    st.html(STATIC / "screen.css")
    if screen.uhd:
        st.html(STATIC / "screen-4k.css")


def updated_text(changed_at: dt.datetime | None) -> str:
    """"最后更新": when this panel was drawn, and when the data last changed."""
    now = now_local()
    text = f"最后更新：{now:%Y-%m-%d %H:%M:%S}"
    if changed_at is not None:
        local = to_local(changed_at)
        text += f"　数据变更：{local:%Y-%m-%d %H:%M}"
    return text
