"""The Python binding against a real redis-server (Debian's; npm run setup installs it): dead
letters, retries and max deliveries, idempotency, SIGTERM, in blocking and asyncio form."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from typing import Any, cast

import pytest
import redis

from goodgo_contracts_events import EventValidationError, create_envelope
from goodgo_contracts_events._generated.contract_data import EVENT_DEAD_LETTER_KEYS
from goodgo_contracts_events.redis_streams import consume_events, publish_event, publish_events
from goodgo_contracts_events.redis_streams_asyncio import consume_events as consume_events_async

KYC = {
    "userId": "usr_1",
    "verificationId": "kyc_1",
    "level": "basic",
    "provider": "onfido",
    "verifiedAt": "2026-11-27T09:15:01.980Z",
}
STREAM = "events:kyc.verified"
DEAD = EVENT_DEAD_LETTER_KEYS["kyc.verified"]


@pytest.fixture
def server() -> Iterator[redis.Redis]:
    if shutil.which("redis-server") is None:
        pytest.fail("no redis-server: install Debian's redis-server (npm run setup does it as root)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    directory = tempfile.mkdtemp()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", directory, "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield client
    client.close()
    process.terminate()
    process.wait()
    shutil.rmtree(directory, ignore_errors=True)


def dead_letters(client: redis.Redis) -> list[dict[str, str]]:
    """The dead-letter entries' fields, decoded."""
    rows = cast(list[tuple[bytes, dict[bytes, bytes]]], client.xrange(DEAD))
    return [{k.decode(): v.decode() for k, v in fields.items()} for _, fields in rows]


def event() -> Any:
    return create_envelope("kyc.verified", KYC, producer="ml-service")


def holds(check: Any) -> bool:
    """The check, where a group the consumer has not created yet (NOGROUP) counts as not yet."""
    try:
        return bool(check())
    except redis.ResponseError:
        return False


def run_until(client: redis.Redis, check: Any, **options: Any) -> Any:
    stop = threading.Event()
    result: dict[str, Any] = {}
    thread = threading.Thread(
        target=lambda: result.update(
            stats=consume_events(client, stop=stop, handle_signals=False, block_ms=100, **options)
        )
    )
    thread.start()
    deadline = time.monotonic() + 15
    while not holds(check) and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join()
    assert holds(check), "timed out"
    return result["stats"]


def test_dead_letters_keep_the_fields_and_say_why(server: redis.Redis) -> None:
    good = [event(), event()]
    publish_event(server, good[0])
    server.xadd(STREAM, {"envelope": "{nope"})
    server.xadd(STREAM, {"note": "no envelope"})
    server.xadd(
        STREAM,
        {
            "envelope": json.dumps(
                create_envelope(
                    "payment.completed",
                    {
                        "paymentId": "p",
                        "orderId": "o",
                        "amount": 1,
                        "currency": "VND",
                        "gateway": "momo",
                        "method": "card",
                        "completedAt": "2026-11-27T09:11:44.903Z",
                    },
                    producer="api",
                )
            )
        },
    )
    publish_event(server, good[1])
    seen: list[str] = []
    stats = run_until(
        server,
        lambda: len(seen) == 2 and server.xlen(DEAD) == 3,
        group="g",
        consumer="c",
        event_types=["kyc.verified"],
        handler=lambda e, _: seen.append(e["eventId"]),
    )
    assert seen == [g["eventId"] for g in good]
    dead = dead_letters(server)
    assert [d["deadLetter.reason"] for d in dead] == ["invalid", "invalid", "wrong-stream"]
    assert dead[0]["envelope"] == "{nope"
    assert dead[1]["note"] == "no envelope"
    assert json.loads(dead[1]["deadLetter.errors"])[0]["keyword"] == "required"
    assert stats.dead_lettered == 3
    assert stats.handled == 2
    assert server.xpending(STREAM, "g")["pending"] == 0


def test_a_failing_handler_is_retried_then_dead_lettered(server: redis.Redis) -> None:
    publish_event(server, event())
    calls = []

    def fail(e: Any, context: Any) -> None:
        calls.append(context.delivery_count)
        raise RuntimeError("downstream is down")

    run_until(
        server,
        lambda: server.xlen(DEAD) == 1,
        group="g",
        consumer="c",
        event_types=["kyc.verified"],
        handler=fail,
        idle_timeout_ms=200,
        max_deliveries=3,
    )
    assert calls == [1, 2, 3]
    (fields,) = dead_letters(server)
    assert fields["deadLetter.reason"] == "max-deliveries"
    assert fields["deadLetter.deliveries"] == "3"
    assert json.loads(fields["deadLetter.errors"])[0]["message"].startswith("the handler failed on delivery 3 of 3: ")


def test_an_event_is_handled_once_per_group_even_when_published_twice(server: redis.Redis) -> None:
    e = event()
    publish_events(server, [e, e])  # the same eventId twice: a retried publish
    seen: list[str] = []
    stats = run_until(
        server,
        lambda: (
            server.xpending(STREAM, "g")["pending"] == 0
            and len(seen) == 1
            and server.xinfo_groups(STREAM)[0]["entries-read"] == 2
        ),
        group="g",
        consumer="c",
        event_types=["kyc.verified"],
        handler=lambda ev, _: seen.append(ev["eventId"]),
    )
    assert seen == [e["eventId"]]
    assert stats.duplicates == 1


def test_an_invalid_event_never_reaches_redis(server: redis.Redis) -> None:
    with pytest.raises(ValueError, match="/1/payload/level"):
        publish_events(server, [event(), {**event(), "payload": {**KYC, "level": "gold"}}])
    assert server.exists(STREAM) == 0


def test_sigterm_stops_gracefully(server: redis.Redis) -> None:
    publish_events(server, [event() for _ in range(3)])
    port = server.connection_pool.connection_kwargs["port"]
    code = f"""
import json, redis, time
from goodgo_contracts_events.redis_streams import consume_events
def slow(e, c):
    print("handling", flush=True)
    time.sleep(0.3)
stats = consume_events(
    redis.Redis(port={port}), group="g", consumer="c", event_types=["kyc.verified"], handler=slow, block_ms=100
)
print(json.dumps(stats.__dict__), flush=True)
"""
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "handling"
    child.send_signal(signal.SIGTERM)
    out, _ = child.communicate(timeout=15)
    assert child.returncode == 0
    stats = json.loads(out.strip().splitlines()[-1])
    # The event in hand was finished and acknowledged; the rest wait for the next consumer.
    assert stats["handled"] >= 1
    assert stats["failed"] == 0
    assert server.xpending(STREAM, "g")["pending"] == 3 - stats["handled"]


def test_asyncio_consumer_dead_letters_and_handles(server: redis.Redis) -> None:
    import redis.asyncio as aioredis

    publish_event(server, event())
    server.xadd(STREAM, {"envelope": "[]"})
    port = server.connection_pool.connection_kwargs["port"]

    async def main() -> Any:
        client = aioredis.Redis(port=port)
        stop = asyncio.Event()
        seen: list[str] = []

        async def handler(e: Any, _: Any) -> None:
            seen.append(e["eventId"])

        task = asyncio.create_task(
            consume_events_async(
                client,
                group="a",
                consumer="c",
                event_types=["kyc.verified"],
                handler=handler,
                block_ms=100,
                stop=stop,
                handle_signals=False,
            )
        )
        for _ in range(200):
            if seen and server.xlen(DEAD) == 1:
                break
            await asyncio.sleep(0.05)
        stop.set()
        stats = await task
        await client.aclose()
        return seen, stats

    seen, stats = asyncio.run(main())
    assert len(seen) == 1
    assert stats.dead_lettered == 1


def test_a_client_that_decodes_responses_still_reads_raw_bytes(server: redis.Redis) -> None:
    """Issue 9: decode_responses=True crash-looped on a binary entry. The consumer reads on a raw
    connection of its own, so the entry is dead-lettered with its bytes and the rest is handled."""
    decoding = redis.Redis(port=server.connection_pool.connection_kwargs["port"], decode_responses=True)
    good = create_envelope("kyc.verified", KYC, producer="kyc-service")
    server.xadd(STREAM, {"envelope": b"\xff\xfe{"})
    publish_event(server, good)
    seen: list[str] = []
    stats = run_until(
        decoding,
        lambda: seen == [good["eventId"]] and server.xlen(DEAD) == 1,
        group="g",
        consumer="c",
        event_types=["kyc.verified"],
        handler=lambda e, _c: seen.append(e["eventId"]),
    )
    rows = cast(list[tuple[bytes, dict[bytes, bytes]]], server.xrange(DEAD))
    assert rows[0][1][b"envelope"] == b"\xff\xfe{"
    assert rows[0][1][b"deadLetter.reason"] == b"invalid"
    assert stats.handled == 1
    decoding.close()


def test_failures_are_logged_by_default_and_the_error_list_is_bounded(
    server: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    publish_events(server, [create_envelope("kyc.verified", KYC, producer="kyc-service") for _ in range(120)])

    def fail(_e: object, _c: object) -> None:
        raise RuntimeError("downstream is down")

    with caplog.at_level("ERROR", logger="goodgo_contracts_events.redis_streams"):
        stats = run_until(
            server,
            lambda: len(caplog.records) >= 120,
            group="g",
            consumer="c",
            event_types=["kyc.verified"],
            handler=fail,
            count=200,
        )
    assert "downstream is down" in caplog.records[0].getMessage()
    assert stats.error_count >= 120
    assert len(stats.errors) == 100


def test_unknown_event_types_and_bad_options_are_refused(server: redis.Redis) -> None:
    with pytest.raises(TypeError, match="not in the contract"):
        consume_events(server, group="g", consumer="c", event_types=["fixture.never_defined"], handler=print)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="concurrency must be a positive integer"):
        consume_events(server, group="g", consumer="c", event_types=["kyc.verified"], handler=print, concurrency=0)


def test_publish_refuses_a_lone_surrogate_instead_of_failing_to_encode(server: redis.Redis) -> None:
    event = dict(create_envelope("kyc.verified", KYC, producer="kyc-service"))
    event["payload"] = {**KYC, "provider": "onfido\ud800"}
    with pytest.raises(EventValidationError) as raised:
        publish_event(server, event)
    assert raised.value.errors[0].keyword == "encoding"
    assert "lone surrogate" in raised.value.errors[0].message
    assert server.xlen(STREAM) == 0


def test_publish_sends_the_bytes_it_validated() -> None:
    """A mapping that reads one way and serializes another is judged by what would be sent."""

    class Lying(dict[str, object]):
        def __getitem__(self, key: str) -> object:
            return {"schemaVersion": 1}.get(key, super().__getitem__(key))

    from goodgo_contracts_events._redis._publish import encode_event

    valid = create_envelope("kyc.verified", KYC, producer="kyc-service")
    key, data = encode_event(Lying(valid))
    assert key == STREAM
    assert json.loads(data) == valid


def test_the_consumer_records_opentelemetry_metrics(server: redis.Redis) -> None:
    """Issue 11: handled, failed, dead-lettered by reason, duplicates and handler duration, by type and group."""
    from opentelemetry import metrics
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    reader = InMemoryMetricReader()
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
    ok, failing = event(), {**event(), "traceId": "dead" + "0" * 28}
    publish_events(server, [ok, ok, failing])
    server.xadd(STREAM, {"envelope": b"{nope"})

    def handler(e: Any, _c: object) -> None:
        if e["traceId"].startswith("dead"):
            raise RuntimeError("downstream is down")

    run_until(
        server,
        lambda: server.xlen(DEAD) == 2,
        group="g",
        consumer="c",
        event_types=["kyc.verified"],
        handler=handler,
        max_deliveries=1,
        on_error=lambda *_: None,
    )
    data = reader.get_metrics_data()
    assert data is not None
    points: dict[str, list[Any]] = {}
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                points.setdefault(metric.name, []).extend(metric.data.data_points)

    def total(name: str, **attributes: str) -> float:
        values = [p.value for p in points.get(name, []) if all(p.attributes.get(k) == v for k, v in attributes.items())]
        return float(sum(values))

    group = {"messaging.consumer.group.name": "g", "goodgo.event_type": "kyc.verified"}
    assert total("goodgo.events.handled", **group) == 1
    assert total("goodgo.events.failed", **group) == 1
    assert total("goodgo.events.duplicates", **group) == 1
    assert total("goodgo.events.dead_lettered", **{"goodgo.dead_letter.reason": "invalid"}) == 1
    assert total("goodgo.events.dead_lettered", **{"goodgo.dead_letter.reason": "max-deliveries"}) == 1
    durations = points["messaging.process.duration"]
    assert sum(p.count for p in durations) == 2
    assert any(p.attributes.get("error.type") == "RuntimeError" for p in durations)
