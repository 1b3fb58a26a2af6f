/**
 * Where a {@link UuidV7Generator} gets its time and randomness. Both are injectable so tests can
 * drive a clock that goes backwards or a counter that overflows, deterministically.
 *
 * @example
 * let t = 1_700_000_000_000;
 * const gen = new UuidV7Generator({ now: () => t, random: (b) => b.fill(0) });
 */
export interface UuidV7GeneratorOptions {
  /** Milliseconds since the Unix epoch, an integer in [0, 2^48). Default: `Date.now`. */
  readonly now?: () => number;
  /** Fills `bytes` with cryptographically secure random bytes. Default: Web Crypto's `crypto.getRandomValues`. */
  readonly random?: (bytes: Uint8Array) => void;
  /**
   * Continue after this UUIDv7: every id generated is greater than it, even if the clock is
   * behind its timestamp. For example the last id persisted before a restart.
   */
  readonly after?: string | undefined;
}

// Random bytes are drawn in 4 KiB blocks and hex-encoded in one native call per block: one
// CSPRNG call costs about 2 us here, so one per id would be 10x slower than the whole id.
const POOL_BYTES = 4096;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const MAX_TIMESTAMP = 2 ** 48 - 1;
// The counter is 42 bits (RFC 9562 section 6.2, method 1, "fixed bit-length dedicated counter"):
// the 12 bits of rand_a, then the first 30 bits of rand_b. It is kept as hi (26 bits) and lo (16).
const HI_MAX = 2 ** 26 - 1;
const LO_MAX = 0xffff;
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * A UUIDv7 generator (RFC 9562 section 5.7) whose ids are strictly increasing, as strings and as
 * bytes, for the life of the generator.
 *
 * Layout: 48-bit Unix milliseconds, version `7`, a 42-bit counter (rand_a and the top 30 bits of
 * rand_b, after the variant bits `10`), then 32 fresh random bits. Each new millisecond seeds the
 * counter with random bits and its top bit clear, so at least 2^41 ids fit in one millisecond.
 * When the clock stands still or goes backwards, the last timestamp is kept and the counter
 * incremented (section 6.2: monotonicity wins over wall-clock accuracy); when the counter
 * overflows, the timestamp is advanced by one millisecond ahead of the clock and the counter
 * re-seeded. The clock catches up in either case.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9562#section-5.7
 * @see https://www.rfc-editor.org/rfc/rfc9562#section-6.2
 * @example
 * const gen = new UuidV7Generator();
 * gen.generate(); // '019ac5cf-3e21-7a9c-b5d0-7f3e2a1c9b46'
 */
export class UuidV7Generator {
  readonly #now: () => number;
  readonly #random: (bytes: Uint8Array) => void;
  readonly #pool = Buffer.alloc(POOL_BYTES);
  #poolHex = '';
  #pos = POOL_BYTES;
  #last = Number.NEGATIVE_INFINITY;
  #hi = 0;
  #lo = 0;
  /** `tttttttt-tttt-7aaa-vbbb-`: changes only with the timestamp or the counter's hi part. */
  #prefix = '';

  /**
   * @throws {TypeError} when `after` is not a canonical lowercase UUIDv7.
   */
  constructor(options: UuidV7GeneratorOptions = {}) {
    this.#now = options.now ?? Date.now;
    // globalThis.crypto, not an import of node:crypto: Node loads it on first use, so importing
    // the package for validation alone does not pay for the crypto module.
    this.#random = options.random ?? ((bytes) => globalThis.crypto.getRandomValues(bytes));
    if (options.after !== undefined) {
      if (!isUuidV7(options.after)) throw new TypeError(`UuidV7Generator: after must be a canonical lowercase UUIDv7, got ${JSON.stringify(options.after)}`);
      const id = options.after;
      this.#last = uuidv7Timestamp(id);
      // The counter is rand_a (12 bits) and the 14 bits after the variant (hi), then 16 bits (lo).
      this.#hi = (Number.parseInt(id.slice(15, 18), 16) << 14) | (Number.parseInt(id.slice(19, 23), 16) & 0x3fff);
      this.#lo = Number.parseInt(id.slice(24, 28), 16);
      this.#setPrefix();
    }
  }

  /**
   * The next id: greater than every id this generator returned before.
   *
   * @throws {RangeError} when the clock returns something other than an integer in [0, 2^48), or
   *   when the 48-bit timestamp would overflow (in the year 10889).
   * @example
   * new UuidV7Generator().generate(); // '019ac5cf-3e21-7a9c-b5d0-7f3e2a1c9b46'
   */
  generate(): string {
    const now = this.#now();
    if (now > this.#last) {
      if (!Number.isSafeInteger(now) || now < 0 || now > MAX_TIMESTAMP) {
        throw new RangeError(`UuidV7Generator: the clock returned ${now}; expected integer milliseconds in [0, 2^48)`);
      }
      this.#last = now;
      this.#seed();
    } else if (!(now <= this.#last)) {
      throw new RangeError(`UuidV7Generator: the clock returned ${now}; expected integer milliseconds in [0, 2^48)`);
    } else if (this.#lo < LO_MAX) {
      this.#lo++;
    } else if (this.#hi < HI_MAX) {
      this.#lo = 0;
      this.#hi++;
      this.#setPrefix();
    } else {
      // 2^42 ids in one millisecond: borrow the next one (RFC 9562 section 6.2).
      if (this.#last === MAX_TIMESTAMP) throw new RangeError('UuidV7Generator: the 48-bit timestamp is exhausted');
      this.#last++;
      this.#seed();
    }
    if (this.#pos > POOL_BYTES - 4) this.#refill();
    const p = this.#pos * 2;
    this.#pos += 4;
    return this.#prefix + HEX[this.#lo >>> 8]! + HEX[this.#lo & 0xff]! + this.#poolHex.slice(p, p + 8);
  }

  /** A fresh random counter for a new millisecond, top bit clear (RFC 9562 section 6.2). */
  #seed(): void {
    if (this.#pos > POOL_BYTES - 6) this.#refill();
    const b = this.#pool;
    const i = this.#pos;
    this.#pos += 6;
    this.#hi = ((b[i]! & 0x01) << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
    this.#lo = (b[i + 4]! << 8) | b[i + 5]!;
    this.#setPrefix();
  }

  #setPrefix(): void {
    const ts = this.#last.toString(16).padStart(12, '0');
    const randA = this.#hi >>> 14;
    const variantAndCounter = 0x8000 | (this.#hi & 0x3fff);
    this.#prefix = `${ts.slice(0, 8)}-${ts.slice(8)}-7${randA.toString(16).padStart(3, '0')}-${variantAndCounter.toString(16)}-`;
  }

  #refill(): void {
    this.#random(this.#pool);
    this.#poolHex = this.#pool.toString('hex');
    this.#pos = 0;
  }
}

let defaultGenerator: UuidV7Generator | undefined;

/**
 * A new UUIDv7 (RFC 9562 section 5.7): time-ordered, crypto-random, and strictly increasing within
 * the process, even when the system clock goes backwards.
 *
 * @see {@link UuidV7Generator} for the bit layout and the monotonic counter.
 * @example
 * uuidv7(); // '019ac5cf-3e21-7a9c-b5d0-7f3e2a1c9b46'
 */
export function uuidv7(): string {
  defaultGenerator ??= new UuidV7Generator();
  return defaultGenerator.generate();
}

/**
 * Whether `value` is a UUIDv7 in canonical lowercase form: `8-4-4-4-12` hex digits, version nibble
 * 7, variant bits `10`. The same rule as `EventId` in schemas/envelope.schema.json.
 *
 * @example
 * isUuidV7('019ac5cf-3e21-7a9c-b5d0-7f3e2a1c9b46'); // true
 * isUuidV7('019AC5CF-3E21-7A9C-B5D0-7F3E2A1C9B46'); // false: uppercase
 * isUuidV7('9b2c4e1a-3f5d-4c6b-8a7e-1d2f3a4b5c6d'); // false: version 4
 */
export function isUuidV7(value: unknown): value is string {
  return typeof value === 'string' && UUID_V7.test(value);
}

/**
 * The Unix timestamp, in milliseconds, of a UUIDv7 (its first 48 bits).
 *
 * @throws {TypeError} when `id` is not a canonical lowercase UUIDv7.
 * @example
 * uuidv7Timestamp('019ac5cf-3e21-7a9c-b5d0-7f3e2a1c9b46'); // 1764255284769 (2025-11-27T14:54:44.769Z)
 * new Date(uuidv7Timestamp(uuidv7())).toISOString(); // now
 */
export function uuidv7Timestamp(id: string): number {
  if (!isUuidV7(id)) throw new TypeError(`uuidv7Timestamp: ${JSON.stringify(id)} is not a canonical lowercase UUIDv7`);
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
