"""The jurisdiction's townships: the reference file, name resolution and the database copy."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, insert, select, update

from supervision.core.config import Settings
from supervision.storage.models import Township


@dataclass(frozen=True)
class TownshipInfo:
    name: str
    short_name: str
    code: str | None
    kind: str
    seat_lon: Decimal | None
    seat_lat: Decimal | None
    sort_order: int
    note: str | None


@dataclass(frozen=True)
class TownshipDirectory:
    """Resolves a name, short name or configured alias to the township's full name."""

    townships: tuple[TownshipInfo, ...]
    aliases: dict[str, str]

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.townships]

    def resolve(self, text: str) -> str | None:
        key = text.strip()
        for t in self.townships:
            if key in (t.name, t.short_name):
                return t.name
        return self.aliases.get(key)

    def get(self, name: str) -> TownshipInfo:
        return next(t for t in self.townships if t.name == name)


def read_townships_file(path: Path) -> tuple[TownshipInfo, ...]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return tuple(
        TownshipInfo(
            name=r["name"].strip(),
            short_name=r["short_name"].strip(),
            code=r["code"].strip() or None,
            kind=r["kind"].strip(),
            seat_lon=Decimal(r["seat_lon"]) if r.get("seat_lon") else None,
            seat_lat=Decimal(r["seat_lat"]) if r.get("seat_lat") else None,
            sort_order=int(r["sort_order"]),
            note=(r.get("note") or "").strip() or None,
        )
        for r in rows
    )


@lru_cache(maxsize=8)
def _directory(path: str, aliases: tuple[tuple[str, str], ...]) -> TownshipDirectory:
    townships = read_townships_file(Path(path))
    names = {t.name for t in townships}
    unknown = sorted(target for _, target in aliases if target not in names)
    if unknown:
        raise ValueError(f"config.toml: aliases point at unknown townships {unknown}")
    return TownshipDirectory(townships=townships, aliases=dict(aliases))


def directory(settings: Settings) -> TownshipDirectory:
    """The township directory of the configured jurisdiction."""
    j = settings.jurisdiction
    return _directory(str(j.townships_file), tuple(sorted(j.aliases.items())))


def sync_townships(engine: Engine, settings: Settings) -> None:
    """Make the townships table match the reference file (adds and updates, never deletes)."""
    wanted = {t.name: t for t in directory(settings).townships}
    with engine.begin() as conn:
        existing = {row.name: row for row in conn.execute(select(Township))}
        for name, t in wanted.items():
            values = {
                "short_name": t.short_name,
                "code": t.code,
                "kind": t.kind,
                "seat_lon": t.seat_lon,
                "seat_lat": t.seat_lat,
                "sort_order": t.sort_order,
                "note": t.note,
            }
            row = existing.get(name)
            if row is None:
                conn.execute(insert(Township).values(name=name, **values))
            elif any(getattr(row, k) != v for k, v in values.items()):
                conn.execute(update(Township).where(Township.name == name).values(**values))
