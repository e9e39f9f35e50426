"""Contract: paced turns, bot facts and last servers, on every backend
(``bot.ports.PacedTurns``, ``BotFacts``, ``LastServers``)."""

from __future__ import annotations

import asyncio

from bot.ports import SharedStore

IDENTIFY = "discord:identify:0"


async def test_the_first_turn_is_taken_at_once_and_the_next_waits_about_every(
    shared: SharedStore,
) -> None:
    assert await shared.take_turn(IDENTIFY, every=5.0) == 0.0
    wait = await shared.take_turn(IDENTIFY, every=5.0)
    assert 4.0 < wait <= 5.0


async def test_a_turn_comes_again_once_every_has_passed(shared: SharedStore) -> None:
    assert await shared.take_turn(IDENTIFY, every=0.2) == 0.0
    wait = await shared.take_turn(IDENTIFY, every=0.2)
    assert wait > 0
    await asyncio.sleep(wait + 0.01)
    assert await shared.take_turn(IDENTIFY, every=0.2) == 0.0


async def test_turns_of_different_names_do_not_wait_for_each_other(shared: SharedStore) -> None:
    assert await shared.take_turn("discord:identify:0", every=5.0) == 0.0
    assert await shared.take_turn("discord:identify:1", every=5.0) == 0.0


async def test_of_many_asking_for_one_turn_at_once_one_gets_it(shared: SharedStore) -> None:
    waits = await asyncio.gather(*(shared.take_turn(IDENTIFY, every=5.0) for _ in range(8)))
    assert sorted(waits)[0] == 0.0
    assert all(w > 0 for w in sorted(waits)[1:])


async def test_a_fact_is_unknown_until_it_is_set(shared: SharedStore) -> None:
    assert await shared.fact("discord:commands") is None
    assert await shared.set_fact_if_changed("discord:commands", "hash-1")
    assert await shared.fact("discord:commands") == "hash-1"


async def test_setting_a_fact_to_the_value_it_has_changes_nothing(shared: SharedStore) -> None:
    assert await shared.set_fact_if_changed("discord:commands", "hash-1")
    assert not await shared.set_fact_if_changed("discord:commands", "hash-1")
    assert await shared.set_fact_if_changed("discord:commands", "hash-2")
    assert await shared.fact("discord:commands") == "hash-2"
    # Set back (a sync that failed), it is a change again.
    assert await shared.set_fact_if_changed("discord:commands", "hash-1")


async def test_of_many_setting_one_fact_at_once_exactly_one_changes_it(
    shared: SharedStore,
) -> None:
    changed = await asyncio.gather(
        *(shared.set_fact_if_changed("discord:commands", "hash-1") for _ in range(8))
    )
    assert sorted(changed) == [False] * 7 + [True]


async def test_a_players_last_server_is_where_they_played_last(shared: SharedStore) -> None:
    assert await shared.last_server("discord", "ada") is None
    await shared.remember_server("discord", "ada", "g1", "Quiz Club")
    await shared.remember_server("discord", "ada", "g2", "Pub Night")
    last = await shared.last_server("discord", "ada")
    assert last == ("g2", "Pub Night")
    assert last is not None
    assert (last.server, last.server_name) == ("g2", "Pub Night")


async def test_last_servers_are_kept_per_platform_and_player(shared: SharedStore) -> None:
    await shared.remember_server("discord", "ada", "g1", "Quiz Club")
    await shared.remember_server("slack", "ada", "T1", "Acme")
    await shared.remember_server("discord", "bob", "g2", "Pub Night")
    assert await shared.last_server("discord", "ada") == ("g1", "Quiz Club")
    assert await shared.last_server("slack", "ada") == ("T1", "Acme")
    assert await shared.last_server("slack", "bob") is None
