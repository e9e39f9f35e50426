"""Bank files sent from chat: size-checked, then parsed in a worker process.

Both chat adapters take uploads the same way: refuse a file over
``MAX_UPLOAD_BYTES`` before reading it, parse and validate it exactly like a
bank on disk in a worker process (GUIDE section 5: a 10,000-question parse
takes seconds, and a gateway heartbeat or an interaction's 3 s deadline must
never wait behind it), and refuse the whole file when it has any problem or
more than ``MAX_UPLOAD_QUESTIONS`` questions. Only a file without problems
becomes an ``ImportQuestions`` command, so a bad file changes nothing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial

from bot.bank.limits import MAX_UPLOAD_BYTES, MAX_UPLOAD_QUESTIONS, too_big
from bot.bank.worker import WorkerProcess
from bot.domain.model import Question

#: A parse that takes longer than this is given up (the file is refused).
PARSE_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class ParsedUpload:
    """An uploaded bank: its questions, or every problem that keeps it out.

    ``problems`` are the loader's, each naming the file, line and field; a
    file over a limit has one problem saying which limit and what to do.
    """

    filename: str
    questions: tuple[Question, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_upload(data: bytes, filename: str) -> ParsedUpload:
    """Validate an uploaded bank file exactly like a bank on disk.

    Runs in a worker process, so it takes and returns only picklable values.
    """
    from bot.bank import BankError, load_bank_text

    if len(data) > MAX_UPLOAD_BYTES:
        return ParsedUpload(filename, problems=(too_big(filename, size=len(data)),))
    try:
        bank = load_bank_text(data, path=filename)
    except BankError as exc:
        return ParsedUpload(filename, problems=tuple(str(problem) for problem in exc.problems))
    if len(bank.questions) > MAX_UPLOAD_QUESTIONS:
        return ParsedUpload(filename, problems=(too_big(filename, count=len(bank.questions)),))
    return ParsedUpload(filename, questions=bank.questions)


class UploadParser:
    """Parses uploads in one worker process, started on first use.

    ``close`` is idempotent; an adapter closes it when it shuts down.
    """

    def __init__(self, *, timeout: float = PARSE_TIMEOUT) -> None:
        self._worker = WorkerProcess()
        self._timeout = timeout

    async def parse(self, data: bytes, filename: str) -> ParsedUpload:
        if len(data) > MAX_UPLOAD_BYTES:  # no need to ship it to a worker to say so
            return ParsedUpload(filename, problems=(too_big(filename, size=len(data)),))
        job = self._worker.run(partial(parse_upload, data, filename))
        try:
            return await asyncio.wait_for(job, self._timeout)
        except TimeoutError:
            return ParsedUpload(
                filename,
                problems=(
                    f"{filename}: reading it took over {self._timeout:g} s and was given up; "
                    "split it into smaller files.",
                ),
            )

    def close(self) -> None:
        self._worker.close()
