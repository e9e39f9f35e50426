"""One ordered lane per channel: what an outbox is built on, on every platform.

The service publishes with a channel's lock held, so an outbox must only queue.
``ChannelLanes`` keeps a queue per channel and one named worker task draining
it: the worker takes whatever has queued up by the time it is free and hands
the whole batch to the platform's ``deliver`` (Discord folds a hint and a
reveal into one edit; Slack sends item by item), so messages of one channel
keep their order while channels never wait for each other.

A lane retires after ``idle_after`` quiet seconds (``on_retire`` lets the
platform forget what it kept for that channel), so channels that played once
cost nothing later; ``hold`` keeps a worker from sending while an interaction
answers first; ``close`` lets every lane drain within a bound, then stops the
workers.  A stopping bot's outbox, closing against its shutdown budget, sends
only its channels' ``last_words``: how questions and games ended, not the next
question or a hint.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Generic, TypeVar

from bot.domain.events import (
    DailyQuestionPosted,
    DailyQuestionRevealed,
    DailyQuestionSkipped,
    Event,
    GameEnded,
    GamePaused,
    GameSuspended,
    QuestionRevealed,
    QuizReminder,
    QuizSkipped,
    ScoresDelayed,
    SeasonResults,
)
from bot.domain.model import ChannelKey

log = logging.getLogger(__name__)

Item = TypeVar("Item")

#: Scheduled play's messages are each claimed once in the database before they are
#: published (a due time, a reveal, a season's end): one left out by a stopping bot would
#: never be shown, so they go out with the games' last words.  They are rare.
CLAIMED_ONCE = (
    DailyQuestionPosted,
    DailyQuestionRevealed,
    DailyQuestionSkipped,
    QuizReminder,
    QuizSkipped,
    SeasonResults,
)

#: What a stopping bot still sends when its time is short: how questions and games ended,
#: and scheduled play's messages.
LAST_WORDS = (
    QuestionRevealed,
    GameEnded,
    GamePaused,
    GameSuspended,
    ScoresDelayed,
    *CLAIMED_ONCE,
)

#: Longer than any question (at most 300 s), so a reveal still finds its question to edit.
IDLE_AFTER = 900.0


class _Lane(Generic[Item]):
    def __init__(self, channel: ChannelKey) -> None:
        self.channel = channel
        self.queue: asyncio.Queue[Item] = asyncio.Queue()
        self.holds = 0
        self.released = asyncio.Event()
        self.released.set()
        self.worker: asyncio.Task[None] | None = None


class ChannelLanes(Generic[Item]):
    """Per-channel queues, each drained in order by its own worker (module docstring)."""

    def __init__(
        self,
        deliver: Callable[[ChannelKey, Sequence[Item]], Awaitable[None]],
        *,
        name: str,
        idle_after: float = IDLE_AFTER,
        on_retire: Callable[[ChannelKey], None] | None = None,
    ) -> None:
        """``deliver(channel, batch)`` sends a batch; what it raises is logged, and the
        lane goes on with the next batch.  ``name`` prefixes the workers' task names."""
        self._deliver = deliver
        self._name = name
        self._idle_after = idle_after
        self._on_retire = on_retire
        self._lanes: dict[ChannelKey, _Lane[Item]] = {}
        self._closed = False
        self._last_words_only = False

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def last_words_only(self) -> bool:
        """Closing against a deadline: only ``last_words`` are worth sending now."""
        return self._last_words_only

    @property
    def channels(self) -> int:
        """How many channels have a live lane."""
        return len(self._lanes)

    def put(self, channel: ChannelKey, item: Item) -> bool:
        """Queue ``item`` for ``channel``; False (and nothing queued) once closed."""
        if self._closed:
            return False
        self._lane(channel).queue.put_nowait(item)
        return True

    @contextlib.contextmanager
    def hold(self, channel: ChannelKey) -> Iterator[None]:
        """Keep ``channel``'s worker from sending while inside (items still queue)."""
        lane = self._lane(channel)
        lane.holds += 1
        lane.released.clear()
        try:
            yield
        finally:
            lane.holds -= 1
            if lane.holds == 0:
                lane.released.set()

    async def flush(self) -> None:
        """Wait until everything queued so far has been delivered (or has failed)."""
        for lane in list(self._lanes.values()):
            await lane.queue.join()

    async def close(self, *, within: float = 10.0, last_words_only: bool = False) -> None:
        """Deliver what is queued (within ``within`` seconds; only ``last_words`` with
        ``last_words_only``), then stop every worker. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._last_words_only = last_words_only
        try:
            await asyncio.wait_for(self.flush(), within)
        except TimeoutError:
            queued = sum(lane.queue.qsize() for lane in self._lanes.values())
            log.warning(
                "%s: %d messages still queued after %.0f s; dropping them",
                self._name,
                queued,
                within,
            )
        workers = [lane.worker for lane in self._lanes.values() if lane.worker is not None]
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        self._lanes.clear()

    # -- workers ---------------------------------------------------------------------------

    def _lane(self, channel: ChannelKey) -> _Lane[Item]:
        lane = self._lanes.get(channel)
        if lane is None:
            lane = self._lanes[channel] = _Lane(channel)
            lane.worker = asyncio.create_task(self._run(lane), name=f"{self._name}:{channel}")
        return lane

    async def _run(self, lane: _Lane[Item]) -> None:
        while True:
            try:
                first = await asyncio.wait_for(lane.queue.get(), self._idle_after)
            except TimeoutError:
                if lane.queue.empty() and lane.holds == 0:
                    self._retire(lane)
                    return
                continue
            batch = [first]
            try:
                await lane.released.wait()
                while not lane.queue.empty():
                    batch.append(lane.queue.get_nowait())
                await self._deliver(lane.channel, batch)
            except Exception:
                log.exception(
                    "%s: sending %d items to %s failed", self._name, len(batch), lane.channel
                )
            finally:
                for _ in batch:
                    lane.queue.task_done()

    def _retire(self, lane: _Lane[Item]) -> None:
        if self._lanes.get(lane.channel) is lane:
            del self._lanes[lane.channel]
            if self._on_retire is not None:
                self._on_retire(lane.channel)


def last_words(
    batch: Sequence[Item], channel: ChannelKey, *, event_of: Callable[[Item], Event | None]
) -> list[Item]:
    """``batch`` without what is not worth a stopping bot's last seconds (new questions,
    hints, notices: ``LAST_WORDS`` are kept), with a log line counting what was left out.
    ``event_of`` says which event an item carries (None: it carries none)."""
    kept = [item for item in batch if isinstance(event_of(item), LAST_WORDS)]
    if len(kept) < len(batch):
        log.info("stopping: left out %d messages for %s", len(batch) - len(kept), channel)
    return kept
