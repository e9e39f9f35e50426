"""Patience with a platform that keeps answering "slow down".

Both SDKs already wait out a 429 (``retry_after``, ``Retry-After``) and retry,
a few times, then give up and raise.  A storm longer than their retries would
drop a question or its reveal, so the whole call is made again, a few rounds
in all, each round after the SDK has waited as asked: this is patience, not a
storm of our own (10,000 invalid requests in 10 minutes get an IP banned).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How many rounds of the SDK's own retries one call gets in all.
RATE_LIMIT_ROUNDS = 3


async def through_rate_limits(
    call: Callable[[], Awaitable[T]],
    *,
    rate_limited: Callable[[Exception], bool],
    what: str,
) -> T:
    """``call()``, made again (up to ``RATE_LIMIT_ROUNDS`` in all) while it raises an
    error that ``rate_limited`` says is the platform's 429 after the SDK's retries."""
    for _ in range(RATE_LIMIT_ROUNDS - 1):
        try:
            return await call()
        except Exception as exc:
            if not rate_limited(exc):
                raise
            log.warning("%s: still rate limited after the SDK's retries; trying again", what)
    return await call()
