"""Interactions: the handle a test holds, and the desk that answers the bot's responses to them.

Discord's rules that the desk enforces, because a bot that breaks them fails in production:

* the first response must come within ``deadline`` seconds (3 on Discord), else 404 10062;
* an interaction is answered once (400 40060 on the second answer);
* follow-ups need an answered interaction, and the first follow-up after a "thinking" defer
  replaces the "Bot is thinking..." message instead of posting a new one;
* UPDATE_MESSAGE / DEFERRED_UPDATE only for component (and modal-from-component) interactions,
  MODAL never in answer to a modal, autocomplete choices only for autocomplete.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from . import validation
from .errors import (
    ALREADY_ACKNOWLEDGED,
    INVALID_WEBHOOK_TOKEN,
    UNKNOWN_INTERACTION,
    UNKNOWN_MESSAGE,
    UNKNOWN_WEBHOOK,
    ApiError,
    unknown,
)
from .messages import FakeMessage, MessageStore
from .payloads import FLAG_EPHEMERAL, FLAG_LOADING, JSON, FakeChannel, FakeUser

T = TypeVar("T")

APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9

Upload = tuple[str, bytes, str | None]


class InteractionHost(Protocol):
    """What a FakeInteraction needs from the fake: the messages and a way to wait."""

    @property
    def messages(self) -> MessageStore: ...

    def wait_until(
        self, check: Callable[[], T | None], *, timeout: float, what: str
    ) -> Awaitable[T]: ...


class FakeInteraction:
    """One interaction the fake delivered to the bot, and what the bot did about it.

    ``await response()`` gives the callback body (``{"type": 4, "data": {...}}``);
    ``message`` is the original response as it stands now; ``followups`` the follow-up messages.
    """

    def __init__(
        self,
        host: InteractionHost,
        *,
        id: int,
        token: str,
        type: int,
        payload: JSON,
        channel: FakeChannel,
        user: FakeUser,
        source_message_id: int | None,
        created_at: float,
    ) -> None:
        self._host = host
        self.id = id
        self.token = token
        self.type = type
        self.payload = payload
        self.channel = channel
        self.user = user
        self.source_message_id = source_message_id
        self.created_at = created_at
        self.callback: JSON | None = None
        self.original_message_id: int | None = None
        self.followup_ids: list[int] = []
        self.modal: JSON | None = None
        self.choices: list[JSON] | None = None

    def __repr__(self) -> str:
        return (
            f"<FakeInteraction id={self.id} type={self.type} user={self.user.name!r}"
            f" response_type={self.response_type}>"
        )

    @property
    def response_type(self) -> int | None:
        return int(self.callback["type"]) if self.callback else None

    async def response(self, *, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109 - a test's deadline
        """The bot's callback body, once it has answered."""
        return await self._host.wait_until(
            lambda: self.callback, timeout=timeout, what=f"a response to {self!r}"
        )

    @property
    def message(self) -> FakeMessage | None:
        """The original response message (or the clicked message for 6/7), current state."""
        if (
            self.original_message_id is None
            or self._host.messages.get(self.original_message_id) is None
        ):
            return None
        return self._host.messages.snapshot(self.original_message_id)

    async def response_message(self, *, timeout: float = 5.0) -> FakeMessage:  # noqa: ASYNC109 - a test's deadline
        """The original response once it has content: after a defer, waits for the edit."""

        def ready() -> FakeMessage | None:
            message = self.message
            return message if message is not None and not message.loading else None

        return await self._host.wait_until(
            ready, timeout=timeout, what=f"the filled-in response message of {self!r}"
        )

    @property
    def followups(self) -> list[FakeMessage]:
        messages = self._host.messages
        return [messages.snapshot(i) for i in self.followup_ids if messages.get(i) is not None]

    async def wait_followup(
        self,
        predicate: Callable[[FakeMessage], bool] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test's deadline
    ) -> FakeMessage:
        def found() -> FakeMessage | None:
            return next((m for m in self.followups if predicate is None or predicate(m)), None)

        return await self._host.wait_until(found, timeout=timeout, what=f"a follow-up of {self!r}")


class InteractionDesk:
    """Answers ``/interactions/.../callback`` and the ``/webhooks/{app}/{token}`` family."""

    def __init__(
        self,
        messages: MessageStore,
        *,
        bot: FakeUser,
        application_id: int,
        deadline: float,
        token_life: float = 900.0,
    ) -> None:
        self._messages = messages
        #: Seconds an interaction's token takes follow-ups and edits (15 minutes on Discord).
        self.token_life = token_life
        self._bot = bot
        self._application_id = application_id
        self.deadline = deadline
        self.all: list[FakeInteraction] = []
        self._by_token: dict[str, FakeInteraction] = {}

    def register(self, interaction: FakeInteraction) -> None:
        self.all.append(interaction)
        self._by_token[interaction.token] = interaction

    def by_token(self, token: str, *, code: int = UNKNOWN_WEBHOOK) -> FakeInteraction:
        interaction = self._by_token.get(token)
        if interaction is None:
            raise unknown("Webhook" if code == UNKNOWN_WEBHOOK else "interaction", code)
        age = asyncio.get_running_loop().time() - interaction.created_at
        if code == UNKNOWN_WEBHOOK and age > self.token_life:
            raise ApiError(401, INVALID_WEBHOOK_TOKEN, "Invalid Webhook Token")
        return interaction

    # -- the first response --------------------------------------------------------------
    def callback(
        self, interaction_id: int, token: str, body: JSON, uploads: Sequence[Upload]
    ) -> JSON:
        interaction = self.by_token(token, code=UNKNOWN_INTERACTION)
        if interaction.id != interaction_id:
            raise unknown("interaction", UNKNOWN_INTERACTION)
        late = asyncio.get_running_loop().time() - interaction.created_at
        if interaction.callback is None and late > self.deadline:
            raise unknown("interaction", UNKNOWN_INTERACTION)
        if interaction.callback is not None:
            raise ApiError(400, ALREADY_ACKNOWLEDGED, "Interaction has already been acknowledged.")
        kind = int(body.get("type", 0))
        data: JSON = dict(body.get("data") or {})
        self._check_allowed(interaction, kind)
        reply: JSON = {"id": str(interaction.id), "type": interaction.type}
        resource: JSON | None = None
        if kind == CHANNEL_MESSAGE:
            validation.raise_for(
                validation.check_message(data, creating=True, has_files=bool(uploads))
            )
            message = self._create(interaction, data, uploads)
            interaction.original_message_id = int(message["id"])
            resource = {"type": kind, "message": message}
        elif kind == DEFERRED_CHANNEL_MESSAGE:
            flags = FLAG_LOADING | (int(data.get("flags") or 0) & FLAG_EPHEMERAL)
            message = self._create(interaction, {"content": "", "flags": flags}, ())
            interaction.original_message_id = int(message["id"])
            resource = {"type": kind, "message": message}
            reply["response_message_loading"] = True
        elif kind in (DEFERRED_UPDATE, UPDATE_MESSAGE):
            source = interaction.source_message_id
            assert source is not None  # _check_allowed made sure
            if kind == UPDATE_MESSAGE:
                validation.raise_for(
                    validation.check_message(data, creating=False, has_files=bool(uploads))
                )
                self._edit(source, data, uploads)
                resource = {"type": kind, "message": self._messages.get(source)}
            interaction.original_message_id = source
        elif kind == AUTOCOMPLETE_RESULT:
            choices = list(data.get("choices") or [])
            validation.raise_for(validation.check_choices(choices))
            interaction.choices = choices
        elif kind == MODAL:
            validation.raise_for(validation.check_modal(data))
            interaction.modal = data
        if interaction.original_message_id is not None:
            original = self._messages.get(interaction.original_message_id) or {}
            reply["response_message_id"] = str(interaction.original_message_id)
            reply["response_message_ephemeral"] = bool(
                int(original.get("flags", 0)) & FLAG_EPHEMERAL
            )
        interaction.callback = {"type": kind, "data": data}
        return {"interaction": reply, **({"resource": resource} if resource else {})}

    @staticmethod
    def _check_allowed(interaction: FakeInteraction, kind: int) -> None:
        from_message = interaction.source_message_id is not None
        allowed = {
            CHANNEL_MESSAGE: interaction.type != AUTOCOMPLETE,
            DEFERRED_CHANNEL_MESSAGE: interaction.type != AUTOCOMPLETE,
            DEFERRED_UPDATE: interaction.type in (MESSAGE_COMPONENT, MODAL_SUBMIT) and from_message,
            UPDATE_MESSAGE: interaction.type in (MESSAGE_COMPONENT, MODAL_SUBMIT) and from_message,
            AUTOCOMPLETE_RESULT: interaction.type == AUTOCOMPLETE,
            MODAL: interaction.type in (APPLICATION_COMMAND, MESSAGE_COMPONENT),
        }
        if not allowed.get(kind, False):
            raise ApiError(
                400,
                50035,
                f"Interaction response type {kind} is invalid for interaction type "
                f"{interaction.type}",
                errors={
                    "type": {
                        "_errors": [
                            {"code": "INVALID", "message": "Invalid interaction response type"}
                        ]
                    }
                },
            )

    # -- follow-ups and edits through the interaction webhook ----------------------------
    def followup(self, token: str, body: JSON, uploads: Sequence[Upload]) -> JSON:
        interaction = self.by_token(token)
        if interaction.callback is None:
            raise unknown("Webhook", UNKNOWN_WEBHOOK)
        original = interaction.original_message_id
        current = self._messages.get(original) if original is not None else None
        if current is not None and int(current["flags"]) & FLAG_LOADING:
            # Discord turns the first follow-up after a "thinking" defer into the response
            # itself; it then counts as both the original message and a follow-up.
            message = self.edit(token, "@original", body, uploads)
            interaction.followup_ids.append(int(message["id"]))
            return message
        validation.raise_for(validation.check_message(body, creating=True, has_files=bool(uploads)))
        message = self._create(interaction, body, uploads)
        interaction.followup_ids.append(int(message["id"]))
        return message

    def message_id(self, token: str, ref: str) -> int:
        interaction = self.by_token(token)
        if ref == "@original":
            if interaction.original_message_id is None:
                raise unknown("Message", UNKNOWN_MESSAGE)
            return interaction.original_message_id
        if not ref.isdigit() or int(ref) not in (
            *interaction.followup_ids,
            interaction.original_message_id,
        ):
            raise unknown("Message", UNKNOWN_MESSAGE)
        return int(ref)

    def get(self, token: str, ref: str) -> JSON:
        message = self._messages.get(self.message_id(token, ref))
        if message is None:
            raise unknown("Message", UNKNOWN_MESSAGE)
        return message

    def edit(self, token: str, ref: str, body: JSON, uploads: Sequence[Upload]) -> JSON:
        message_id = self.message_id(token, ref)
        validation.raise_for(
            validation.check_message(body, creating=False, has_files=bool(uploads))
        )
        return self._edit(message_id, body, uploads)

    def delete(self, token: str, ref: str) -> None:
        if not self._messages.delete(self.message_id(token, ref)):
            raise unknown("Message", UNKNOWN_MESSAGE)

    # -- helpers ---------------------------------------------------------------------------
    def _create(
        self, interaction: FakeInteraction, body: Mapping[str, Any], uploads: Sequence[Upload]
    ) -> JSON:
        body = dict(body)
        body["attachments"] = self._messages.resolve_attachments(body.get("attachments"), uploads)
        guild_id = interaction.channel.guild_id
        owners = {"0": str(guild_id)} if guild_id is not None else {"1": str(interaction.user.id)}
        metadata: JSON = {
            "id": str(interaction.id),
            "type": interaction.type,
            "user": interaction.user.payload(),
            "authorizing_integration_owners": owners,
        }
        if interaction.type == APPLICATION_COMMAND:
            metadata["name"] = interaction.payload["data"]["name"]
            metadata["command_type"] = 1
        if interaction.source_message_id is not None:
            metadata["interacted_message_id"] = str(interaction.source_message_id)
        if interaction.original_message_id is not None:
            metadata["original_response_message_id"] = str(interaction.original_message_id)
        app = str(self._application_id)
        return self._messages.create(
            interaction.channel,
            self._bot,
            body,
            webhook_id=app,
            application_id=app,
            interaction_metadata=metadata,
        )

    def _edit(self, message_id: int, body: Mapping[str, Any], uploads: Sequence[Upload]) -> JSON:
        current = self._messages.get(message_id)
        if current is None:
            raise unknown("Message", UNKNOWN_MESSAGE)
        body = dict(body)
        if "attachments" in body or uploads:
            body["attachments"] = self._messages.resolve_attachments(
                body.get("attachments"), uploads, kept=current["attachments"]
            )
        self._messages.finish_loading(message_id)
        return self._messages.edit(message_id, body)
