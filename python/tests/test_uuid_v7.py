"""UUIDv7: RFC 9562 layout, the same monotonic counter as TypeScript, threads and fork."""

from __future__ import annotations

import os
import threading
import uuid

import pytest

from goodgo_contracts_events import UuidV7Generator, is_uuidv7, uuidv7, uuidv7_timestamp

# RFC 9562 appendix A.6: https://www.rfc-editor.org/rfc/rfc9562#name-example-of-a-uuidv7-value
RFC_EXAMPLE = "017f22e2-79b0-7cc3-98c4-dc0c0c07398f"


def test_reads_the_rfc_example() -> None:
    assert is_uuidv7(RFC_EXAMPLE)
    assert uuidv7_timestamp(RFC_EXAMPLE) == 0x017F22E279B0 == 1645557742000


def test_version_variant_and_stdlib_agreement() -> None:
    for _ in range(10_000):
        parsed = uuid.UUID(uuidv7())
        assert parsed.version == 7
        assert parsed.variant == uuid.RFC_4122


def test_one_million_ids_strictly_increasing() -> None:
    previous = uuidv7()
    out_of_order = 0
    for _ in range(1_000_000):
        current = uuidv7()
        if not current > previous:
            out_of_order += 1
        previous = current
    assert out_of_order == 0


def test_same_ids_as_typescript_for_the_same_clock_and_randomness() -> None:
    # The same expectations as test/uuid-v7.test.ts: one algorithm, two runtimes.
    zeros = UuidV7Generator(now=lambda: 1_800_000_000_000, random=lambda n: bytes(n))
    assert zeros.generate() == "01a3185c-5000-7000-8000-000000000000"
    ones = UuidV7Generator(now=lambda: 1_800_000_000_000, random=lambda n: b"\xff" * n)
    assert ones.generate() == "01a3185c-5000-77ff-bfff-ffffffffffff"
    carry = UuidV7Generator(now=lambda: 1_800_000_000_000, after="01a3185c-5000-7000-8000-ffff00000000")
    assert carry.generate()[:28] == "01a3185c-5000-7000-8001-0000"


def test_clock_going_backwards_keeps_the_last_timestamp() -> None:
    now = [1_800_000_000_000]
    gen = UuidV7Generator(now=lambda: now[0])
    first = gen.generate()
    now[0] -= 5_000
    during = gen.generate()
    assert during > first
    assert uuidv7_timestamp(during) == 1_800_000_000_000
    now[0] += 5_001
    after = gen.generate()
    assert after > during
    assert uuidv7_timestamp(after) == 1_800_000_000_001


def test_counter_overflow_advances_the_timestamp() -> None:
    now = 1_800_000_000_000
    last = UuidV7Generator(now=lambda: now).generate()
    maxed = f"{last[:14]}7fff-bfff-ffff{last[28:]}"
    nxt = UuidV7Generator(now=lambda: now, after=maxed).generate()
    assert nxt > maxed
    assert uuidv7_timestamp(nxt) == now + 1
    assert int(nxt[15], 16) & 0x8 == 0


@pytest.mark.parametrize("bad", [-1, 2**48, 1.5, float("nan"), None, "1"])
def test_refuses_a_bad_clock(bad: object) -> None:
    with pytest.raises(ValueError, match="expected integer milliseconds"):
        UuidV7Generator(now=lambda: bad).generate()  # type: ignore[arg-type, return-value]


def test_refuses_a_bad_after() -> None:
    with pytest.raises(TypeError):
        UuidV7Generator(after="nope")
    with pytest.raises(TypeError):
        uuidv7_timestamp("9b2c4e1a-3f5d-4c6b-8a7e-1d2f3a4b5c6d")


def test_is_uuidv7_rejects_a_trailing_newline_and_uppercase() -> None:
    assert not is_uuidv7(RFC_EXAMPLE + "\n")
    assert not is_uuidv7(RFC_EXAMPLE.upper())
    assert not is_uuidv7(42)


def test_threads_get_unique_increasing_ids() -> None:
    gen = UuidV7Generator()
    results: list[list[str]] = [[] for _ in range(4)]

    def work(out: list[str]) -> None:
        for _ in range(25_000):
            out.append(gen.generate())

    threads = [threading.Thread(target=work, args=(r,)) for r in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == sorted(r) for r in results)
    assert len({i for r in results for i in r}) == 100_000


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX-only")
def test_a_forked_child_draws_fresh_random_bytes() -> None:
    uuidv7()  # fill the parent's pool
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.write(write, "".join(uuidv7() for _ in range(100)).encode())
        os._exit(0)
    os.close(write)
    child = os.read(read, 100 * 36 + 1).decode()
    os.waitpid(pid, 0)
    parent = "".join(uuidv7() for _ in range(100))
    child_tails = {child[i + 28 : i + 36] for i in range(0, len(child), 36)}
    parent_tails = {parent[i + 28 : i + 36] for i in range(0, len(parent), 36)}
    assert not child_tails & parent_tails


def test_a_generator_made_by_the_user_does_not_repeat_ids_after_fork() -> None:
    """Issue 9: only the module's generator re-seeded after os.fork; now every generator does."""
    import os

    generator = UuidV7Generator(now=lambda: 1_700_000_000_000)
    generator.generate()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next id, to the parent
        os.write(write, generator.generate().encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child = os.read(read, 64).decode()
    assert child != generator.generate()
