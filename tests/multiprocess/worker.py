"""One process of a bot, as the multi-process tests run it: ``python -m tests.multiprocess.worker``.

It uses the real store (``--db``: a SQLite file or a PostgreSQL URL) and writes what
happens as JSON lines on stdout (``{"event": ...}``), each with ``t``, its wall-clock
time; the test talks to it with lines on stdin.

``hold NAME``
    Holds lease NAME with a ``LeaseKeeper`` until SIGTERM (then releases it: event
    ``released``, exit 0); with ``--on-go``, says ``ready`` and asks for the lease on a
    ``go`` line (so the test can start it beforehand).  Events: ``held`` (epoch,
    holder), ``refused`` (the error's message; exit 2), ``lost`` (from on_lost), ``log``
    (the keeper's log lines), and ``status`` (holds, epoch, check: the store's fencing
    check of its epoch) in answer to a ``status`` line, ``holds`` read first.
``fact NAME VALUE``
    Says ``ready``, waits for ``go``, sets the fact if changed: event ``fact`` (changed).
``turns NAME``
    Says ``ready``, waits for ``go``, then takes paced turns of NAME for ``--for``
    seconds: event ``turns`` (grants: [sent, answered] wall-clock windows of the calls
    that took a turn).
``slack-token TEAM``
    Says ``ready``, waits for ``go``, asks ``WorkspaceTokens`` for workspace TEAM's bot
    token (refreshing it through ``--slack-api`` when it expires within an hour; tokens
    sealed with ``--token-key``), then calls ``auth.test`` with it: event ``token``
    (token, team_id).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
import time
from typing import Any

from bot.app.leases import LeaseKeeper, LeaseUnavailable, holder_description
from bot.clock import SystemClock
from bot.ports import OperatedStore
from bot.storage import open_store


def emit(event: str, **fields: Any) -> None:
    sys.stdout.write(json.dumps({"event": event, "t": time.time(), **fields}) + "\n")
    sys.stdout.flush()


class _EventLog(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        emit("log", level=record.levelname, message=record.getMessage())


async def _lines() -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


async def _await_go(stdin: asyncio.StreamReader) -> None:
    emit("ready")
    while (await asyncio.wait_for(stdin.readline(), 60)).strip() != b"go":
        pass


async def hold(store: OperatedStore, args: argparse.Namespace) -> int:
    clock = SystemClock()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    keeper = LeaseKeeper(
        store,
        [args.name],
        holder=holder_description(clock),
        clock=clock,
        ttl=args.ttl,
        wait=args.wait,
        on_lost=lambda name: emit("lost", name=name),
    )
    stdin = await _lines()
    if args.on_go:
        await _await_go(stdin)
    try:
        await keeper.start()
    except LeaseUnavailable as exc:
        emit("refused", message=str(exc))
        return 2
    epoch = keeper.epoch(args.name)
    emit("held", epoch=epoch, holder=keeper.holder)
    stopping = asyncio.create_task(stop.wait())
    while not stop.is_set():
        reading = asyncio.create_task(stdin.readline())
        await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not reading.done():
            reading.cancel()
            break
        if reading.result().strip() == b"status":
            holds = keeper.holds(args.name)  # first: before any renewal can be answered
            assert epoch is not None
            check = await store.check_lease(args.name, epoch)
            emit("status", holds=holds, epoch=epoch, check=check)
        elif not reading.result():
            await stopping  # stdin closed: wait for the signal
    await keeper.close()
    emit("released")
    return 0


async def fact(store: OperatedStore, args: argparse.Namespace) -> int:
    await _await_go(await _lines())
    emit("fact", changed=await store.set_fact_if_changed(args.name, args.value))
    return 0


async def turns(store: OperatedStore, args: argparse.Namespace) -> int:
    await _await_go(await _lines())
    grants: list[tuple[float, float]] = []
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        sent = time.time()
        wait = await store.take_turn(args.name, every=args.every)
        if wait == 0:
            grants.append((sent, time.time()))
        else:
            await asyncio.sleep(min(wait, max(end - time.monotonic(), 0.0)))
    emit("turns", grants=grants)
    return 0


async def slack_token(store: OperatedStore, args: argparse.Namespace) -> int:
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.adapters.slack.installation_store import slack_refresher
    from bot.adapters.slack.token_rotation import WorkspaceTokens
    from bot.slack_tokens import TokenCipher

    client_id, client_secret = args.slack_client
    client = AsyncWebClient(base_url=args.slack_api)
    clock = SystemClock()
    tokens = WorkspaceTokens(
        store,
        cipher=TokenCipher([args.token_key]),
        refresh=slack_refresher(client, client_id=client_id, client_secret=client_secret),
        clock=clock,
        holder=holder_description(clock),
        margin=3600,
    )
    await _await_go(await _lines())
    token = await tokens.bot_token(None, args.name)
    answer = await client.auth_test(token=token)
    emit("token", token=token, team_id=answer["team_id"])
    return 0


async def main(args: argparse.Namespace) -> int:
    store = await open_store(args.db)
    try:
        role = {"hold": hold, "fact": fact, "turns": turns, "slack-token": slack_token}[args.role]
        return await asyncio.wait_for(role(store, args), args.limit)
    finally:
        await store.close()


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["hold", "fact", "turns", "slack-token"])
    parser.add_argument("name")
    parser.add_argument("value", nargs="?", default="")
    parser.add_argument("--db", required=True)
    parser.add_argument("--ttl", type=float, default=1.0)
    parser.add_argument("--wait", type=float, default=10.0)
    parser.add_argument("--every", type=float, default=0.3)
    parser.add_argument("--for", dest="seconds", type=float, default=1.5)
    parser.add_argument("--on-go", action="store_true", help="hold: start on a 'go' line")
    parser.add_argument("--limit", type=float, default=60.0, help="exit after this long")
    parser.add_argument("--slack-api", default="", help="slack-token: the Web API base")
    parser.add_argument(
        "--slack-client", nargs=2, default=("", ""), help="slack-token: client id and secret"
    )
    parser.add_argument("--token-key", default="", help="slack-token: TRIVIA_SLACK_TOKEN_KEY")
    return parser.parse_args(argv)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, handlers=[_EventLog()])
    sys.exit(asyncio.run(main(parse(sys.argv[1:]))))
