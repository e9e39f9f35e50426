"""Which servers a bot process fires schedules for: its own platform's, those its adapter
owns; never another platform's, even where the adapter would say it owns everything (a
lone Slack process, the console)."""

from __future__ import annotations

from bot.app.schedules import serves
from bot.domain.model import ServerKey


class LoneAdapter:
    """An adapter that owns every server it is asked about, as a lone process does."""

    def __init__(self, platform: str, owned: set[str] | None = None) -> None:
        self.platform = platform
        self._owned = owned

    def owns(self, server: ServerKey) -> bool:
        return self._owned is None or server.server in self._owned


def test_a_process_serves_only_its_platforms_servers() -> None:
    check = serves(LoneAdapter("slack"))  # type: ignore[arg-type]
    assert check(ServerKey("slack", "T0001"))
    assert not check(ServerKey("discord", "1234"))
    assert not check(ServerKey("console", "local"))


def test_among_its_platforms_servers_only_those_it_owns() -> None:
    check = serves(LoneAdapter("discord", owned={"1"}))  # type: ignore[arg-type]
    assert check(ServerKey("discord", "1"))
    assert not check(ServerKey("discord", "2"))
