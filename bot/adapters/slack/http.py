"""Slack's HTTP entry: what bolt cannot read is answered here, before bolt sees it.

bolt's aiohttp adapter parses a request's body before it checks the signature,
and some bodies make it raise instead of answer: a timestamp that is not a
number, a body that is not UTF-8, not JSON or a JSON array, a ``payload=``
field that is not a JSON object, a ``block_actions`` without actions.  aiohttp
then answers 500 and logs a traceback, for anyone who cares to send one.  Here
such a request gets:

* **401** when its signature cannot be valid: a timestamp that is not a number,
  or an unreadable body not signed with the app's secret (checked here, over the
  raw bytes, because bolt cannot check what it cannot read);
* **400** when it is signed but unreadable;

and one log line without a traceback.  Everything else goes to bolt unchanged,
including the signature check of every body bolt can read (401 when it is bad
or older than five minutes).

No SDK here: the adapter hands in ``Read``, which builds bolt's request from the
decoded body (and raises when bolt cannot) and returns how to run it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from aiohttp import web

log = logging.getLogger(__name__)

#: How far a request's timestamp may be from now, as bolt allows (Slack's own rule).
TIMESTAMP_WINDOW = 5 * 60


@dataclass(frozen=True, slots=True)
class Parsed:
    """bolt's request: the body as bolt parsed it, and how to hand it to bolt."""

    body: object
    run: Callable[[], Awaitable[web.Response]]


#: The decoded body and the aiohttp request -> bolt's request; raises if bolt cannot read it.
Read = Callable[[str, web.Request], Parsed]


class Unreadable(Exception):
    """A request bolt would choke on; the message says why (for the log)."""


def slack_events_app(read: Read, *, signing_secret: str, path: str) -> web.Application:
    """An aiohttp app taking Slack's POSTs at ``path``, refusing what bolt cannot read."""
    secret = signing_secret.encode()

    async def handle(request: web.Request) -> web.Response:
        raw = await request.read()
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        if stamp and not is_number(stamp):
            return refuse(request, 401, f"its timestamp {stamp[:20]!r} is not a number")
        try:
            parsed = read_request(read, raw, request)
        except Unreadable as exc:
            signature = request.headers.get("X-Slack-Signature", "")
            if not signed(secret, stamp, raw, signature, now=time.time()):
                return refuse(request, 401, f"{exc} and it is not signed with the app's secret")
            return refuse(request, 400, str(exc))
        return await parsed.run()

    app = web.Application()
    app.router.add_post(path, handle)
    return app


def read_request(read: Read, raw: bytes, request: web.Request) -> Parsed:
    """bolt's request for ``raw``; ``Unreadable`` if bolt would fail on it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Unreadable("its body is not UTF-8") from None
    try:
        parsed = read(text, request)
    except Exception as exc:  # bolt parses and reads the payload's ids in one go
        raise Unreadable(f"bolt could not read its body ({type(exc).__name__})") from None
    problem = shape_problem(parsed.body)
    if problem is not None:
        raise Unreadable(problem)
    return parsed


def shape_problem(body: object) -> str | None:
    """Why bolt would fail on a parsed body, or None.

    bolt indexes these parts of a payload without checking them (``body["actions"][0]``,
    ``body["view"]["type"]``, ``body["event"]["type"]``) while it routes a request.
    """
    if not isinstance(body, Mapping):
        return "its body is not a JSON object"
    kind = body.get("type")
    if "event" in body and not _has_text(body["event"], "type"):
        return "its event is not an object with a type"
    if kind in ("block_actions", "interactive_message"):
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            return f"it is a {kind} without actions"
        if not all(_has_text(action, "action_id") for action in actions):
            return f"it is a {kind} whose actions are not objects with an action_id"
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not (_has_text(view, "type") and _has_text(view, "callback_id")):
            return f"it is a {kind} without a view that has a type and a callback_id"
    return None


def _has_text(part: object, key: str) -> bool:
    return isinstance(part, Mapping) and isinstance(part.get(key), str)


def is_number(stamp: str) -> bool:
    """Whether bolt can read ``stamp`` as a whole number (it calls ``int()`` on it)."""
    try:
        int(stamp)
    except ValueError:
        return False
    return True


def signed(secret: bytes, stamp: str, raw: bytes, signature: str, *, now: float) -> bool:
    """Slack's signature check (``v0=`` HMAC-SHA256 of ``v0:{timestamp}:{body}``), over
    the raw bytes, for bodies bolt cannot read; the same five-minute window."""
    if not stamp or not is_number(stamp) or abs(now - int(stamp)) > TIMESTAMP_WINDOW:
        return False
    base = b"v0:" + stamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def refuse(request: web.Request, status: int, why: str) -> web.Response:
    """One log line (no traceback), and the status with bolt's kind of error body."""
    # An unsigned request is anyone's (bolt logs bad signatures at INFO too); a signed
    # one that is unreadable means something is wrong on Slack's side or with the secret.
    level = logging.INFO if status == 401 else logging.WARNING
    log.log(
        level,
        "slack: refused a request from %s with %d: %s",
        request.remote,
        status,
        why,
    )
    error = "invalid request" if status == 401 else "malformed request"
    return web.json_response({"error": error}, status=status)
