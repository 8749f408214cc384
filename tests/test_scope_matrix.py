"""Each role × each domain query, write and administrative function: what it may and may not see or do.

Asserted on the data returned and on the database afterwards, never on hidden buttons.
A new query is covered by adding one line to READS; a new table is covered by the seed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from auth_support import (
    OTHER,
    OWN,
    PRINCIPALS,
    SEEDED_TOWNS,
    E,
    expected_rows,
    fast,
    seed,
    seed_tables,
    visible_towns,
    write_package,
)
from sqlalchemy import Engine, func, select

from supervision.access import accounts, audit, wall_links
from supervision.access.permissions import PermissionDenied, writable_tables
from supervision.checks import findings_frame, risk_ranking
from supervision.core.config import Settings, load_settings
from supervision.core.errors import AuthError
from supervision.core.principal import SYSTEM, Principal, Role
from supervision.core.spec import TABLES_BY_KEY
from supervision.entry import records
from supervision.ingest.importer import import_package
from supervision.read import queries
from supervision.storage.models import DATA_MODELS


@pytest.fixture
def world(db: Engine, settings: Settings, tmp_path: Path) -> dict[str, Any]:
    return seed(db, settings, tmp_path / "seed")


# Reads: one line per domain query.
@dataclass(frozen=True)
class Read:
    """A domain query and how to read back the townships (or per-table counts) in what it returned."""

    name: str
    call: Callable[..., pd.DataFrame]  # (engine, principal, township=None)
    towns: Callable[[pd.DataFrame], set[str]] | None = None  # townships that appear with data
    counts: Callable[[pd.DataFrame], dict[str, int]] | None = None  # rows per spec table
    # For derived results (findings, rankings): the principal gets exactly the command line's answer
    # restricted to the townships it may see; `rows` names each row for that comparison.
    rows: Callable[[pd.DataFrame], set[tuple[Any, ...]]] | None = None


SETTINGS = load_settings()
YEAR, AS_OF = 2019, dt.date(2019, 12, 31)


def _findings(engine: Engine, principal: Principal, township: str | None = None) -> pd.DataFrame:
    return findings_frame(engine, SETTINGS, principal, YEAR, AS_OF, township=township)


def _ranking(engine: Engine, principal: Principal, township: str | None = None) -> pd.DataFrame:
    return risk_ranking(engine, SETTINGS, principal, YEAR, AS_OF, township=township)


def _towns_of(frame: pd.DataFrame) -> set[str]:
    return {t for t in frame["township"] if isinstance(t, str)}


READS: list[Read] = [
    Read("townships", queries.townships, towns=lambda df: set(df["name"])),
    Read("enterprise_counts", queries.enterprise_counts, towns=lambda df: set(df.loc[df["n"] > 0, "township"])),
    Read("enterprise_status_counts", queries.enterprise_status_counts,
         counts=lambda df: {"enterprises": int(df["n"].sum()) if not df.empty else 0}),
    Read("table_freshness", lambda e, p, t=None: queries.table_freshness(e, p, YEAR, t, as_of=AS_OF),
         counts=lambda df: dict(zip(df["table"], df["rows"], strict=True))),
    Read("findings", _findings, towns=_towns_of,
         rows=lambda df: {(r.rule, r.subject, r.township) for r in df.itertuples()}),
    Read("risk_ranking", _ranking, towns=_towns_of,
         rows=lambda df: {(r.uscc, r.township, r.score, r.rules) for r in df.itertuples()}),
    # What the data-entry forms read (supervision.entry.records).
    Read("records.enterprise_options", records.enterprise_options, towns=_towns_of),
    Read("records.scoring_items", records.scoring_items, counts=lambda df: {"scoring_items": len(df)}),
    Read("records.inspection_scores", records.inspection_scores, towns=_towns_of),
    Read("records.tipoffs", records.tipoffs, towns=_towns_of),
    Read("records.environment_records", records.environment_records, towns=_towns_of),
    Read("records.penalties", records.penalties, towns=_towns_of),
    Read("records.self_checks", records.self_checks, towns=_towns_of),
    Read("records.township_reports", records.township_reports, towns=_towns_of),
    Read("records.self_check_status", lambda e, p, t=None: records.self_check_status(e, p, t, year=YEAR),
         towns=_towns_of),
    Read("records.township_totals", lambda e, p, t=None: records.township_totals(e, p, t, year=YEAR),
         towns=_towns_of),
]
DERIVED = {"findings", "risk_ranking"}  # not in supervision.read.queries
# supervision.entry.records functions that read one record by its key; their scope is tested in test_forms.py.
RECORD_BY_KEY = {"load_record", "record_history"}


# Domain queries that take no principal, and why that is safe.
UNSCOPED = {
    "holds_demo_data": "says only whether the demo generator's package was imported (a yes/no, no rows)",
    "data_changed_at": "the time of the last write (the data-version stamp shown on wall screens), no rows",
}


def test_every_query_is_in_the_matrix() -> None:
    """A new function in supervision.read.queries must be added to READS (or justified in UNSCOPED).

    The dashboard's queries have their own matrix in test_dashboard_scope.py (DASHBOARD_QUERIES).
    """
    import inspect

    from test_dashboard_scope import DASHBOARD_QUERIES

    public = {name: fn for name, fn in inspect.getmembers(queries, inspect.isfunction)
              if fn.__module__ == queries.__name__ and not name.startswith("_")}
    scoped = {name for name, fn in public.items() if "principal" in inspect.signature(fn).parameters}
    assert scoped == ({r.name for r in READS if "." not in r.name} - DERIVED) | DASHBOARD_QUERIES
    assert set(public) - scoped == set(UNSCOPED)


def test_every_form_query_is_in_the_matrix() -> None:
    """A new function in supervision.entry.records must be added to READS (or to RECORD_BY_KEY with its own test)."""
    import inspect

    public = {name for name, fn in inspect.getmembers(records, inspect.isfunction)
              if fn.__module__ == records.__name__ and not name.startswith("_")
              and "principal" in inspect.signature(fn).parameters}
    listed = {r.name.split(".", 1)[1] for r in READS if r.name.startswith("records.")}
    assert public == listed | RECORD_BY_KEY


def _expected_towns(read: Read, principal: Principal) -> set[str]:
    visible = visible_towns(principal)
    if read.name == "townships":  # the list of townships is reference data: all, or the officer's own
        return {OWN} if principal.role is Role.TOWNSHIP else set(auth_towns_all())
    if visible is None:
        return set(SEEDED_TOWNS)
    return set(visible)


def auth_towns_all() -> list[str]:
    import csv

    from supervision.core.config import load_settings

    with open(load_settings().jurisdiction.townships_file, encoding="utf-8") as fh:
        return [row["name"] for row in csv.DictReader(fh)]


@pytest.mark.parametrize("read", READS, ids=lambda r: r.name)
@pytest.mark.parametrize("role", list(PRINCIPALS))
def test_read_matrix(world: dict[str, Any], db: Engine, read: Read, role: str) -> None:
    principal = PRINCIPALS[role]
    frame = read.call(db, principal)
    if read.rows is not None:
        everything = read.call(db, SYSTEM)
        assert read.towns is not None and read.towns(everything) == set(SEEDED_TOWNS)  # the seed fires everywhere
        visible = visible_towns(principal)
        expected = read.rows(everything if visible is None else everything[everything["township"].isin(visible)])
        assert read.rows(frame) == expected
        assert read.towns(frame) <= (set(SEEDED_TOWNS) if visible is None else set(visible))
        return
    if read.towns is not None:
        assert read.towns(frame) == _expected_towns(read, principal)
    if read.counts is not None:
        expected = expected_rows(world, visible_towns(principal))
        got = read.counts(frame)
        assert got == {k: expected[k] for k in got}


@pytest.mark.parametrize("read", [r for r in READS if r.name != "townships"], ids=lambda r: r.name)
def test_township_officer_asking_for_another_township_gets_nothing(world: dict[str, Any], db: Engine,
                                                                   read: Read) -> None:
    officer = PRINCIPALS["浮桥镇人员"]
    frame = read.call(db, officer, OTHER)
    if read.towns is not None:
        assert read.towns(frame) == set()
    if read.counts is not None:
        assert all(v == 0 for v in read.counts(frame).values())
    # The same question from a leader is answered, so the empty answer above is the scope, not the data.
    leader = read.call(db, PRINCIPALS["领导"], OTHER)
    if read.towns is not None:
        assert read.towns(leader) == {OTHER}
    if read.counts is not None:
        assert sum(read.counts(leader).values()) > 0


# Writes through the import: each role × each table.

# A changed, valid value per table, so that an allowed import is a real replacement, visible afterwards.
MUTATE = {
    "enterprises": ("name", "更名后的企业"), "quotas": ("quota_t", "999"), "monthly_reports": ("production_t", "99"),
    "traceability": ("production_t", "99"), "resource_tax": ("ore_t", "9"), "licenses": ("quantity_t", "99"),
    "customs": ("quantity_t", "2"), "environment": ("kind", "超标排放"), "self_checks": ("problems_found", "9"),
    "penalties": ("measure", "责令停产"), "invoices": ("reo_t", "2.5"), "township_reports": ("enterprises_total", "3"),
    "scoring_items": ("item", "修改后的条目"), "inspection_scores": ("score", "7"),
    "tipoffs": ("subject_name", "另一企业"),
}


def test_mutations_cover_every_table() -> None:
    assert set(MUTATE) == set(TABLES_BY_KEY)


def _one_row_package(tmp_path: Path, table: str, row_index: int) -> Path:
    header, rows, _ = seed_tables()[table]
    row = list(rows[row_index])
    column, value = MUTATE[table]
    row[header.index(column)] = value
    return write_package(tmp_path / f"{table}-{row_index}", {table: (header, [row], [])})


def _row_index_in(table: str, town: str) -> int | None:
    header, rows, towns = seed_tables()[table]
    for i, t in enumerate(towns):
        if t == frozenset({town}):
            return i
    return None


WRITE_CASES = [(role, table) for role in PRINCIPALS for table in TABLES_BY_KEY]


@pytest.mark.parametrize(("role", "table"), WRITE_CASES)
def test_import_write_matrix(world: dict[str, Any], db: Engine, settings: Settings, tmp_path: Path,
                             role: str, table: str) -> None:
    principal = PRINCIPALS[role]
    index = _row_index_in(table, OWN)
    if index is None:  # the city-level scoring table has no township row: use its first row
        index = 0
    before = _snapshot(db, table)
    package = _one_row_package(tmp_path, table, index)
    report = import_package(package, db, settings, actor=audit.actor_label(principal), principal=principal)
    allowed = table in writable_tables(principal, settings.security)
    assert report.ok == allowed, report.summary()
    after = _snapshot(db, table)
    if allowed:
        assert report.written and after != before
    else:
        assert after == before  # nothing written
        assert report.problems and not report.written


@pytest.mark.parametrize("table", sorted(t for t in TABLES_BY_KEY if _row_index_in(t, OTHER) is not None))
def test_township_officer_cannot_import_another_townships_rows(world: dict[str, Any], db: Engine,
                                                               settings: Settings, tmp_path: Path, table: str) -> None:
    officer = PRINCIPALS["浮桥镇人员"]
    index = _row_index_in(table, OTHER)
    assert index is not None
    before = _snapshot(db, table)
    report = import_package(_one_row_package(tmp_path, table, index), db, settings, actor="t", principal=officer)
    assert not report.ok
    assert _snapshot(db, table) == before


def test_township_officer_cannot_move_an_enterprise_into_or_out_of_their_township(
        world: dict[str, Any], db: Engine, settings: Settings, tmp_path: Path) -> None:
    officer = PRINCIPALS["浮桥镇人员"]
    header, rows, _ = seed_tables()["enterprises"]
    town_col = header.index("township")
    takeover = list(rows[2])  # an enterprise of 城厢镇 claimed for 浮桥镇
    takeover[town_col] = OWN
    handover = list(rows[0])  # an enterprise of 浮桥镇 pushed to 城厢镇
    handover[town_col] = OTHER
    for i, row in enumerate((takeover, handover)):
        before = _snapshot(db, "enterprises")
        package = write_package(tmp_path / f"move{i}", {"enterprises": (header, [row], [])})
        report = import_package(package, db, settings, actor="t", principal=officer)
        assert not report.ok, report.summary()
        assert _snapshot(db, "enterprises") == before


def test_township_officer_can_add_an_enterprise_and_its_rows_in_one_package(
        world: dict[str, Any], db: Engine, settings: Settings, tmp_path: Path) -> None:
    from auth_support import make_uscc

    officer = PRINCIPALS["浮桥镇人员"]
    code = make_uscc(9)
    tables = {
        "enterprises": (["uscc", "name", "category", "township"], [[code, "新登记企业", "贸易流通", "港区"]], []),
        "self_checks": (["uscc", "year", "submitted_on"], [[code, "2019", "2019-07-10"]], []),
    }
    report = import_package(write_package(tmp_path / "new", tables), db, settings, actor="t", principal=officer)
    assert report.ok and report.written, report.summary()
    frame = queries.enterprise_counts(db, officer)
    assert int(frame["n"].sum()) == 3  # two seeded plus the new one, all in 浮桥镇


def _snapshot(engine: Engine, table: str) -> list[tuple[Any, ...]]:
    model = DATA_MODELS[table]
    cols = [c for c in model.__table__.columns if c.name not in ("import_id",)]
    with engine.connect() as conn:
        return sorted(tuple(str(v) for v in r) for r in conn.execute(select(*cols)))


# Forms: each role × a write of its own and another township's row.

@pytest.mark.parametrize("role", list(PRINCIPALS))
def test_form_write_matrix(world: dict[str, Any], db: Engine, settings: Settings, role: str) -> None:
    from supervision.entry.writes import save_row

    principal = PRINCIPALS[role]
    own = {"uscc": E[0], "year": 2019, "submitted_on": None, "problems_found": 4, "problems_rectified": 1,
           "description": "表单修改"}
    other = {**own, "uscc": E[2]}
    may_table = "self_checks" in writable_tables(principal, settings.security)
    for values, town in ((own, OWN), (other, OTHER)):
        allowed = may_table and (principal.role is not Role.TOWNSHIP or town == principal.township)
        if allowed:
            saved = save_row(db, principal, settings.security, "self_checks", values)
            assert saved.action == "update"
        else:
            with pytest.raises(PermissionDenied):
                save_row(db, principal, settings.security, "self_checks", values)
        with db.connect() as conn:
            from supervision.storage.models import SelfCheck

            found = conn.execute(select(SelfCheck.problems_found).where(SelfCheck.uscc == values["uscc"])).scalar_one()
        assert (found == 4) == allowed


# Administrative functions: accounts, links and the audit log.

ADMIN_CALLS: dict[str, Callable[[Engine, Principal, Settings], Any]] = {
    "list_users": lambda e, p, s: accounts.list_users(e, p),
    "create_user": lambda e, p, s: accounts.create_user(e, p, fast(s.security), username=f"u{p.username}"[:30],
                                                        display_name="x", role=Role.LEADER, password="Abcdef-12345"),
    "list_screen_tokens": lambda e, p, s: wall_links.list_screen_tokens(e, p),
    "create_screen_token": lambda e, p, s: wall_links.create_screen_token(e, p, "墙", 1),
    "audit_entries": lambda e, p, s: audit.audit_entries(e, p, audit.AuditFilter()),
    "audit_actors": lambda e, p, s: audit.audit_actors(e, p),
}


@pytest.mark.parametrize("call", list(ADMIN_CALLS))
@pytest.mark.parametrize("role", list(PRINCIPALS))
def test_admin_functions_matrix(world: dict[str, Any], db: Engine, settings: Settings, role: str, call: str) -> None:
    principal = PRINCIPALS[role]
    allowed = principal.role is Role.ADMIN
    with db.connect() as conn:
        from supervision.storage.models import AuditEntry, LinkToken, User

        before = [conn.execute(select(func.count()).select_from(m)).scalar_one() for m in (User, LinkToken)]
        audit_before = conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    if allowed:
        ADMIN_CALLS[call](db, principal, settings)
    else:
        with pytest.raises(PermissionDenied):
            ADMIN_CALLS[call](db, principal, settings)
        with db.connect() as conn:
            after = [conn.execute(select(func.count()).select_from(m)).scalar_one() for m in (User, LinkToken)]
            assert after == before
            assert conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == audit_before


def test_system_principal_is_reserved(db: Engine, settings: Settings) -> None:
    """No account can be named like the command line's principal and so gain its rights."""
    with pytest.raises(AuthError):
        accounts.create_user(db, SYSTEM, fast(settings.security), username="system", display_name="x",
                             role=Role.ADMIN, password="Abcdef-12345")
