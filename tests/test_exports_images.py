"""Chart images: PNG at 2× and 4×, SVG, offline; CJK text drawn as glyphs, never as boxes."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from exports_support import differing_pixels, needs_browser, non_blank
from PIL import Image

from supervision.reporting import charts, images
from supervision.reporting.charts import Caption, Look

pytestmark = needs_browser


def _bars() -> go.Figure:
    import pandas as pd

    counts = pd.DataFrame({"township": ["浮桥镇", "浮桥镇", "沙溪镇"], "category": ["冶炼分离", "贸易流通", "冶炼分离"],
                           "n": [2, 1, 3]})
    return charts.enterprises_by_township(counts, Caption("各镇（区）稀土企业数量", "企业名录（工信局）", "2019-08-20"),
                                          Look(height=400))


def test_png_at_two_and_four_times_and_svg_with_title_source_and_as_of() -> None:
    files = images.chart_images(_bars(), width=800)
    png2, png4 = (Image.open(io.BytesIO(files[k])) for k in ("png2", "png4"))
    assert png2.size == (1600, 800) and png4.size == (3200, 1600)
    assert non_blank(files["png2"]) > 10 and non_blank(files["png4"]) > 10
    svg = files["svg"].decode("utf-8")
    ET.fromstring(svg)  # well-formed
    texts = "".join(re.findall(r">([^<>]+)</text>", svg)) + svg
    for expected in ("各镇（区）稀土企业数量", "数据来源：企业名录（工信局）", "数据截至：2019-08-20",
                     "浮桥镇", "沙溪镇"):
        assert expected in texts, expected


def _word(text: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font={"size": 64, "family": charts.FONT_FAMILY, "color": "#000000"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(template="plotly_white", margin={"l": 0, "r": 0, "t": 0, "b": 0})
    return fig


def _render_words(words: list[str]) -> list[bytes]:
    return images.render([images.ImageRequest(_word(w), "png", 400, 120, 1.0) for w in words])


def test_cjk_text_renders_as_glyphs_not_boxes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Distinct characters give distinct pixels; with no CJK font (the control) they collapse into identical boxes.

    The control proves the test can see boxes: the same rendering with a fontconfig that knows
    only a Latin font draws every Chinese character as the same .notdef box.
    """
    assert images.cjk_font_families(), "fontconfig lists no font covering Chinese"
    real = _render_words(["稀土", "整顿"])
    assert all(non_blank(p) > 5 for p in real)
    assert differing_pixels(real[0], real[1]) > 200  # two different words really look different

    latin = Path("/usr/share/fonts/truetype/dejavu")
    if not latin.is_dir():
        pytest.skip("no DejaVu fonts for the no-CJK control rendering")
    config = tmp_path / "fonts.conf"
    fonts_conf = f"""<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{latin}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"""
    config.write_text(fonts_conf, encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    boxes = _render_words(["稀土", "整顿"])
    assert differing_pixels(boxes[0], boxes[1]) < 20  # tofu: both words are the same two boxes
    assert differing_pixels(real[0], boxes[0]) > 200  # and the real rendering is not those boxes


def test_the_map_renders_offline_from_the_local_topojson() -> None:
    import pandas as pd
    import shapely.geometry as sg

    polygons = {"甲镇": sg.box(121.0, 31.4, 121.1, 31.5), "乙镇": sg.box(121.1, 31.4, 121.2, 31.5)}
    geojson = charts.choropleth_geojson(polygons)
    measures = pd.DataFrame({"township": ["甲镇", "乙镇"], "enterprises": [3, 1]})
    points = pd.DataFrame(columns=["uscc", "name", "category", "township", "status", "lon", "lat"])
    fig = charts.township_map(geojson, measures, "enterprises", points, Caption("地图", "企业名录", None),
                              Look(height=400))
    png = images.render_one(fig, scale=1.0, width=600)
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    # The polygons are filled from the Blues scale: many distinctly blue pixels mean the map was drawn.
    blue = int(((rgb[..., 2] > rgb[..., 0] + 30) & (rgb[..., 2] > 120)).sum())
    assert blue > 2000, blue
    assert images.topojson_url().startswith("file://") and (images.TOPOJSON_DIR / "world_110m.json").is_file()


def test_availability_says_what_is_missing_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    images.export_available.cache_clear()
    try:
        monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
        ok, reason = images.export_available()
        assert not ok and "Chromium" in reason and "apt-get install chromium" in reason
        images.export_available.cache_clear()
        monkeypatch.delenv("BROWSER_PATH")
        monkeypatch.setattr(images, "cjk_font_families", lambda: [])
        ok, reason = images.export_available()
        assert not ok and "中文字体" in reason and "fonts-noto-cjk" in reason
        with pytest.raises(images.ExportUnavailable, match="中文字体"):
            images.render_one(_bars())
    finally:
        images.export_available.cache_clear()
