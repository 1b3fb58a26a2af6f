import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUuidV7, uuidv7, uuidv7Timestamp, UuidV7Generator } from '../src/index.ts';
import envelopeSchema from '../schemas/envelope.schema.json' with { type: 'json' };

const LAYOUT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The 128 bits of a UUID as a bigint, for bit-level checks. */
const bitsOf = (id: string): bigint => BigInt('0x' + id.replaceAll('-', ''));

describe('RFC 9562 layout', () => {
  // RFC 9562 appendix A.6, "Example of a UUIDv7 Value":
  // https://www.rfc-editor.org/rfc/rfc9562#name-example-of-a-uuidv7-value
  const RFC_EXAMPLE = '017f22e2-79b0-7cc3-98c4-dc0c0c07398f';

  it('reads the RFC example: version 7, timestamp 0x017F22E279B0 (2022-02-22T19:22:22.000Z)', () => {
    expect(isUuidV7(RFC_EXAMPLE)).toBe(true);
    expect(uuidv7Timestamp(RFC_EXAMPLE)).toBe(0x017f22e279b0);
    expect(new Date(uuidv7Timestamp(RFC_EXAMPLE)).toISOString()).toBe('2022-02-22T19:22:22.000Z');
  });

  it('writes the RFC example timestamp as the first 48 bits', () => {
    const gen = new UuidV7Generator({ now: () => 0x017f22e279b0 });
    expect(gen.generate().slice(0, 13)).toBe('017f22e2-79b0');
  });

  it('sets version 7 and variant 10 on every id', () => {
    for (let i = 0; i < 10_000; i++) {
      const bits = bitsOf(uuidv7());
      expect((bits >> 76n) & 0xfn).toBe(7n);
      expect((bits >> 62n) & 0x3n).toBe(2n);
    }
  });

  it('timestamps the id with the current time', () => {
    const before = Date.now();
    const ts = uuidv7Timestamp(uuidv7());
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('isUuidV7 applies the rule of EventId in schemas/envelope.schema.json', () => {
    const schemaPattern = envelopeSchema.definitions.EventId.pattern;
    // The schema ends with $(?!\n) for Python's sake; in JavaScript $ already excludes it.
    expect(schemaPattern).toBe(LAYOUT.source.replace(/\$$/, '$(?!\\n)'));
    expect(isUuidV7('017F22E2-79B0-7CC3-98C4-DC0C0C07398F')).toBe(false);
    expect(isUuidV7('{017f22e2-79b0-7cc3-98c4-dc0c0c07398f}')).toBe(false);
    expect(isUuidV7('9b2c4e1a-3f5d-4c6b-8a7e-1d2f3a4b5c6d')).toBe(false);
    expect(isUuidV7('017f22e2-79b0-7cc3-c8c4-dc0c0c07398f')).toBe(false);
    expect(isUuidV7(42)).toBe(false);
  });

  it('uuidv7Timestamp refuses what is not a UUIDv7', () => {
    expect(() => uuidv7Timestamp('9b2c4e1a-3f5d-4c6b-8a7e-1d2f3a4b5c6d')).toThrow(TypeError);
    expect(() => uuidv7Timestamp('9b2c4e1a-3f5d-4c6b-8a7e-1d2f3a4b5c6d')).toThrow(/not a canonical lowercase UUIDv7/);
  });
});

describe('monotonicity (RFC 9562 section 6.2, fixed-length counter)', () => {
  it('1e6 ids from uuidv7() are strictly increasing, hence unique, and well-formed', () => {
    let previous = uuidv7();
    let outOfOrder = 0;
    let malformed = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const id = uuidv7();
      if (!(id > previous)) outOfOrder++;
      if (!LAYOUT.test(id)) malformed++;
      previous = id;
    }
    expect({ outOfOrder, malformed }).toEqual({ outOfOrder: 0, malformed: 0 });
  });

  it('stays strictly increasing whatever the clock does (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 ** 48 - 1 }), { minLength: 1, maxLength: 50 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 50 }),
        (clock, burst) => {
          let tick = 0;
          const gen = new UuidV7Generator({ now: () => clock[tick % clock.length]! });
          let previous = '';
          for (const n of burst) {
            for (let i = 0; i < n; i++) {
              const id = gen.generate();
              if (!(id > previous) || !LAYOUT.test(id)) return false;
              previous = id;
            }
            tick++;
          }
          return true;
        },
      ),
    );
  });

  it('keeps the last timestamp when the clock goes backwards, and follows it again once it catches up', () => {
    let now = 1_800_000_000_000;
    const gen = new UuidV7Generator({ now: () => now });
    const first = gen.generate();
    now -= 5_000; // an NTP step back of 5 s
    const during = gen.generate();
    expect(during > first).toBe(true);
    expect(uuidv7Timestamp(during)).toBe(1_800_000_000_000);
    now += 5_001;
    const after = gen.generate();
    expect(after > during).toBe(true);
    expect(uuidv7Timestamp(after)).toBe(1_800_000_000_001);
  });

  it('advances the timestamp by 1 ms when the 42-bit counter overflows within one millisecond', () => {
    const now = 1_800_000_000_000;
    // Start right after an id whose counter is all ones: the next increment overflows.
    const last = new UuidV7Generator({ now: () => now }).generate();
    const maxed = `${last.slice(0, 14)}7fff-bfff-ffff${last.slice(28)}`;
    const gen = new UuidV7Generator({ now: () => now, after: maxed });
    const next = gen.generate();
    expect(next > maxed).toBe(true);
    expect(uuidv7Timestamp(next)).toBe(now + 1);
    // The counter is re-seeded with its top bit clear (room for 2^41 more ids).
    expect(Number.parseInt(next[15]!, 16) & 0x8).toBe(0);
  });

  it('increments the counter within one millisecond: rand_a, then the bits after the variant', () => {
    const now = 1_800_000_000_000;
    // Counter hi = 0, lo = 0xffff: the next id carries into the bits after the variant.
    const gen = new UuidV7Generator({ now: () => now, after: '01a3185c-5000-7000-8000-ffff00000000' });
    expect(gen.generate().slice(0, 28)).toBe('01a3185c-5000-7000-8001-0000');
  });

  it('continues after a given id even when the clock is behind it', () => {
    const future = '01ffffff-ffff-7123-8456-789abcdef012';
    const gen = new UuidV7Generator({ after: future });
    const next = gen.generate();
    expect(next > future).toBe(true);
    expect(next.slice(0, 13)).toBe(future.slice(0, 13));
  });

  it('refuses a clock that returns something other than integer milliseconds in [0, 2^48)', () => {
    for (const bad of [Number.NaN, -1, 1.5, 2 ** 48, Number.POSITIVE_INFINITY]) {
      expect(() => new UuidV7Generator({ now: () => bad }).generate(), String(bad)).toThrow(RangeError);
    }
    let now = 1_800_000_000_000;
    const gen = new UuidV7Generator({ now: () => now });
    gen.generate();
    now = Number.NaN;
    expect(() => gen.generate()).toThrow(/expected integer milliseconds/);
  });

  it('refuses an `after` that is not a UUIDv7', () => {
    expect(() => new UuidV7Generator({ after: 'nope' })).toThrow(TypeError);
  });
});

describe('randomness', () => {
  it('takes its random bits from the injected source', () => {
    const zeros = new UuidV7Generator({ now: () => 1_800_000_000_000, random: (b) => b.fill(0) });
    expect(zeros.generate()).toBe('01a3185c-5000-7000-8000-000000000000');
    const ones = new UuidV7Generator({ now: () => 1_800_000_000_000, random: (b) => b.fill(0xff) });
    // Seeded counter: top bit clear, every other bit set; then 32 random bits.
    expect(ones.generate()).toBe('01a3185c-5000-77ff-bfff-ffffffffffff');
  });

  it('gives each of the 32 fresh random bits a frequency near 1/2 over 20,000 ids', () => {
    const n = 20_000;
    const counts = new Array<number>(32).fill(0);
    for (let i = 0; i < n; i++) {
      const tail = Number.parseInt(uuidv7().slice(28), 16);
      for (let b = 0; b < 32; b++) counts[b]! += (tail >>> b) & 1;
    }
    // 5 standard deviations of a fair coin over n draws: a false alarm about once in 3.5 million.
    const margin = 5 * Math.sqrt(n / 4);
    for (const c of counts) expect(Math.abs(c - n / 2)).toBeLessThan(margin);
  });
});
