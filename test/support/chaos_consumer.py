"""One consumer in its own process for the chaos suite: the Python side of chaos-consumer.ts, same
flags, blocking or --asyncio. Each handled event is RPUSH effects:<group> <eventId>. Prints READY;
on SIGTERM stops (the consumer's own signal handling), then prints its stats as JSON."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

import redis
import redis.asyncio as aioredis

from goodgo_contracts_events.redis_streams import consume_events
from goodgo_contracts_events.redis_streams_asyncio import consume_events as consume_async

p = argparse.ArgumentParser()
for name, default in [("url", None), ("group", None), ("consumer", None), ("types", None), ("handler-ms", "0"),
                      ("idle-ms", "1000"), ("count", "50"), ("concurrency", "1"), ("max-deliveries", "5"),
                      ("hang-on", "0"), ("fail-trace", "")]:
    p.add_argument(f"--{name}", default=default)
p.add_argument("--asyncio", action="store_true")
p.add_argument("--decode-responses", default="", help="any value: a client that decodes responses (issue 9)")
a = p.parse_args()
messages: list[str] = []
count = {"n": 0}


def fails(event: Any) -> bool:
    return bool(a.fail_trace) and str(event["traceId"]).startswith(a.fail_trace)


def options() -> dict[str, Any]:
    return dict(group=a.group, consumer=a.consumer, event_types=a.types.split(","), block_ms=100,
                idle_timeout_ms=int(a.idle_ms), count=int(a.count), concurrency=int(a.concurrency),
                max_deliveries=int(a.max_deliveries), on_error=lambda e, where: messages.append(str(e)))


def report(stats: Any) -> None:
    out = {k: (v[-20:] if k == "errors" else v) for k, v in stats.__dict__.items()}
    print(json.dumps({**out, "deadLettered": stats.dead_lettered, "messages": messages[-20:]}), flush=True)


if a.asyncio:
    async def main() -> None:
        client = aioredis.Redis.from_url(a.url, decode_responses=bool(a.decode_responses))

        async def handler(event: Any, context: Any) -> None:
            if fails(event):
                raise RuntimeError("downstream refused it")
            if int(a.handler_ms):
                await asyncio.sleep(int(a.handler_ms) / 1000)
            await client.rpush(f"effects:{a.group}", event["eventId"])
            count["n"] += 1
            if count["n"] == int(a.hang_on):
                print("HANGING", flush=True)
                await asyncio.Event().wait()

        print("READY", flush=True)
        report(await consume_async(client, handler=handler, **options()))

    asyncio.run(main())
    sys.exit(0)

client = redis.Redis.from_url(a.url, decode_responses=bool(a.decode_responses))


def handler(event: Any, context: Any) -> None:
    if fails(event):
        raise RuntimeError("downstream refused it")
    if int(a.handler_ms):
        time.sleep(int(a.handler_ms) / 1000)
    client.rpush(f"effects:{a.group}", event["eventId"])
    count["n"] += 1
    if count["n"] == int(a.hang_on):
        print("HANGING", flush=True)
        time.sleep(3600)


print("READY", flush=True)
report(consume_events(client, handler=handler, **options()))
