"""Township polygons: the schematic file, official boundary files in other formats and CRSs."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import geopandas
import pytest
import shapely

from supervision.core.config import Settings
from supervision.geo.boundaries import boundaries, draw_schematic, read_boundaries
from supervision.storage.townships import directory


def test_schematic_file_is_what_draw_schematic_draws(settings: Settings) -> None:
    drawn = draw_schematic(directory(settings).townships)
    stored = json.loads(Path(settings.jurisdiction.boundary_file).read_text(encoding="utf-8"))
    by_name = {f["properties"]["name"]: shapely.geometry.shape(f["geometry"]) for f in stored["features"]}
    assert set(by_name) == set(drawn) == set(directory(settings).names)
    for name, polygon in drawn.items():
        assert polygon.symmetric_difference(by_name[name]).area < 1e-12, name
    assert "示意" in stored["note"]


def test_every_seat_lies_in_its_own_schematic_polygon(settings: Settings) -> None:
    polys = boundaries(settings)
    assert polys.schematic
    for town in directory(settings).townships:
        assert polys.contains(town.name, float(town.seat_lon), float(town.seat_lat)), town.name


def test_schematic_polygons_tile_without_overlap(settings: Settings) -> None:
    polys = list(boundaries(settings).polygons.values())
    for i, a in enumerate(polys):
        for b in polys[i + 1:]:
            assert a.intersection(b).area < 1e-9


@pytest.mark.parametrize(
    ("driver", "suffix", "epsg"),
    [("ESRI Shapefile", ".shp", 4490), ("GPKG", ".gpkg", 4490), ("GeoJSON", ".geojson", 32651)],
)
def test_official_file_in_any_crs_is_reprojected(tmp_path: Path, settings: Settings, driver: str, suffix: str,
                                                 epsg: int) -> None:
    """An official file in CGCS2000 (EPSG:4490) or a projected CRS comes back in WGS-84, matched by short name."""
    towns = directory(settings)
    schematic = boundaries(settings)
    frame = geopandas.GeoDataFrame(
        {"XZMC": [towns.get(n).short_name for n in schematic.polygons]},  # short names, as some files have
        geometry=list(schematic.polygons.values()),
        crs=4326,
    ).to_crs(epsg)
    path = tmp_path / f"official{suffix}"
    frame.to_file(path, driver=driver)

    official = read_boundaries(path, "XZMC", towns, schematic=False)

    assert not official.schematic
    assert list(official.polygons) == list(schematic.polygons)
    for name, polygon in official.polygons.items():
        # CGCS2000 and WGS-84 agree to well under a metre; a projected CRS round-trips as closely.
        assert polygon.symmetric_difference(schematic.polygons[name]).area < 1e-8, name


def test_unknown_township_in_boundary_file_is_a_clear_error(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "bad.geojson"
    frame = geopandas.GeoDataFrame({"name": ["不存在镇"]}, geometry=[shapely.box(121.0, 31.4, 121.1, 31.5)], crs=4326)
    frame.to_file(path, driver="GeoJSON")
    with pytest.raises(ValueError, match="不存在镇"):
        read_boundaries(path, "name", directory(settings), schematic=False)


def test_configured_boundary_file_replaces_the_schematic(tmp_path: Path, settings: Settings) -> None:
    towns = directory(settings)
    schematic = boundaries(settings)
    path = tmp_path / "official.gpkg"
    geopandas.GeoDataFrame({"name": list(schematic.polygons)}, geometry=list(schematic.polygons.values()),
                           crs=4326).to_crs(4490).to_file(path, driver="GPKG")
    official_settings = replace(
        settings,
        jurisdiction=replace(settings.jurisdiction, boundary_file=path, boundary_is_schematic=False),
    )
    official = boundaries(official_settings)
    assert not official.schematic and official.source == "official.gpkg"
    assert set(official.polygons) == set(towns.names)


def test_township_names_move_off_the_enterprise_markers_and_stay_inside(settings: Settings) -> None:
    import pandas as pd

    from supervision.reporting.charts import _label_points, choropleth_geojson

    geojson = choropleth_geojson(boundaries(settings).polygons)
    home = _label_points(geojson)
    # A marker right on every township's usual label spot, as the demo's closed enterprise sat under 娄东街道.
    points = pd.DataFrame({"lon": [x for x, _ in home.values()], "lat": [y for _, y in home.values()]})
    moved = _label_points(geojson, points)
    polygons = {f["id"]: shapely.geometry.shape(f["geometry"]) for f in geojson["features"]}
    x0, y0, x1, y1 = shapely.union_all(list(polygons.values())).bounds
    extent = max(x1 - x0, y1 - y0)
    for name, (x, y) in moved.items():
        assert (x, y) != home[name], name
        assert polygons[name].contains(shapely.Point(x, y)), name
        # Clear of every marker vertically by more than a line of text (the map's height is about its
        # extent, a 18 px name on a ~700 px map is ~2.5 % of it), or sideways by more than a 4-character name.
        clear = min(max(abs(x - px) / 0.064, abs(y - py) / 0.022) for px, py in home.values()) / extent
        assert clear >= 1.0, (name, clear)
    assert _label_points(geojson, points.iloc[:0]) == home  # no markers: the representative point
