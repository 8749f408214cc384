"""Cost that does not grow with the years held (issue 21): every page, cold, on a 2-year and a 10-year database
of the same density per year, showing the same year.

Counted in the app's own process while AppTest runs the page with empty caches: the statements the app sends
(SQLAlchemy's cursor events) and the work SQLite does for them (its virtual machine's steps, counted by a
progress handler every STEP instructions): a statement that reads a table beyond the year's range, or an index
scan that does not stop at the year, costs steps in proportion to the years held. A page passes when the
10-year database runs no statement more often per use than the 2-year one and costs at most 1.2 times its
steps. "Per use": a statement a rule's check sends counts per run of that check (the two hold different
fictional data, so which rules fire, and so which the risk ranking re-runs for last year, differs), any other
statement per page. A statement per flagged enterprise is a cost of the year's density, not of the years held:
tests/test_checks_output.py checks that evidence is one statement for many enterprises.

One read grows with the years held by design: the year selector lists every year that has data, one index seek
per year and table (`queries.data_years`). Its steps are measured on its own, checked to grow no faster than
the years, and left out of the page's comparison. The year-by-year chart of 配额执行 shows `trend_years` years;
here that is 2, as many as the short database holds, so every year a page reads is one it shows.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from auth_support import add_account, clear_streamlit_caches, fast_config
from page_support import APP, LEADER, signed_in
from sqlalchemy import Engine, event
from sqlalchemy.pool import Pool

from supervision.checks.runner import RULE_CHECKS
from supervision.core.config import load_settings
from supervision.core.principal import Principal, Role
from supervision.ingest.importer import import_package
from supervision.read import queries
from supervision.storage.db import open_database

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import Size, generate  # noqa: E402

STEP = 100  # SQLite VM instructions per progress-handler call
YEAR = 2020
PAGES = ("overview", "map", "quota", "flows", "progress", "scoring", "enterprises", "findings")
LIMIT = 1.2


@dataclass(frozen=True)
class Database:
    url: str
    config: Path
    uscc: str
    year_list_steps: int  # the year selector's read (queries.data_years), which lists every year held


@dataclass
class Cost:
    statements: int = 0
    steps: int = 0
    # How often each statement's text ran, with the rule whose check sent it ("" outside the checks).
    texts: Counter[tuple[str, str]] = field(default_factory=Counter)
    rule_calls: Counter[str] = field(default_factory=Counter)  # how often each rule's check ran

    def __sub__(self, before: Cost) -> Cost:
        return Cost(self.statements - before.statements, self.steps - before.steps, self.texts - before.texts,
                    self.rule_calls - before.rule_calls)

    def copy(self) -> Cost:
        return Cost(self.statements, self.steps, Counter(self.texts), Counter(self.rule_calls))

    def per_use(self, key: tuple[str, str]) -> float:
        """Runs of a statement per use: per run of its rule's check (a page may run the checks for this year
        and last, and which rules fire differs between the two databases' fictional data), else per page."""
        rule, _ = key
        return self.texts[key] / self.rule_calls[rule] if rule and self.rule_calls[rule] else self.texts[key]


def _database(base: Path, years: int) -> Database:
    # The same density per year: 600 invoices and 60 customs rows a year over 20 enterprises in 5 townships.
    size = Size(enterprises=20, townships=5, years=years, last_year=YEAR, invoices=600 * years, customs=60 * years)
    folder = base / f"y{years}"
    generate(folder, size, seed=7)
    (folder / "app").mkdir()
    config = fast_config(folder / "app")
    # The generated jurisdiction, with the test's fast password hashing and no background warm-up.
    text = config.read_text(encoding="utf-8")
    generated = (folder / "config.toml").read_text(encoding="utf-8")
    head = generated[:generated.index("# The campaign calendar")]
    # Year-by-year charts show as many years as the short database holds: every year a page reads is one it shows.
    rest = text[text.index("# The campaign calendar"):]
    assert "trend_years = 5" in rest
    config.write_text(head + rest.replace("trend_years = 5", "trend_years = 2"), encoding="utf-8")
    settings = load_settings(config)
    url = f"sqlite:///{folder / 'cost.db'}"
    engine = open_database(url, settings)
    try:
        report = import_package(folder / "package", engine, settings, actor="成本测试")
        assert report.written, report.summary()
        add_account(engine, settings, LEADER, Role.LEADER, display_name="成本测试领导")
        year_list = _year_list_steps(engine, years)
    finally:
        engine.dispose()
    with open(folder / "package" / "企业名录.csv", encoding="utf-8-sig") as fh:
        fh.readline()
        uscc = fh.readline().split(",", 1)[0]
    return Database(url, config, uscc, year_list)


def _year_list_steps(engine: Engine, years: int) -> int:
    """SQLite steps of the year list on its own (a fresh connection, as on a cold page)."""
    steps = 0

    def tick() -> int:
        nonlocal steps
        steps += STEP
        return 0

    def on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.set_progress_handler(tick, STEP)

    engine.dispose()
    event.listen(engine, "connect", on_connect)
    try:
        found = queries.data_years(engine, Principal(LEADER, "成本测试领导", Role.LEADER))
    finally:
        event.remove(engine, "connect", on_connect)
        engine.dispose()
    # The generated monthly reports start with the December before the first year (R04 needs its closing stock).
    assert set(range(YEAR - years + 1, YEAR + 1)) <= set(found), found
    return steps


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Database]:
    base = tmp_path_factory.mktemp("cost")
    return {years: _database(base, years) for years in (2, 10)}


@pytest.fixture(scope="module")
def counted() -> Iterator[Cost]:
    """Statements and SQLite steps of every engine in this process, and runs of every rule's check, while the
    module runs."""
    cost = Cost()
    running: list[str] = []  # the rule whose check is running

    def on_connect(dbapi_connection: Any, record: Any) -> None:
        if hasattr(dbapi_connection, "set_progress_handler"):
            def tick() -> int:
                cost.steps += STEP
                return 0

            dbapi_connection.set_progress_handler(tick, STEP)

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        cost.statements += 1
        cost.texts[(running[-1] if running else "", statement)] += 1

    def counting(rule: str, check: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def run(ctx: Any) -> Any:
            cost.rule_calls[rule] += 1
            running.append(rule)
            try:
                return check(ctx)
            finally:
                running.pop()
        return run

    originals = dict(RULE_CHECKS)
    RULE_CHECKS.update({rule: counting(rule, check) for rule, check in originals.items()})
    event.listen(Pool, "connect", on_connect)
    event.listen(Engine, "before_cursor_execute", on_execute)
    yield cost
    event.remove(Engine, "before_cursor_execute", on_execute)
    event.remove(Pool, "connect", on_connect)
    RULE_CHECKS.update(originals)


def _cold_page(database: Database, page: str, counted: Cost, monkeypatch: pytest.MonkeyPatch) -> Cost:
    from streamlit.testing.v1 import AppTest

    from components import session

    monkeypatch.setenv("DATABASE_URL", database.url)
    monkeypatch.setenv("SUPERVISION_CONFIG", str(database.config))
    clear_streamlit_caches()
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"year": str(YEAR), "as_of": f"{YEAR}-12-31"}
                           | ({"uscc": database.uscc} if page == "enterprises" else {}))
    at.session_state[session._STATE] = signed_in(database.url, LEADER)
    if page != "overview":
        at.run()
        at.switch_page(f"app_pages/{'enterprise' if page == 'enterprises' else page}.py")
    clear_streamlit_caches()
    before = counted.copy()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("plotly_chart"), f"{page}: the page drew no chart"
    return counted - before


@pytest.mark.parametrize("page", PAGES)
def test_a_cold_page_costs_the_same_with_ten_years_as_with_two(page: str, databases: dict[int, Database],
                                                                 counted: Cost,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    two = _cold_page(databases[2], page, counted, monkeypatch)
    ten = _cold_page(databases[10], page, counted, monkeypatch)
    assert two.statements > 0 and two.steps > 0
    # No statement runs more often per use with more years (a loop per year or per row would); a statement that
    # runs once only on one database is evidence for a finding that the other year's data does not have.
    repeated = {f"{rule} {text[:120]}": (two.per_use((rule, text)), ten.per_use((rule, text)))
                for rule, text in ten.texts if ten.per_use((rule, text)) > max(1, two.per_use((rule, text)))}
    assert not repeated, f"{page}: statements that run more often with 10 years: {repeated}"
    own_two, own_ten = two.steps - databases[2].year_list_steps, ten.steps - databases[10].year_list_steps
    assert own_ten <= LIMIT * own_two, (
        f"{page}: {own_two:,} SQLite steps with 2 years, {own_ten:,} with 10 ({own_ten / own_two:.2f}×), "
        "the year list left out")


def test_the_year_list_costs_one_seek_a_year(databases: dict[int, Database]) -> None:
    """The one read that grows with the years held grows no faster than they do (10 years ÷ 2 years = 5)."""
    two, ten = databases[2].year_list_steps, databases[10].year_list_steps
    assert 0 < two < ten <= 5 * LIMIT * two, f"year list: {two:,} steps with 2 years, {ten:,} with 10"
