"""The demo's 2019 findings have a believable life, written through the lifecycle's functions."""

from __future__ import annotations

import datetime as dt

from lifecycle_support import LEADER
from sqlalchemy import Engine, select

from supervision.demo import history
from supervision.lifecycle import queries
from supervision.lifecycle import states as s
from supervision.storage.models import AuditEntry, FindingRecord, FindingTransition


def test_demo_history(demo: Engine, settings) -> None:
    states = history.write_history(demo, settings)
    assert states[s.CLOSED] >= 10 and states[s.DISMISSED] == 1
    ledger = queries.ledger(demo, settings, LEADER, 2019, dt.date(2019, 12, 31))
    assigned = ledger["assigned_on"].dropna()
    assert all(dt.date(2019, 8, 1) <= d <= dt.date(2019, 8, 31) for d in assigned)
    closed = ledger.loc[ledger["state"] == s.CLOSED, "closed_on"]
    assert all(dt.date(2019, 9, 1) <= d <= dt.date(2019, 11, 30) for d in closed)
    assert (ledger["light"] == s.RED).sum() >= 2  # a few overdue at the year's end
    dismissed = ledger[ledger["state"] == s.DISMISSED].iloc[0]
    assert "不予认定" in dismissed["reason"]
    with demo.connect() as conn:
        actions = list(conn.execute(select(FindingTransition.action)).scalars())
        audited = conn.execute(select(AuditEntry.id).where(AuditEntry.table_name == "findings",
                                                           AuditEntry.action == "transition")).all()
    assert actions.count("return") == 1 and actions.count("approve") == 1
    assert len(audited) >= len(assigned) * 2
    burn = queries.burndown(demo, LEADER, 2019, dt.date(2019, 8, 1), dt.date(2019, 12, 31))
    assert burn["open"].max() >= burn["open"].iloc[-1] + 10 and burn["closed_in_week"].sum() >= states[s.CLOSED]
    again = history.write_history(demo, settings)  # written once
    assert again == states
    history.forget_ledger(demo)
    with demo.connect() as conn:
        assert conn.execute(select(FindingRecord.id)).first() is None
