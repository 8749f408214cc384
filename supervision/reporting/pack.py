"""The meeting pack (会议材料): 16:9 slides as .pptx with speaker notes, and the same slides as .pdf.

`collect()` gathers the principal-scoped facts and makes the slides (supervision.reporting.pack_slides);
`render()` renders every chart once (PNG for the .pptx, SVG for the .pdf) and lays the slides out
with `pack_pptx.build_pptx()` and `pack_pdf.build_pdf()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy import Engine

from supervision.core.config import Settings
from supervision.core.principal import Principal
from supervision.geo.boundaries import boundaries
from supervision.reporting import charts, images
from supervision.reporting.facts import gather
from supervision.reporting.pack_pdf import build_pdf
from supervision.reporting.pack_pptx import build_pptx
from supervision.reporting.pack_slides import FIG_H_PX, FIG_W_PX, PNG_SCALE, MeetingPack, build_slides

Progress = Callable[[float, str], None]


def collect(engine: Engine, settings: Settings, principal: Principal, year: int, as_of: dt.date,
            township: str | None = None, *, now: dt.datetime | None = None) -> MeetingPack:
    """The pack's slides for `year` on `as_of`, in the principal's scope (see facts.gather)."""
    f = gather(engine, settings, principal, year, as_of, township)
    bounds = boundaries(settings)
    geojson = charts.choropleth_geojson(bounds.polygons)
    return build_slides(f, geojson, schematic=bounds.schematic, now=now)


# ---- rendering ----------------------------------------------------------------------------

def figure_requests(pack: MeetingPack, formats: Sequence[str]) -> list[tuple[int, str, images.ImageRequest]]:
    """Which images the chosen formats need: (slide index, format, request)."""
    out = []
    for i, slide in enumerate(pack.slides):
        if slide.figure is None:
            continue
        if "pptx" in formats:
            out.append((i, "png", images.ImageRequest(slide.figure, "png", FIG_W_PX, FIG_H_PX, PNG_SCALE)))
        if "pdf" in formats:
            out.append((i, "svg", images.ImageRequest(slide.figure, "svg", FIG_W_PX, FIG_H_PX)))
    return out


def render(pack: MeetingPack, formats: Sequence[str] = ("pptx", "pdf"),
           progress: Progress | None = None) -> dict[str, bytes]:
    """Render the charts once and build each format asked for; progress(fraction, what) along the way."""
    def say(fraction: float, what: str) -> None:
        if progress is not None:
            progress(min(1.0, fraction), what)

    wanted = figure_requests(pack, formats)
    say(0.02, "正在启动浏览器生成图表……")
    rendered = images.render([r for _, _, r in wanted],
                             lambda done, total: say(0.05 + 0.75 * done / total, f"已生成图表 {done}/{total}"))
    png = {i: data for (i, kind, _), data in zip(wanted, rendered, strict=True) if kind == "png"}
    svg = {i: data for (i, kind, _), data in zip(wanted, rendered, strict=True) if kind == "svg"}
    out: dict[str, bytes] = {}
    if "pptx" in formats:
        say(0.82, "正在生成PPT……")
        out["pptx"] = build_pptx(pack, png)
    if "pdf" in formats:
        say(0.9, "正在生成PDF……")
        out["pdf"] = build_pdf(pack, svg)
    say(1.0, "会议材料已生成")
    return out
