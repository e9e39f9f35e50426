"""The three ways the fake says no."""

from __future__ import annotations

from typing import Any


class FakeDiscordError(Exception):
    """The test asked for something Discord could not do (unknown channel, disabled button...)."""


class FakeDiscordTimeout(AssertionError):
    """A wait ended before its condition held; the message shows what the fake saw instead."""


class ApiError(Exception):
    """A REST error the fake answers with, in Discord's JSON shape ``{"code", "message"}``."""

    def __init__(self, status: int, code: int, message: str, *, errors: Any = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def unknown(what: str, code: int) -> ApiError:
    return ApiError(404, code, f"Unknown {what}")


UNKNOWN_CHANNEL = 10003
UNKNOWN_MESSAGE = 10008
UNKNOWN_WEBHOOK = 10015
UNKNOWN_INTERACTION = 10062
ALREADY_ACKNOWLEDGED = 40060
INVALID_WEBHOOK_TOKEN = 50027
