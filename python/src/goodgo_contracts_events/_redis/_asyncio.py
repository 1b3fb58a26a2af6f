"""The asyncio consumer: the same core and state as ``_blocking``, with awaited I/O and handler tasks."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Unpack

from .._generated.contract_data import EVENT_STREAM_KEYS, EventType
from ..models import KnownEvent
from ._codec import HandlerContext
from ._consumer import ConsumeOptions, ConsumerState, ConsumerStats, Finished, Outbox
from ._core import Batch, Work, claim_call, read_entries
from ._link import AsyncLink

AsyncHandler = Callable[[KnownEvent, HandlerContext], Awaitable[object] | object]


async def _handle(handler: AsyncHandler, event: KnownEvent, context: HandlerContext) -> None:
    outcome = handler(event, context)
    if asyncio.iscoroutine(outcome) or isinstance(outcome, asyncio.Future):
        await outcome


class _AsyncLoop:
    def __init__(self, client: Any, state: ConsumerState, handler: AsyncHandler, stop: asyncio.Event) -> None:
        self.state, self.handler, self.stop = state, handler, stop
        self.link = AsyncLink(client)

    async def create_group(self, event_type: EventType, start: str) -> None:
        for args in self.state.group_args(event_type, start):
            try:
                await self.link.call(*args)
            except Exception as e:
                if "BUSYGROUP" not in str(e):
                    raise

    async def read(self) -> None:
        types = list(self.state.settings)
        reply = await self.link.call(*self.state.read_args(types), timeout=self.state.block_ms / 1000 + 10)
        by_stream = read_entries(reply)
        for t in types:
            for batch in self.state.entries_read(t, by_stream):
                await self.run(batch)

    async def reclaim(self) -> None:
        for t, settings in self.state.settings.items():
            for key in self.state.streams(t):
                start = "0-0"
                while not self.stop.is_set():
                    reply = await self.link.script(claim_call(settings, start, self.state.count, key))
                    start, entries = self.state.claimed(t, reply)
                    if entries:
                        await self.run(self.state.batch(t, entries, key))
                    if start == "0-0":
                        break

    async def run(self, batch: Batch) -> None:
        """One batch: dead letters and leases in one round trip, handlers, outcomes sent as they come."""
        state, link = self.state, self.link
        await link.post([dl.call for dl in batch.dead_letters], state.write_failed, state.write_done)
        begin = batch.begin_call()
        queue = deque(state.begun(batch, await link.script(begin) if begin else []))
        outbox = Outbox(state, batch)
        beat = time.monotonic() + state.beat_seconds
        running: dict[asyncio.Task[Finished], Work] = {}
        while queue or running:
            if self.stop.is_set():  # the handlers in flight finish; the rest are released
                await link.post([batch.abandoned(work) for work in queue], state.write_failed)
                queue.clear()
            if state.concurrency == 1 and queue:  # in order, awaited here: no task per event
                work = queue.popleft()
                outbox.finished.append(await self._call(batch, work))
            elif queue or running:
                while queue and len(running) < state.concurrency:
                    work = queue.popleft()
                    running[asyncio.create_task(self._call(batch, work))] = work
                timeout = max(0.0, beat - time.monotonic())
                done, _ = await asyncio.wait(running, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    del running[task]
                    outbox.finished.append(task.result())
            await link.post(outbox.due(force=state.concurrency > 1 or not queue), state.write_failed, state.write_done)
            if time.monotonic() >= beat:
                await self._heartbeat(batch)
                beat = time.monotonic() + state.beat_seconds
        # The outcomes are sent; their replies are read with the next command's (one round trip less).

    async def _call(self, batch: Batch, work: Work) -> Finished:
        """One handler run, timed; what it raised is returned, not raised."""
        started = time.perf_counter()
        try:
            await _handle(self.handler, work.event, self.state.context(batch, work))
        except Exception as e:
            return work, e, time.perf_counter() - started
        return work, None, time.perf_counter() - started

    async def _heartbeat(self, batch: Batch) -> None:
        call = batch.extend_call()
        if call is not None:
            self.state.extended(batch, call, await self.link.script(call))


async def consume_events(
    client: Any,
    *,
    handler: AsyncHandler,
    stop: asyncio.Event | None = None,
    handle_signals: bool = True,
    **options: Unpack[ConsumeOptions],
) -> ConsumerStats:
    """Consume events until stopped: ``redis_streams.consume_events``'s protocol and options, for asyncio.

    ``handler`` may be async; ``concurrency`` handlers run as tasks at once (1, the default: in
    stream order). Stops on ``stop.set()`` or on SIGTERM/SIGINT (``handle_signals``, when running in
    the main thread's loop). Takes ``redis.asyncio.Redis`` (not the asyncio cluster client).
    """
    import redis

    state = ConsumerState(**options)
    stop = stop or asyncio.Event()
    loop = _AsyncLoop(client, state, handler, stop)
    if handle_signals:
        running_loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread: use stop.set()
                running_loop.add_signal_handler(sig, stop.set)
    groups_ready = False
    next_reclaim = time.monotonic() + state.reclaim_seconds
    backoff = 0.1
    try:
        while not stop.is_set():
            try:
                if not groups_ready:
                    for t in state.settings:
                        await loop.create_group(t, state.start_id)
                    groups_ready = True
                await loop.read()
                if time.monotonic() >= next_reclaim:
                    await loop.reclaim()
                    next_reclaim = time.monotonic() + state.reclaim_seconds
                backoff = 0.1
            except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError, OSError) as e:
                starts = [(t, state.lost_group(t, e)) for t in state.settings if EVENT_STREAM_KEYS[t] in str(e)]
                if any(start is not None for _, start in starts):
                    for t, start in starts:
                        await loop.create_group(t, start or state.start_id)
                    continue
                state.report(e, "read")
                await loop.link.reset()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=backoff)
                backoff = min(backoff * 2, 2.0)
    finally:
        if handle_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    asyncio.get_running_loop().remove_signal_handler(sig)
        await loop.link.close()
    return state.stats
