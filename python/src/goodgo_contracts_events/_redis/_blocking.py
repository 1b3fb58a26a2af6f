"""The blocking consumer: a thin loop around the protocol core (``_core.Batch``) and ``ConsumerState``."""

from __future__ import annotations

import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Unpack

from .._generated.contract_data import EVENT_STREAM_KEYS, EventType
from ..models import KnownEvent
from ._codec import HandlerContext
from ._consumer import ConsumeOptions, ConsumerState, ConsumerStats, Finished, Outbox
from ._core import Batch, Work, claim_call, read_entries
from ._link import Link

Handler = Callable[[KnownEvent, HandlerContext], object]


class _Loop:
    def __init__(self, client: Any, state: ConsumerState, handler: Handler, stop: threading.Event) -> None:
        self.state, self.handler, self.stop = state, handler, stop
        types = list(state.settings)
        # A cluster reads each stream on the node that owns it; one Redis reads them all in one command.
        if hasattr(client, "get_node_from_key"):
            self.reads = [(Link(client, EVENT_STREAM_KEYS[t]), [t]) for t in types]
        else:
            self.reads = [(Link(client, EVENT_STREAM_KEYS[types[0]]), types)]
        self.link_of = {t: link for link, ts in self.reads for t in ts}
        self.pool = ThreadPoolExecutor(state.concurrency) if state.concurrency > 1 else None

    def create_group(self, event_type: EventType, start: str) -> None:
        for args in self.state.group_args(event_type, start):
            try:
                self.link_of[event_type].call(*args)
            except Exception as e:
                if "BUSYGROUP" not in str(e):
                    raise

    def read(self) -> None:
        for link, types in self.reads:
            block = self.state.block_ms / 1000 / len(self.reads)
            args = self.state.read_args(types)
            if len(self.reads) > 1:
                args[args.index("BLOCK") + 1] = str(max(10, int(block * 1000)))
            by_stream = read_entries(link.call(*args, timeout=block + 10))
            for t in types:
                for batch in self.state.entries_read(t, by_stream):
                    self.run(link, batch)

    def reclaim(self) -> None:
        for t, link in self.link_of.items():
            for key in self.state.streams(t):
                start = "0-0"
                while not self.stop.is_set():
                    call = claim_call(self.state.settings[t], start, self.state.count, key)
                    start, entries = self.state.claimed(t, link.script(call))
                    if entries:
                        self.run(link, self.state.batch(t, entries, key))
                    if start == "0-0":
                        break

    def run(self, link: Link, batch: Batch) -> None:
        """One batch: dead letters and leases in one round trip, handlers, outcomes sent as they come."""
        state = self.state
        link.post([dl.call for dl in batch.dead_letters], state.write_failed, state.write_done)
        begin = batch.begin_call()
        queue = deque(state.begun(batch, link.script(begin) if begin else []))
        outbox = Outbox(state, batch)
        beat = time.monotonic() + state.beat_seconds
        running: dict[Future[Finished], Work] = {}
        while queue or running:
            if self.stop.is_set():  # the handlers in flight finish; the rest are released
                link.post([batch.abandoned(work) for work in queue], state.write_failed)
                queue.clear()
            if self.pool is None and queue:
                work = queue.popleft()
                outbox.finished.append(self._call(batch, work))
            elif self.pool is not None:
                while queue and len(running) < state.concurrency:
                    work = queue.popleft()
                    running[self.pool.submit(self._call, batch, work)] = work
                done, _ = wait(running, timeout=max(0.0, beat - time.monotonic()), return_when=FIRST_COMPLETED)
                for future in done:
                    del running[future]
                    outbox.finished.append(future.result())
            link.post(outbox.due(force=self.pool is not None or not queue), state.write_failed, state.write_done)
            if time.monotonic() >= beat:
                self._heartbeat(link, batch)
                beat = time.monotonic() + state.beat_seconds
        # The outcomes are sent; their replies are read with the next command's (one round trip less).

    def _call(self, batch: Batch, work: Work) -> Finished:
        """One handler run, timed; what it raised is returned, not raised."""
        started = time.perf_counter()
        try:
            self.handler(work.event, self.state.context(batch, work))
        except Exception as e:
            return work, e, time.perf_counter() - started
        return work, None, time.perf_counter() - started

    def _heartbeat(self, link: Link, batch: Batch) -> None:
        call = batch.extend_call()
        if call is not None:
            self.state.extended(batch, call, link.script(call))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        for link, _ in self.reads:
            link.close()


def consume_events(
    client: Any,
    *,
    handler: Handler,
    stop: threading.Event | None = None,
    handle_signals: bool = True,
    **options: Unpack[ConsumeOptions],
) -> ConsumerStats:
    """Consume events in a consumer group until stopped; returns what was done.

    The protocol of the contract (``x-redis-streams``), the same as the TypeScript ``consumeEvents``:
    creates the group if missing (from ``start_id``; recreated at the last entry seen if it is lost);
    reads raw bytes on a connection of its own from the client's pool (``decode_responses`` does not
    matter); dead-letters what cannot be handled; leases each batch in one script call and renews the
    leases while handlers run; calls ``handler(event, context)`` (``concurrency`` at once in worker
    threads; 1, the default, runs it in this thread, in stream order); records each outcome (done mark
    and XACK in one script) without waiting. A handler that raises is retried after
    ``idle_timeout_ms`` and dead-lettered when it fails on delivery ``max_deliveries``. Failures are
    logged to the ``goodgo_contracts_events.redis_streams`` logger, or given to ``on_error``.
    Stops when ``stop`` is set, or on SIGTERM/SIGINT (``handle_signals``, main thread only): the
    handlers in flight finish first. Survives Redis restarts.
    """
    import redis

    state = ConsumerState(**options)
    stop = stop or threading.Event()
    loop = _Loop(client, state, handler, stop)
    previous: dict[signal.Signals, Any] = {}
    if handle_signals and threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        _run(loop, state, stop, redis)
    finally:
        for sig, before in previous.items():
            signal.signal(sig, before)
        loop.close()
    return state.stats


def _run(loop: _Loop, state: ConsumerState, stop: threading.Event, redis: Any) -> None:
    groups_ready = False
    next_reclaim = time.monotonic() + state.reclaim_seconds
    backoff = 0.1
    while not stop.is_set():
        try:
            if not groups_ready:
                for t in state.settings:
                    loop.create_group(t, state.start_id)
                groups_ready = True
            loop.read()
            if time.monotonic() >= next_reclaim:
                loop.reclaim()
                next_reclaim = time.monotonic() + state.reclaim_seconds
            backoff = 0.1
        except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError, OSError) as e:
            if isinstance(e, redis.ResponseError) and _recover(loop, state, e):
                continue
            state.report(e, "read")  # Redis restarting (LOADING), a lost connection: wait, reconnect, go on
            for link, _ in loop.reads:
                link.reset()
            stop.wait(backoff)
            backoff = min(backoff * 2, 2.0)


def _recover(loop: _Loop, state: ConsumerState, error: BaseException) -> bool:
    """NOGROUP: recreate each lost group where this consumer was."""
    named = [t for t in state.settings if EVENT_STREAM_KEYS[t] in str(error)] or list(state.settings)
    starts = [(t, state.lost_group(t, error)) for t in named]
    for t, start in starts:
        if start is not None:
            loop.create_group(t, start)
    return any(start is not None for _, start in starts)
