"""Raw Redis connections for the consumers: replies as bytes whatever the client decodes, and writes
sent without waiting (their replies read by ``flush``). The blocking form and the asyncio form.

A consumer takes its own connection from the client's pool (``decode_responses`` does not matter:
replies are read with decoding off, so an entry that is not UTF-8 is dead-lettered with its bytes,
never a ``UnicodeDecodeError``) and gives it back when it stops.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from .._generated.redis_protocol import REDIS_SCRIPTS
from ._core import Arg, ScriptCall

OnError = Callable[[ScriptCall, BaseException], None]
OnDone = Callable[[ScriptCall], None]
Posted = tuple[ScriptCall, OnError, OnDone | None]


def pack(args: tuple[Arg, ...] | list[Arg]) -> bytes:
    """One command in RESP, built in one pass (redis-py's general packer costs ~3x more per argument)."""
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        data = a if isinstance(a, bytes) else a.encode()
        parts.append(b"$%d\r\n%b\r\n" % (len(data), data))
    return b"".join(parts)


def _eval_args(call: ScriptCall, by_text: bool) -> list[Arg]:
    sha, text = REDIS_SCRIPTS[call.script]
    return ["EVAL" if by_text else "EVALSHA", text if by_text else sha, str(len(call.keys)), *call.keys, *call.args]


def _is_noscript(error: BaseException) -> bool:
    # redis-py turns the NOSCRIPT reply into NoScriptError ("No matching script...").
    return type(error).__name__ == "NoScriptError" or str(error).startswith("NOSCRIPT")


def _failed(item: Posted, error: BaseException, again: list[Posted]) -> None:
    if _is_noscript(error):
        again.append(item)
    else:
        item[1](item[0], error)


def _done(item: Posted) -> None:
    if item[2] is not None:
        item[2](item[0])


def _pool_of(client: Any, key: str) -> Any:
    if hasattr(client, "get_node_from_key"):  # redis.cluster.RedisCluster: the node that owns the key
        return client.get_node_from_key(key).redis_connection.connection_pool
    return client.connection_pool


class Link:
    """One raw connection (blocking)."""

    def __init__(self, client: Any, key: str) -> None:
        self._pool = _pool_of(client, key)
        try:
            self._conn = self._pool.get_connection()
        except TypeError:  # redis-py 5.0 wants a command name
            self._conn = self._pool.get_connection("_")
        self._posted: list[Posted] = []
        self._loaded = False

    def _load(self) -> None:
        """SCRIPT LOAD every script once per connection, so posted EVALSHAs find them (a NOSCRIPT reply
        to a posted write is only seen when it is flushed)."""
        self._loaded = True
        for _, text in REDIS_SCRIPTS.values():
            self._conn.send_command("SCRIPT", "LOAD", text)
        for _ in REDIS_SCRIPTS:
            self._conn.read_response(disable_decoding=True)

    def call(self, *args: Arg, timeout: float | None = None) -> Any:
        """Send one command, then read the replies of the writes posted before it, then its own: the
        posted writes' round trip overlaps this command's (Redis answers in order)."""
        if not self._loaded:
            self._drain_then_retry()
            self._load()
        self._conn.send_packed_command([pack(args)])
        again = self._drain()
        try:
            return self._conn.read_response(disable_decoding=True, **({} if timeout is None else {"timeout": timeout}))
        finally:
            self._retry(again)

    def script(self, call: ScriptCall) -> Any:
        try:
            return self.call(*_eval_args(call, False))
        except Exception as e:
            if not _is_noscript(e):
                raise
            return self.call(*_eval_args(call, True))

    def post(self, calls: list[ScriptCall], on_error: OnError, on_done: OnDone | None = None) -> None:
        """Send now (one write for all), read the replies later (``flush``): no round trip."""
        if calls:
            self._conn.send_packed_command([b"".join(pack(_eval_args(c, False)) for c in calls)])
            self._posted += [(c, on_error, on_done) for c in calls]

    def flush(self) -> None:
        """Read the replies of the posted writes; the ones Redis had no script for are run again by text."""
        self._drain_then_retry()

    def _drain_then_retry(self) -> None:
        self._retry(self._drain())

    def _drain(self) -> list[Posted]:
        """Reads the posted writes' replies, reports failures; returns the NOSCRIPT ones, to run again."""
        posted, self._posted = self._posted, []
        again: list[Posted] = []
        for item in posted:
            try:
                self._conn.read_response(disable_decoding=True)
            except Exception as e:
                _failed(item, e, again)
            else:
                _done(item)
        return again

    def _retry(self, again: list[Posted]) -> None:
        for item in again:
            try:
                self.call(*_eval_args(item[0], True))
            except Exception as e:
                item[1](item[0], e)
            else:
                _done(item)

    def reset(self) -> None:
        """After a lost connection: drop what was posted (it is retried through redelivery) and reconnect lazily."""
        self._posted = []
        self._loaded = False
        self._conn.disconnect()

    def close(self) -> None:
        with contextlib.suppress(Exception):  # the replies of the last writes, read before giving the connection back
            self.flush()
        self._pool.release(self._conn)


class AsyncLink:
    """One raw connection (asyncio): the same as ``Link``, awaited."""

    def __init__(self, client: Any) -> None:
        if hasattr(client, "get_node_from_key"):
            raise TypeError(
                "consume_events (asyncio) does not support redis.asyncio.cluster.RedisCluster; "
                "use the blocking goodgo_contracts_events.redis_streams.consume_events with redis.cluster.RedisCluster"
            )
        self._pool = client.connection_pool
        self._conn: Any = None
        self._posted: list[Posted] = []

    async def _connection(self) -> Any:
        if self._conn is None:
            conn = await self._pool.get_connection()
            for _, text in REDIS_SCRIPTS.values():  # as Link._load
                await conn.send_command("SCRIPT", "LOAD", text)
            for _ in REDIS_SCRIPTS:
                await conn.read_response(disable_decoding=True)
            self._conn = conn
        return self._conn

    async def call(self, *args: Arg, timeout: float | None = None) -> Any:
        conn = await self._connection()
        await conn.send_packed_command([pack(args)])
        again = await self._drain()
        try:
            return await conn.read_response(disable_decoding=True, timeout=timeout)
        finally:
            await self._retry(again)

    async def script(self, call: ScriptCall) -> Any:
        try:
            return await self.call(*_eval_args(call, False))
        except Exception as e:
            if not _is_noscript(e):
                raise
            return await self.call(*_eval_args(call, True))

    async def post(self, calls: list[ScriptCall], on_error: OnError, on_done: OnDone | None = None) -> None:
        if calls:
            conn = await self._connection()
            await conn.send_packed_command([b"".join(pack(_eval_args(c, False)) for c in calls)])
            self._posted += [(c, on_error, on_done) for c in calls]

    async def flush(self) -> None:
        await self._retry(await self._drain())

    async def _drain(self) -> list[Posted]:
        posted, self._posted = self._posted, []
        again: list[Posted] = []
        for item in posted:
            try:
                await self._conn.read_response(disable_decoding=True)
            except Exception as e:
                _failed(item, e, again)
            else:
                _done(item)
        return again

    async def _retry(self, again: list[Posted]) -> None:
        for item in again:
            try:
                await self.call(*_eval_args(item[0], True))
            except Exception as e:
                item[1](item[0], e)
            else:
                _done(item)

    async def reset(self) -> None:
        self._posted = []
        if self._conn is not None:
            await self._conn.disconnect()
            await self._pool.release(self._conn)
            self._conn = None

    async def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self.flush()
            await self._pool.release(self._conn)
            self._conn = None
