"""Township polygons: the schematic ones drawn for this product, or an official boundary file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPoint, Point, mapping, shape
from shapely.geometry.base import BaseGeometry

from supervision.core.config import Settings
from supervision.storage.townships import TownshipDirectory, TownshipInfo, directory

# A hand-drawn outline of Taicang (WGS-84), clockwise from the north-west: the
# Changshu border, the Yangtze shore, the Shanghai border and the Kunshan
# border. It is schematic, drawn from the public bounding box
# (N31°20'–31°45', E120°58'–121°20') and the towns' seats, not surveyed.
TAICANG_OUTLINE: tuple[tuple[float, float], ...] = (
    (120.985, 31.600),
    (121.050, 31.700),
    (121.130, 31.745),
    (121.220, 31.680),
    (121.290, 31.600),
    (121.330, 31.530),
    (121.320, 31.470),
    (121.270, 31.420),
    (121.200, 31.380),
    (121.120, 31.340),
    (121.040, 31.370),
    (120.980, 31.440),
    (120.968, 31.520),
)

SCHEMATIC_NOTE = "镇区边界为示意，非官方界线"


@dataclass(frozen=True)
class Boundaries:
    """Township polygons in WGS-84 by full township name."""

    polygons: dict[str, BaseGeometry]
    schematic: bool
    source: str

    def contains(self, township: str, lon: float, lat: float) -> bool | None:
        """Whether the point lies in the township's polygon; None when it has none."""
        polygon = self.polygons.get(township)
        if polygon is None:
            return None
        return bool(polygon.covers(Point(lon, lat)))

    def township_at(self, lon: float, lat: float) -> str | None:
        point = Point(lon, lat)
        return next((name for name, poly in self.polygons.items() if poly.covers(point)), None)

    def geojson(self) -> dict[str, Any]:
        """A FeatureCollection (RFC 7946 winding) with the township name as the feature id."""
        features = [
            {"type": "Feature", "id": name, "properties": {"name": name}, "geometry": mapping(poly)}
            for name, poly in self.polygons.items()
        ]
        return {"type": "FeatureCollection", "features": features}


def draw_schematic(townships: tuple[TownshipInfo, ...]) -> dict[str, BaseGeometry]:
    """Voronoi cells of the township seats clipped to the outline: schematic, not official."""
    outline = shapely.Polygon(TAICANG_OUTLINE)
    seats = {t.name: Point(float(t.seat_lon), float(t.seat_lat)) for t in townships
             if t.seat_lon is not None and t.seat_lat is not None}
    cells = shapely.voronoi_polygons(MultiPoint(list(seats.values())), extend_to=outline)
    out: dict[str, BaseGeometry] = {}
    for cell in cells.geoms:
        clipped = cell.intersection(outline)
        name = next(n for n, p in seats.items() if cell.covers(p))
        out[name] = shapely.set_precision(clipped, 1e-6)
    return {t.name: out[t.name] for t in townships if t.name in out}


def _read_geojson(path: Path, name_field: str) -> dict[str, BaseGeometry]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {f["properties"][name_field]: shape(f["geometry"]) for f in data["features"]}


def _read_any(path: Path, name_field: str) -> dict[str, BaseGeometry]:
    """Any format GDAL reads, in any CRS (e.g. CGCS2000 EPSG:4490), reprojected to WGS-84."""
    import geopandas

    frame = geopandas.read_file(path)
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    return {str(row[name_field]): row.geometry for _, row in frame.iterrows()}


def read_boundaries(path: Path, name_field: str, towns: TownshipDirectory, schematic: bool) -> Boundaries:
    raw = _read_geojson(path, name_field) if path.suffix.lower() in (".geojson", ".json") else None
    if raw is None or not schematic:
        raw = _read_any(path, name_field)
    polygons: dict[str, BaseGeometry] = {}
    unknown: list[str] = []
    for label, geometry in raw.items():
        name = towns.resolve(label)
        if name is None:
            unknown.append(label)
            continue
        polygons[name] = shapely.union(polygons[name], geometry) if name in polygons else geometry
    if unknown:
        raise ValueError(f"边界文件 {path.name} 中的镇区名称无法识别：{'、'.join(unknown)}")
    order = [n for n in towns.names if n in polygons]
    return Boundaries({n: polygons[n] for n in order}, schematic=schematic, source=path.name)


_CACHE: dict[tuple[object, ...], Boundaries] = {}


def boundaries(settings: Settings) -> Boundaries:
    """The configured township polygons (read once per process and configuration)."""
    j = settings.jurisdiction
    key = (str(j.boundary_file), j.boundary_name_field, j.boundary_is_schematic, str(j.townships_file),
           tuple(sorted(j.aliases.items())))
    if key not in _CACHE:
        _CACHE[key] = read_boundaries(j.boundary_file, j.boundary_name_field, directory(settings),
                                      j.boundary_is_schematic)
    return _CACHE[key]
