"""Python side of npm run bench: prints the rows of the benchmark table as JSON.

Each comparison runs in this one process, in interleaved rounds (shuffled order each round), and
takes the median per contender, as bench/harness.ts does on the TypeScript side.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uuid6
import uuid_utils
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from goodgo_contracts_events import create_envelope, uuidv7, validate_envelope

ROOT = Path(__file__).resolve().parents[1]


def compare(contenders: dict[str, Callable[[], Any]], rounds: int, batch: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for r in range(-2, rounds):
        random.shuffle(names)
        for name in names:
            fn = contenders[name]
            start = time.perf_counter_ns()
            for _ in range(batch):
                fn()
            if r >= 0:
                samples[name].append((time.perf_counter_ns() - start) / batch)
    return {name: statistics.median(s) for name, s in samples.items()}


def ns(v: float) -> str:
    return f"{v / 1000:.2f} µs" if v >= 1000 else f"{v:.0f} ns"


def main() -> None:
    rows: list[dict[str, Any]] = []
    event = create_envelope(
        "payment.completed",
        {"paymentId": "pay_01JDQ7ZK3M8V", "orderId": "ord_9f8e7d6c", "amount": 1250000, "currency": "VND", "gateway": "stripe",
         "method": "card", "gatewayReference": "pi_3QJ8Zt2eZvKYlo2C1a2b3c4d", "completedAt": "2026-11-27T09:11:44.903Z"},
        producer="payments-service",
        trace_id="4bf92f3577b34da6a3ce929d0e0e4736",
    )
    text = json.dumps(event)
    schemas = [json.loads(p.read_text()) for p in (ROOT / "schemas").rglob("*.schema.json")]
    registry: Registry[Any] = Registry().with_resources((s["$id"], Resource.from_contents(s, default_specification=DRAFT7)) for s in schemas)
    reference = Draft7Validator(registry["https://schemas.goodgo.dev/contracts-events/events/payment.completed.schema.json"].contents, registry=registry)
    assert reference.is_valid(event) and validate_envelope(event).ok

    m = compare(
        {
            "validate": lambda: validate_envelope(event),
            "validate-producer": lambda: validate_envelope(event, "producer"),
            "loads": lambda: json.loads(text),
            "jsonschema": lambda: reference.is_valid(event),
        },
        rounds=15,
        batch=5_000,
    )
    slower = max(m["validate"], m["validate-producer"])
    ratio = slower / m["loads"]
    rows.append({"measure": "Python `validate_envelope` (payment.completed) vs `json.loads` of it (time ratio, slower mode)",
                 "figure": f"{ratio:.2f}x (consumer {ns(m['validate'])}, producer {ns(m['validate-producer'])}, json.loads {ns(m['loads'])})",
                 "target": "≤ 2.5x", "met": ratio <= 2.5})
    speedup = m["jsonschema"] / slower
    rows.append({"measure": "Python `validate_envelope` vs a reused `jsonschema` Draft7Validator (speed-up)",
                 "figure": f"{speedup:.1f}x faster (jsonschema {ns(m['jsonschema'])})", "target": "≥ 10x", "met": speedup >= 10})

    u = compare(
        {
            "uuidv7": uuidv7,
            "uuid4": uuid.uuid4,
            "str-uuid4": lambda: str(uuid.uuid4()),
            "uuid6": lambda: str(uuid6.uuid7()),
            "uuid_utils": lambda: str(uuid_utils.uuid7()),
        },
        rounds=15,
        batch=20_000,
    )
    ratio = u["uuidv7"] / u["uuid4"]
    rows.append({"measure": "Python `uuidv7()` (a str) vs `uuid.uuid4()` (a UUID object) (time ratio)",
                 "figure": f"{ratio:.2f}x ({ns(u['uuidv7'])} vs {ns(u['uuid4'])}; `str(uuid4())` {ns(u['str-uuid4'])})",
                 "target": "≤ 1.00x", "met": ratio <= 1})
    rows.append({"measure": "Python `uuidv7()` vs `uuid6.uuid7()` and Rust-backed `uuid_utils.uuid7()`, each as a str",
                 "figure": f"ours {ns(u['uuidv7'])}, uuid6 {ns(u['uuid6'])}, uuid_utils {ns(u['uuid_utils'])}", "target": "—", "met": True})
    rows.extend(consumer_rows(event))
    json.dump(rows, sys.stdout)


def consumer_rows(event: Any) -> list[dict[str, Any]]:
    """Python consumers on a real redis-server, side by side: the blocking and asyncio consumers
    against a bare loop (XREADGROUP 50, json.loads, one XACK per batch), and the blocking consumer
    with validation against the same consumer without the schema check (validate_envelope swapped). Interleaved rounds, a fresh consumer group per run."""
    import asyncio
    import shutil
    import socket
    import subprocess
    import tempfile
    import threading

    import redis
    import redis.asyncio as aioredis

    from goodgo_contracts_events import redis_streams, redis_streams_asyncio

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    directory = tempfile.mkdtemp()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", directory, "--save", ""], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    stream, n = "events:payment.completed", 20_000
    for _ in range(0, n, 1000):
        redis_streams.publish_events(client, [{**event, "eventId": uuidv7()} for _ in range(1000)])
    from goodgo_contracts_events import _validate

    # "Without validation": the same consumer, entry lookup, limits and json.loads, minus the schema check.
    validating = _validate.validate_envelope

    def unvalidated(data: Any, mode: Any = "consumer", lifecycle: Any = "contract") -> Any:
        return _validate.ValidationResult(ok=True, event=data, known=True, errors=())

    def bare(group: str) -> None:
        seen = 0
        while seen < n:
            reply = client.xreadgroup(group, "c", {stream: ">"}, count=50, block=100)
            entries = reply[0][1] if isinstance(reply, list) else next(iter(reply.values()))[0]
            for _, fields in entries:
                json.loads(fields[b"envelope"])
            client.xack(stream, group, *[i for i, _ in entries])
            seen += len(entries)

    def bare_asyncio(group: str) -> None:
        async def run() -> None:
            aclient = aioredis.Redis(port=port)
            seen = 0
            while seen < n:
                reply = await aclient.xreadgroup(group, "c", {stream: ">"}, count=50, block=100)
                entries = reply[0][1] if isinstance(reply, list) else next(iter(reply.values()))[0]
                for _, fields in entries:
                    json.loads(fields[b"envelope"])
                await aclient.xack(stream, group, *[i for i, _ in entries])
                seen += len(entries)
            await aclient.aclose()

        asyncio.run(run())

    def blocking(group: str, validate: bool = True) -> None:
        setattr(_validate, "validate_envelope", validating if validate else unvalidated)
        stop, handled = threading.Event(), [0]

        def handler(e: Any, c: Any) -> None:
            handled[0] += 1
            if handled[0] == n:
                stop.set()

        redis_streams.consume_events(client, group=group, consumer="c", event_types=["payment.completed"], handler=handler, stop=stop, handle_signals=False, block_ms=100)
        setattr(_validate, "validate_envelope", validating)

    def in_asyncio(group: str) -> None:
        async def run() -> None:
            aclient = aioredis.Redis(port=port)
            stop, handled = asyncio.Event(), [0]

            def handler(e: Any, c: Any) -> None:
                handled[0] += 1
                if handled[0] == n:
                    stop.set()

            await redis_streams_asyncio.consume_events(aclient, group=group, consumer="c", event_types=["payment.completed"], handler=handler, stop=stop, handle_signals=False, block_ms=100)
            await aclient.aclose()

        asyncio.run(run())

    contenders: dict[str, Callable[[str], None]] = {"bare": bare, "blocking": blocking, "unvalidated": lambda g: blocking(g, False), "bare-asyncio": bare_asyncio, "asyncio": in_asyncio}
    rates: dict[str, list[float]] = {name: [] for name in contenders}
    groups = 0
    # Each run leaves 20,000 idempotency marks behind: delete them, so that no contender pays for a
    # Redis grown (and rehashing) by the runs before it; and shuffle the order in every round.
    forget = client.register_script("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end")
    for r in range(-1, 7):
        order = list(contenders.items())
        random.shuffle(order)
        for name, run in order:
            groups += 1
            client.xgroup_create(stream, f"bench-{groups}", id="0")
            start = time.perf_counter()
            run(f"bench-{groups}")
            if r >= 0:
                rates[name].append(n / (time.perf_counter() - start))
            forget(args=["{" + stream + "}:handled:*"])
    client.close()
    server.terminate()
    server.wait()
    shutil.rmtree(directory, ignore_errors=True)
    m = {name: statistics.median(v) for name, v in rates.items()}
    k = lambda v: f"{v / 1000:.1f}k"  # noqa: E731
    return [
        {"measure": "Python `consume_events` (blocking, trivial handler) vs a bare redis-py loop: XREADGROUP 50, `json.loads`, one XACK per batch (throughput ratio)",
         "figure": f"{m['blocking'] / m['bare']:.2f}x ({k(m['blocking'])} vs {k(m['bare'])} events/s)", "target": "≥ 0.30x", "met": m["blocking"] / m["bare"] >= 0.3},
        {"measure": "Python `consume_events` (asyncio, trivial handler) vs the same bare loop on `redis.asyncio` (throughput ratio)",
         "figure": f"{m['asyncio'] / m['bare-asyncio']:.2f}x ({k(m['asyncio'])} vs {k(m['bare-asyncio'])} events/s; the blocking bare loop: {k(m['bare'])})", "target": "≥ 0.30x", "met": m["asyncio"] / m["bare-asyncio"] >= 0.3},
        {"measure": "Python `consume_events` with validation vs the same consumer without the schema check (throughput ratio)",
         "figure": f"{m['blocking'] / m['unvalidated']:.2f}x ({k(m['blocking'])} vs {k(m['unvalidated'])} events/s)", "target": "≥ 0.80x", "met": m["blocking"] / m["unvalidated"] >= 0.8},
    ]


if __name__ == "__main__":
    main()
