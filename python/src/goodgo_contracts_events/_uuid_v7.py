"""UUIDv7 (RFC 9562 section 5.7) with the same layout and monotonic counter as src/uuid-v7.ts."""

from __future__ import annotations

import os
import re
import threading
import time
import weakref
from collections.abc import Callable

# Random bytes are drawn in 4 KiB blocks and hex-encoded once per block: one os.urandom call per
# id would cost more than the whole id.
_POOL_BYTES = 4096
_MAX_TIMESTAMP = 2**48 - 1
# The 42-bit counter (RFC 9562 section 6.2, method 1): rand_a (12 bits), then the 30 bits after
# the variant. Kept as hi (26 bits) and lo (16 bits).
_HI_MAX = 2**26 - 1
_LO_MAX = 0xFFFF
_UUID_V7 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class UuidV7Generator:
    """A UUIDv7 generator whose ids are strictly increasing for its life, thread-safe.

    Layout: 48-bit Unix milliseconds, version 7, a 42-bit counter (rand_a and the top 30 bits of
    rand_b, after the variant bits 10), then 32 fresh random bits. A new millisecond seeds the
    counter with random bits, top bit clear; when the clock stands still or goes backwards the last
    timestamp is kept and the counter incremented (section 6.2); on counter overflow the timestamp
    advances 1 ms ahead of the clock. ``now`` (integer ms) and ``random`` (n -> n bytes) are
    injectable; ``after`` continues after a persisted id.

    >>> UuidV7Generator().generate()  # doctest: +SKIP
    '019ac5cf-3e21-7a9c-b5d0-7f3e2a1c9b46'
    """

    def __init__(
        self,
        *,
        now: Callable[[], int] | None = None,
        random: Callable[[int], bytes] | None = None,
        after: str | None = None,
    ) -> None:
        self._now = now or _now_ms
        self._random = random or os.urandom
        self._lock = threading.Lock()
        self._pool = b""
        self._pool_hex = ""
        self._pos = _POOL_BYTES
        self._last = -1
        self._started = False
        self._hi = 0
        self._lo = 0
        self._prefix = ""
        _ALL.add(self)
        if after is not None:
            if not is_uuidv7(after):
                raise TypeError(f"UuidV7Generator: after must be a canonical lowercase UUIDv7, got {after!r}")
            self._last = uuidv7_timestamp(after)
            self._started = True
            self._hi = (int(after[15:18], 16) << 14) | (int(after[19:23], 16) & 0x3FFF)
            self._lo = int(after[24:28], 16)
            self._set_prefix()

    def generate(self) -> str:
        """The next id, greater than every id this generator returned before.

        Raises ``ValueError`` when the clock returns something other than integer milliseconds in
        [0, 2**48).
        """
        with self._lock:
            now = self._now()
            if type(now) is not int:
                raise ValueError(
                    f"UuidV7Generator: the clock returned {now!r}; expected integer milliseconds in [0, 2**48)"
                )
            if not self._started or now > self._last:
                if not 0 <= now <= _MAX_TIMESTAMP:
                    raise ValueError(
                        f"UuidV7Generator: the clock returned {now!r}; expected integer milliseconds in [0, 2**48)"
                    )
                self._started = True
                self._last = now
                self._seed()
            elif self._lo < _LO_MAX:
                self._lo += 1
            elif self._hi < _HI_MAX:
                self._lo = 0
                self._hi += 1
                self._set_prefix()
            else:
                # 2**42 ids in one millisecond: borrow the next one (RFC 9562 section 6.2).
                if self._last == _MAX_TIMESTAMP:
                    raise ValueError("UuidV7Generator: the 48-bit timestamp is exhausted")
                self._last += 1
                self._seed()
            if self._pos > _POOL_BYTES - 4:
                self._refill()
            p = self._pos * 2
            self._pos += 4
            return f"{self._prefix}{self._lo:04x}{self._pool_hex[p : p + 8]}"

    def _seed(self) -> None:
        if self._pos > _POOL_BYTES - 6:
            self._refill()
        b = self._pool
        i = self._pos
        self._pos += 6
        self._hi = ((b[i] & 0x01) << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]
        self._lo = (b[i + 4] << 8) | b[i + 5]
        self._set_prefix()

    def _set_prefix(self) -> None:
        ts = f"{self._last:012x}"
        self._prefix = f"{ts[:8]}-{ts[8:]}-7{self._hi >> 14:03x}-{0x8000 | (self._hi & 0x3FFF):04x}-"

    def _refill(self) -> None:
        self._pool = self._random(_POOL_BYTES)
        if len(self._pool) != _POOL_BYTES:
            raise ValueError(f"UuidV7Generator: random({_POOL_BYTES}) returned {len(self._pool)} bytes")
        self._pool_hex = self._pool.hex()
        self._pos = 0

    def _after_fork(self) -> None:
        # A forked child must not reuse the parent's random bytes: draw fresh ones.
        self._lock = threading.Lock()
        self._pos = _POOL_BYTES


def _after_fork_all() -> None:
    for generator in list(_ALL):
        generator._after_fork()


_ALL: weakref.WeakSet[UuidV7Generator] = weakref.WeakSet()
# Every generator, not only the module's: one made by a user and used in a forked worker must not
# repeat its parent's ids (issue 9).
os.register_at_fork(after_in_child=_after_fork_all)
_default = UuidV7Generator()


def uuidv7() -> str:
    """A new UUIDv7: time-ordered, random, strictly increasing within the process.

    >>> uuidv7()  # doctest: +SKIP
    '019ac5cf-3e21-7a9c-b5d0-7f3e2a1c9b46'
    """
    return _default.generate()


def is_uuidv7(value: object) -> bool:
    """Whether ``value`` is a canonical lowercase UUIDv7 (version 7, variant 10).

    The rule of ``EventId`` in schemas/envelope.schema.json (``fullmatch``: no trailing newline).

    >>> is_uuidv7("017f22e2-79b0-7cc3-98c4-dc0c0c07398f")
    True
    >>> is_uuidv7("017F22E2-79B0-7CC3-98C4-DC0C0C07398F")
    False
    """
    return isinstance(value, str) and _UUID_V7.fullmatch(value) is not None


def uuidv7_timestamp(value: str) -> int:
    """The Unix timestamp in milliseconds of a UUIDv7 (its first 48 bits).

    Raises ``TypeError`` when ``value`` is not a canonical lowercase UUIDv7.

    >>> uuidv7_timestamp("017f22e2-79b0-7cc3-98c4-dc0c0c07398f")
    1645557742000
    """
    if not is_uuidv7(value):
        raise TypeError(f"uuidv7_timestamp: {value!r} is not a canonical lowercase UUIDv7")
    return int(value[:8] + value[9:13], 16)
