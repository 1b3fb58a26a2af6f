"""A Python consumer in its own process, for the Redis tests: consumes until it has handled
--expect events (or until SIGTERM), records every handled eventId, prints a JSON summary."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import threading
import time
from typing import Any

parser = argparse.ArgumentParser()
parser.add_argument("--url", default=None)
parser.add_argument("--cluster", default=None, help="host:port of one cluster node")
parser.add_argument("--group", required=True)
parser.add_argument("--consumer", required=True)
parser.add_argument("--types", required=True)
parser.add_argument("--expect", type=int, default=0, help="stop after this many handled events (0: until SIGTERM)")
parser.add_argument("--asyncio", action="store_true")
parser.add_argument("--slow-ms", type=int, default=0)
parser.add_argument("--idle-ms", type=int, default=1000)
parser.add_argument("--ids-file", default=None)
args = parser.parse_args()
types: Any = args.types.split(",")
handled: list[dict[str, Any]] = []
started = time.monotonic()


def record(event: Any, context: Any) -> None:
    if args.slow_ms:
        time.sleep(args.slow_ms / 1000)
    payload = event["payload"]
    handled.append({"eventId": event["eventId"], "eventType": event["eventType"], "field": next(iter(payload)), "trace": context.trace_id})


def summary(stats: Any) -> None:
    if args.ids_file:
        with open(args.ids_file, "w") as f:
            f.write("\n".join(h["eventId"] for h in handled))
    seconds = time.monotonic() - started
    print(json.dumps({"handled": handled if len(handled) <= 100 else len(handled), "count": len(handled), "seconds": seconds, "stats": stats.__dict__}))


if args.asyncio:
    import redis.asyncio as aioredis

    from goodgo_contracts_events.redis_streams_asyncio import consume_events as consume_async

    async def main() -> None:
        client = aioredis.Redis.from_url(args.url)
        stop = asyncio.Event()

        async def handler(event: Any, context: Any) -> None:
            record(event, context)
            if args.expect and len(handled) >= args.expect:
                stop.set()

        stats = await consume_async(client, group=args.group, consumer=args.consumer, event_types=types, handler=handler, block_ms=200, idle_timeout_ms=args.idle_ms, stop=stop)
        summary(stats)
        await client.aclose()

    asyncio.run(main())
    sys.exit(0)

import redis
from redis.cluster import RedisCluster

from goodgo_contracts_events.redis_streams import consume_events

if args.cluster:
    host, port = args.cluster.split(":")
    client: Any = RedisCluster(host=host, port=int(port))
else:
    client = redis.Redis.from_url(args.url)
stop = threading.Event()


def handler(event: Any, context: Any) -> None:
    record(event, context)
    if args.expect and len(handled) >= args.expect:
        stop.set()


stats = consume_events(client, group=args.group, consumer=args.consumer, event_types=types, handler=handler, block_ms=200, idle_timeout_ms=args.idle_ms, stop=stop)
summary(stats)
