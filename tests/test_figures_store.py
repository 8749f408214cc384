"""The per-process store of finished figures and wall views: each missing object is built once, however many
sessions ask for it at the same time (a hundred walls opening together after a restart, issue 21)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from components import figures


def _waiting(key: tuple[Any, ...], users: int, timeout: float = 10.0) -> None:
    """Until `users` threads stand at the store's gate for `key` (the builder and those waiting for it)."""
    store = figures._store()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with store.lock:
            gate = store.gates.get(key)
            if gate is not None and gate.users >= users:
                return
        time.sleep(0.005)
    raise AssertionError(f"{users} threads never met at the gate of {key}")


def _in_thread(call: Callable[[], Any], out: list[Any]) -> threading.Thread:
    def run() -> None:
        try:
            out.append(call())
        except Exception as exc:  # the test reads it from `out`
            out.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_sessions_asking_together_get_one_build() -> None:
    key = ("test_single_flight", time.monotonic_ns())
    release = threading.Event()
    builds: list[str] = []

    def slow() -> object:
        builds.append("first")
        assert release.wait(10)
        return object()

    def fast() -> object:
        builds.append("again")
        return object()

    first: list[Any] = []
    others: list[Any] = []
    threads = [_in_thread(lambda: figures.keep(key, slow), first)]
    _waiting(key, 1)
    threads += [_in_thread(lambda: figures.keep(key, fast), others) for _ in range(5)]
    _waiting(key, 6)
    release.set()
    for t in threads:
        t.join(10)
    assert builds == ["first"]
    assert len(first) == 1 and len(others) == 5
    assert all(o is first[0] for o in others)
    assert figures._store().gates.get(key) is None  # nothing left behind once everyone has it


def test_a_failed_build_lets_the_next_waiter_try() -> None:
    key = ("test_failed_build", time.monotonic_ns())
    release = threading.Event()

    def failing() -> object:
        assert release.wait(10)
        raise RuntimeError("database went away")

    built = object()
    first: list[Any] = []
    second: list[Any] = []
    threads = [_in_thread(lambda: figures.keep(key, failing), first)]
    _waiting(key, 1)
    threads.append(_in_thread(lambda: figures.keep(key, lambda: built), second))
    _waiting(key, 2)
    release.set()
    for t in threads:
        t.join(10)
    assert isinstance(first[0], RuntimeError)
    assert second == [built]
    assert figures.keep(key, lambda: pytest.fail("kept, not built again")) is built


def test_a_build_that_hangs_holds_the_others_only_so_long(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(figures, "WAIT_S", 0.2)
    key = ("test_hung_build", time.monotonic_ns())
    release = threading.Event()
    first: list[Any] = []
    hung = _in_thread(lambda: figures.keep(key, lambda: release.wait(10) and "late"), first)
    _waiting(key, 1)
    started = time.monotonic()
    assert figures.keep(key, lambda: "own") == "own"
    assert time.monotonic() - started < 5
    release.set()
    hung.join(10)
    assert first == ["late"]
