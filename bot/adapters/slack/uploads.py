"""Bank files shared with the bot on Slack: found in message events, fetched, parsed, imported.

An admin shares a ``.yaml``/``.yml`` file in a direct message to the bot or in
a channel it is in; Slack sends a ``message`` event with subtype
``file_share`` and the file objects.  The flow, per file:

1. a file that is not a bank is ignored in a channel (people share files in
   channels all the time, ``docker-compose.yml`` among them) and gets a hint
   in a DM.  In a channel a ``.yaml`` file counts as a bank only when an
   admin shares it and it has a top-level ``questions:`` key;
2. in a DM, a member who is not an admin is refused by the core, which gets
   an empty ``ImportQuestions`` (the rule and its words stay there); nothing
   is downloaded for a member;
3. a file over ``MAX_UPLOAD_BYTES`` (by the ``size`` Slack reports) is
   refused before downloading; the download itself stops at the limit too;
4. the file is parsed in a worker process (``UploadParser``); only a file
   without problems becomes ``ImportQuestions``, otherwise the admin gets
   every problem (each names the file and line) and nothing changes.

A share whose event names a workspace other than the one that authenticated it
(``workspaces.Place``) is refused before anything is fetched: in a DM, or for a
bank file in a channel, the sharer is told why.

Replies go through the outbox (``note``): ephemeral in a channel, a plain
message in the bot's DM.  No SDK here: ``FileApi`` is implemented by the
adapter (``files.info`` and a download with the bot token).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot.adapters.slack.commands import IMPORT_HOWTO
from bot.adapters.slack.directory import SlackDirectory
from bot.adapters.slack.ids import is_direct_message
from bot.adapters.slack.inbound import channel_key
from bot.adapters.slack.message import SlackMessage, esc, message
from bot.adapters.slack.render_admin import upload_refused
from bot.adapters.slack.workspaces import Place, log_refusal
from bot.bank.files import BANK_SUFFIXES
from bot.bank.limits import MAX_UPLOAD_BYTES, too_big
from bot.bank.uploads import UploadParser
from bot.domain.commands import Command, ImportQuestions
from bot.domain.model import ChannelKey

log = logging.getLogger(__name__)


class DownloadError(Exception):
    """A shared file could not be fetched; the message says why, for the admin."""


class FileApi(Protocol):
    async def file_info(self, file_id: str) -> Mapping[str, Any] | None:
        """``files.info``'s ``file`` object, or None when Slack would not say."""
        ...

    async def download(self, url: str, *, limit: int) -> bytes:
        """The file's bytes (at most ``limit + 1`` are read); raises ``DownloadError``."""
        ...


@dataclass(frozen=True, slots=True)
class SharedFile:
    """A file object of a ``file_share`` event, as far as the bot needs it."""

    id: str
    name: str
    size: int | None
    url: str | None
    #: Slack Connect and some other shares carry only the id: ask ``files.info``.
    needs_info: bool = False

    @property
    def is_bank(self) -> bool:
        return self.name.casefold().endswith(BANK_SUFFIXES)


@dataclass(frozen=True, slots=True)
class FileShare:
    """Someone shared files in a channel or in a DM with the bot."""

    channel_id: str
    user_id: str
    in_dm: bool
    files: tuple[SharedFile, ...]


def shared_file(raw: Mapping[str, Any]) -> SharedFile | None:
    file_id = raw.get("id")
    if not isinstance(file_id, str) or not file_id:
        return None
    size = raw.get("size")
    url = raw.get("url_private_download") or raw.get("url_private")
    return SharedFile(
        id=file_id,
        name=str(raw.get("name") or raw.get("title") or file_id),
        size=size if isinstance(size, int) else None,
        url=url if isinstance(url, str) and url else None,
        needs_info=raw.get("file_access") == "check_file_info" or not url,
    )


def file_share(event: Mapping[str, Any]) -> FileShare | None:
    """The files a person shared, or None for any other message (bots' included)."""
    if event.get("type") != "message" or event.get("bot_id"):
        return None
    if event.get("subtype") not in (None, "file_share"):
        return None
    user, channel, raw_files = event.get("user"), event.get("channel"), event.get("files")
    if not isinstance(user, str) or not isinstance(channel, str) or not isinstance(raw_files, list):
        return None
    files = tuple(f for raw in raw_files if isinstance(raw, Mapping) and (f := shared_file(raw)))
    if not files:
        return None
    in_dm = event.get("channel_type") == "im" or is_direct_message(channel)
    return FileShare(channel_id=channel, user_id=user, in_dm=in_dm, files=files)


def not_a_bank(name: str) -> SlackMessage:
    return message(
        f"`{esc(name)}` is not a bank file (`.yaml` or `.yml`), so I left it alone. " + IMPORT_HOWTO
    )


_QUESTIONS_KEY = re.compile(rb"^questions[ \t]*:", re.MULTILINE)


def looks_like_bank(data: bytes) -> bool:
    """Whether a YAML file has a top-level ``questions:`` key, as every bank does."""
    return _QUESTIONS_KEY.search(data) is not None


def could_not_download(name: str, why: str) -> SlackMessage:
    return message(f"⚠️ I could not fetch `{esc(name)}`: {esc(why)} Nothing changed.")


Note = Callable[[ChannelKey, str, SlackMessage], None]
Run = Callable[[Command], Awaitable[None]]


class SlackUploads:
    """Turns shared bank files into ``ImportQuestions`` (see the module docstring)."""

    def __init__(
        self,
        *,
        files: FileApi,
        parser: UploadParser,
        directory: SlackDirectory,
        run: Run,
        note: Note,
    ) -> None:
        self._files = files
        self._parser = parser
        self._directory = directory
        self._run = run
        self._note = note

    async def shared(self, found: Place, share: FileShare) -> None:
        """Import the bank files of ``share`` into the workspace ``found`` authenticated."""
        channel = channel_key(found.team, share.channel_id)
        if found.foreign:
            # People share files in channels all the time: only a bank file gets an answer.
            if share.in_dm or any(file.is_bank for file in share.files):
                log_refusal(found, "a file share", share.user_id)
                self._note(channel, share.user_id, message(esc(found.refusal_text())))
            return
        for shared in share.files:
            # Slack Connect shares name only the file: its name says whether it is a bank.
            file = await self._described(shared) if shared.needs_info else shared
            if not file.is_bank:
                if share.in_dm:
                    self._note(channel, share.user_id, not_a_bank(file.name))
                continue
            await self._one(channel, share.user_id, file, in_dm=share.in_dm)

    async def _one(
        self, channel: ChannelKey, user_id: str, file: SharedFile, *, in_dm: bool
    ) -> None:
        actor = await self._directory.actor(channel.server, user_id)
        if not actor.is_admin:
            if in_dm:
                # The core says no in its own words; nothing is downloaded for a member.
                await self._run(
                    ImportQuestions(channel=channel, actor=actor, source=file.name, questions=())
                )
            return
        if file.size is not None and file.size > MAX_UPLOAD_BYTES:
            self._note(channel, user_id, message(f"⚠️ {esc(too_big(file.name, size=file.size))}"))
            return
        if file.url is None:
            self._note(channel, user_id, could_not_download(file.name, "Slack gave no link."))
            return
        try:
            data = await self._files.download(file.url, limit=MAX_UPLOAD_BYTES)
        except DownloadError as exc:
            log.warning("slack: download of %s (%s) failed: %s", file.id, file.name, exc)
            self._note(channel, user_id, could_not_download(file.name, str(exc)))
            return
        if not in_dm and not looks_like_bank(data):
            return  # an admin's other YAML (a compose file, a CI config): not for us
        parsed = await self._parser.parse(data, file.name)
        if not parsed.ok:
            self._note(channel, user_id, upload_refused(parsed))
            return
        log.info(
            "slack: %s imports %d questions from %s", actor.key, len(parsed.questions), file.name
        )
        await self._run(
            ImportQuestions(
                channel=channel, actor=actor, source=file.name, questions=parsed.questions
            )
        )

    async def _described(self, file: SharedFile) -> SharedFile:
        info = await self._files.file_info(file.id)
        described = shared_file(info) if info is not None else None
        if described is None:
            return file
        # files.info holds everything: a missing link now means there is none to fetch.
        return SharedFile(described.id, described.name, described.size, described.url)
