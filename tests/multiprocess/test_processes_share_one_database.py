"""Real processes on one database (SQLite, PostgreSQL): leases, paced turns and facts.

Each process is ``tests/multiprocess/worker.py`` on the real store and the real
``LeaseKeeper`` (lease ttl 1 s: renewed every 0.33 s, believed for 0.8 s after each
renewal was sent).  The module's scenarios run at once (``conftest.Scenarios``); each
test checks one scenario's outcome.
"""

from __future__ import annotations

import itertools
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.multiprocess.conftest import Event, Scenarios, Worker

pytestmark = pytest.mark.slow

TTL = "1.0"
PROCESSES = 4
EVERY = 0.3


@dataclass
class Handover:
    first: Event  # the first process's "held"
    second: Event  # the second's
    since: float  # seconds from the signal to the second's "held", as this test saw them
    released: Event | None  # the first's "released", if it got to say it


def first_and_second(run: Scenarios, name: str, ttl: str, wait: str) -> tuple[Worker, Worker]:
    """Two processes started together; the second asks for the lease once the first holds it."""
    first = run.worker("hold", name, "--ttl", ttl)
    second = run.worker("hold", name, "--ttl", ttl, "--wait", wait, "--on-go")
    second.expect("ready")
    first.expect("held")
    second.say("go")
    second.expect("log", text="waiting up to")
    return first, second


def gives_up(run: Scenarios, name: str) -> tuple[Event, Event, float, int]:
    first, second = first_and_second(run, name, TTL, "1.5")
    held = first.events("held")[0]
    waiting = second.events("log")[-1]
    refused = second.expect("refused", within=10)
    code = second.wait()
    first.signal(signal.SIGTERM)
    return held, refused, refused["t"] - waiting["t"], code


def hands_over(run: Scenarios, name: str, sig: signal.Signals, ttl: str) -> Handover:
    first, second = first_and_second(run, name, ttl, "20")
    held = first.events("held")[0]
    sent = first.signal(sig)
    taken = second.expect("held", within=15)
    second.signal(signal.SIGTERM)
    first.wait()
    released = first.events("released")
    return Handover(held, taken, taken["at"] - sent, released[0] if released else None)


def released_on_sigterm(run: Scenarios, name: str) -> Handover:
    # A lease of 5 s: the second process could not get it by expiry within 1 s.
    return hands_over(run, name, signal.SIGTERM, "5.0")


def expires_after_kill(run: Scenarios, name: str) -> Handover:
    return hands_over(run, name, signal.SIGKILL, TTL)


def paused_past_its_lease(run: Scenarios, name: str) -> dict[str, Any]:
    first, second = first_and_second(run, name, TTL, "20")
    held = first.events("held")[0]
    first.signal(signal.SIGSTOP)
    taken = second.expect("held", within=15)
    first.say("status")  # read as soon as it runs again
    first.signal(signal.SIGCONT)
    status = first.expect("status")
    first.eventually("lost")
    second.say("status")
    second_status = second.expect("status")
    time.sleep(0.5)  # long enough for a renewal, or a second on_lost
    outcome = {
        "held": held,
        "taken": taken,
        "status": status,
        "second_status": second_status,
        "lost": len(first.events("lost")),
        "renewed": [e for e in first.events("log") if "renew" in e["message"]],
    }
    for worker in (first, second):
        worker.signal(signal.SIGTERM)
    return outcome


def set_fact_together(run: Scenarios, name: str) -> list[bool]:
    workers = [run.worker("fact", name, "hash-of-the-tree") for _ in range(PROCESSES)]
    for worker in workers:
        worker.expect("ready")
    for worker in workers:
        worker.say("go")
    return [worker.expect("fact")["changed"] for worker in workers]


def take_turns_together(run: Scenarios, name: str) -> list[tuple[float, float]]:
    args = ("turns", name, "--every", str(EVERY), "--for", "1.5")
    workers = [run.worker(*args) for _ in range(PROCESSES)]
    for worker in workers:
        worker.expect("ready")
    for worker in workers:
        worker.say("go")
    grants: list[tuple[float, float]] = []
    for worker in workers:
        grants += [tuple(g) for g in worker.expect("turns", within=10)["grants"]]
    return grants


@pytest.fixture(scope="module")
def run(shared_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenarios]:
    scenarios = Scenarios(shared_db, Path(tmp_path_factory.mktemp("workers")))
    scenarios.start("gives_up", gives_up)
    scenarios.start("sigterm", released_on_sigterm)
    scenarios.start("kill", expires_after_kill)
    scenarios.start("sigstop", paused_past_its_lease)
    scenarios.start("fact", set_fact_together)
    scenarios.start("turns", take_turns_together)
    yield scenarios
    scenarios.close()


def test_a_second_process_waits_then_exits_2_naming_the_holder(run: Scenarios) -> None:
    held, refused, waited, code = run.outcome("gives_up")
    assert code == 2
    assert held["holder"] in refused["message"]
    assert "gives_up" in refused["message"]
    assert "TRIVIA_LEASE_WAIT" in refused["message"]
    assert 1.0 <= waited <= 4.0  # TRIVIA_LEASE_WAIT of 1.5 s, counted from before asking


def test_a_lease_released_on_sigterm_is_taken_within_a_second(run: Scenarios) -> None:
    handover = run.outcome("sigterm")
    assert handover.released is not None
    # Wall-clock times of one machine: from the release to the next holder's take (the
    # lease itself, of 5 s, would still have had seconds to run).
    assert handover.second["t"] - handover.released["t"] <= 1.0
    assert handover.second["epoch"] == handover.first["epoch"] + 1


def test_a_killed_holders_lease_is_taken_once_it_expires(run: Scenarios) -> None:
    handover = run.outcome("kill")
    assert handover.released is None
    # Renewed every 0.33 s for 1 s, it expires 0.67 to 1 s after the kill (a loaded
    # machine renews late, so a little sooner); then the next poll takes it.
    assert 0.3 <= handover.since <= 2.5
    assert handover.second["epoch"] == handover.first["epoch"] + 1


def test_a_process_paused_past_its_lease_knows_it_and_its_writes_are_refused(
    run: Scenarios,
) -> None:
    outcome = run.outcome("sigstop")
    epoch = outcome["held"]["epoch"]
    assert outcome["taken"]["epoch"] == epoch + 1
    assert outcome["status"]["holds"] is False
    assert outcome["status"]["check"] is False
    assert outcome["lost"] == 1
    assert outcome["second_status"]["holds"] is True
    assert outcome["second_status"]["check"] is True


def test_of_processes_setting_one_fact_together_exactly_one_changes_it(run: Scenarios) -> None:
    assert sorted(run.outcome("fact")) == [False] * (PROCESSES - 1) + [True]


def test_processes_taking_one_paced_turn_never_take_two_within_its_interval(
    run: Scenarios,
) -> None:
    grants = sorted(run.outcome("turns"))
    # Each grant happened inside its call's window [sent, answered]; two grants closer
    # than EVERY would need two windows that allow it.
    for (sent_a, answered_a), (sent_b, answered_b) in itertools.combinations(grants, 2):
        assert max(answered_b - sent_a, answered_a - sent_b) >= EVERY
    span = max(answered for _, answered in grants) - min(sent for sent, _ in grants)
    assert (len(grants) - 1) * EVERY <= span
    assert len(grants) >= 3  # they did take turns: about 5 in 1.5 s, at one every 0.3 s
