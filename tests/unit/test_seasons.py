"""Seasons in the service: a server picks monthly or quarterly seasons, and anyone reads a
season's leaderboard by name; a name that is not a season of that server is refused with
the forms that are."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.domain.commands import ChangeSettings, ShowLeaderboard, ShowSettings
from bot.domain.daily import Season, SeasonLength
from bot.domain.events import LeaderboardShown, Refusal, Rejected, SettingsShown
from bot.domain.model import ChannelKey, GameOptions, ServerSettings
from bot.domain.records import AnswerRecord, Period
from bot.storage.records_json import settings_from_json, settings_to_json
from tests.fakes import CHANNEL, player
from tests.harness import ServiceHarness, build_service

BANK = """
id: tiny
title: Tiny
questions:
  - {id: tiny-sky, prompt: What colour is the sky?, answers: [blue], category: nature}
"""
ADMIN = player("ada", admin=True)
MEMBER = player("max")
#: Mid-December 2026: the current month is 2026-12, the current quarter 2026-Q4.
NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def service_harness() -> ServiceHarness:
    return build_service(
        bank_files={"tiny.yaml": BANK},
        server_questions=True,
        options=GameOptions(rounds=5, seconds=30, pause=0),
        clock=ManualClock(wall=NOW),
        settle=False,
    )


async def scored(h: ServiceHarness, who: str, points: int, at: datetime) -> None:
    actor = player(who)
    await h.store.record_answers(
        [
            AnswerRecord(
                player=actor.key,
                name=who,
                channel=CHANNEL,
                game_id=f"game-{who}-{at:%m%d}",
                question_id="tiny-sky",
                correct=True,
                points=points,
                answer_ms=1000,
                streak=1,
                at=at,
            )
        ]
    )


async def board(h: ServiceHarness, season: str) -> LeaderboardShown:
    await h.send(ShowLeaderboard(channel=CHANNEL, actor=MEMBER, season=season))
    return h.sink.last(LeaderboardShown)


async def test_seasons_are_months_until_an_admin_makes_them_quarters(h: ServiceHarness) -> None:
    await scored(h, "ann", 3, datetime(2026, 10, 20, tzinfo=UTC))
    await scored(h, "bo", 2, datetime(2026, 11, 2, tzinfo=UTC))
    await scored(h, "bo", 4, datetime(2026, 12, 1, tzinfo=UTC))

    current = await board(h, "current")
    assert current.season == Season(2026, 12, SeasonLength.MONTHLY)
    assert current.period is Period.ALL
    assert [(row.name, row.points) for row in current.rows] == [("bo", 4)]
    previous = await board(h, "previous")
    assert [(row.name, row.points) for row in previous.rows] == [("bo", 2)]
    assert [(row.name, row.points) for row in (await board(h, "2026-10")).rows] == [("ann", 3)]

    await h.send(ChangeSettings(channel=CHANNEL, actor=ADMIN, season_length=SeasonLength.QUARTERLY))
    assert h.sink.last(SettingsShown).settings.season_length is SeasonLength.QUARTERLY
    quarter = await board(h, "current")
    assert quarter.season == Season(2026, 10, SeasonLength.QUARTERLY)
    assert [(row.name, row.points) for row in quarter.rows] == [("bo", 6), ("ann", 3)]
    assert (await board(h, "2026-Q3")).rows == ()

    # Back to the default.
    await h.send(ChangeSettings(channel=CHANNEL, actor=ADMIN, reset=frozenset({"season_length"})))
    await h.send(ShowSettings(channel=CHANNEL, actor=MEMBER))
    assert h.sink.last(SettingsShown).settings.season_length is SeasonLength.MONTHLY


async def test_a_member_may_not_change_the_season_length(h: ServiceHarness) -> None:
    await h.send(
        ChangeSettings(channel=CHANNEL, actor=MEMBER, season_length=SeasonLength.QUARTERLY)
    )
    assert h.sink.last(Rejected).reason is Refusal.NOT_ALLOWED
    assert (await board(h, "current")).season == Season(2026, 12, SeasonLength.MONTHLY)


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("2026-Q4", "this server's seasons are monthly; use 'current', 'previous' or a name "
         "like 2026-12"),
        ("spring", "unknown season 'spring'"),
        ("2026-13", "unknown season '2026-13'"),
    ],
)  # fmt: skip
async def test_a_name_that_is_not_a_season_here_is_refused(
    h: ServiceHarness, name: str, hint: str
) -> None:
    await h.send(ShowLeaderboard(channel=CHANNEL, actor=MEMBER, season=name))
    refused = h.sink.last(Rejected)
    assert (refused.recipient, refused.reason) == (MEMBER.key, Refusal.BAD_OPTION)
    assert hint in refused.message
    assert h.sink.of(LeaderboardShown) == []


async def test_a_season_board_stays_in_its_server(h: ServiceHarness) -> None:
    await scored(h, "ann", 3, NOW)
    elsewhere = ChannelKey("test", "guild-2", "general")
    stranger = player("sam", server=elsewhere.server_key)
    await h.send(ShowLeaderboard(channel=elsewhere, actor=stranger, season="current"))
    assert h.sink.last(LeaderboardShown).rows == ()


def test_settings_saved_before_seasons_existed_read_as_monthly() -> None:
    old = (
        '{"v":1,"rounds":3,"seconds":null,"mode":null,"start_policy":"everyone",'
        '"starter_role":null,"admin_role":null}'
    )
    assert settings_from_json(old) == ServerSettings(rounds=3)
    chosen = ServerSettings(season_length=SeasonLength.QUARTERLY)
    assert settings_from_json(settings_to_json(chosen)) == chosen
