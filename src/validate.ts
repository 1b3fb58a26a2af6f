import { envelopeValidators, patternHints, type ByMode, type CompiledValidator } from '../generated/validators.js';
import { payloadValidators } from '../generated/payload-validators.cjs';
import { EVENT_LIFECYCLE, EVENT_LIMITS, EVENT_TYPES, type EventType, type KnownEvent } from './event-types.js';
import type { EventEnvelope } from './envelope.js';
import { EventValidationError, type ValidationIssue } from './errors.js';
import { issueMessage } from './issue-message.js';
import { limitIssue } from './event-limits.js';

/**
 * How strictly to validate.
 *
 * - `producer`: closed. Unknown event types and unknown fields anywhere (envelope or payload)
 *   are rejected. Producers use it, so nothing leaves a service that a consumer cannot read.
 * - `consumer` (the default): a tolerant reader. A valid envelope with a well-formed but unknown
 *   `eventType` is accepted with `known: false` and its payload unchecked (it must still be an
 *   object); unknown fields in the envelope or a known payload are ignored; every declared field
 *   is still checked. This is what lets a new event type or a new optional field be
 *   dual-published for a sprint before consumers upgrade.
 *
 * @example
 * validateEnvelope(input, { mode: 'producer' });
 */
export type ValidationMode = 'producer' | 'consumer';

/**
 * Options of {@link validateEnvelope}, {@link parseEnvelope} and {@link safeParseEnvelope}.
 *
 * @example
 * const options: ValidateOptions = { mode: 'producer' };
 */
export interface ValidateOptions {
  /** Default `'consumer'`. */
  readonly mode?: ValidationMode;
  /**
   * `'contract'` (the default): each type's `x-lifecycle` applies; in consumer mode a `draft` or
   * `dual-publish` type whose payload fails its schema is accepted as `known: false` with the
   * problems in `warnings`. `'enforce-all'`: every known type is held to its schema, as if enforced.
   */
  readonly lifecycle?: 'contract' | 'enforce-all';
}

/**
 * The outcome of a validation. Never an exception: check `ok`, then `known`.
 *
 * @example
 * const result = validateEnvelope(input);
 * if (!result.ok) console.error(result.errors);
 * else if (result.known) handle(result.event); // KnownEvent, narrowed by eventType
 * else skip(result.event); // EventEnvelope<Record<string, unknown>>, payload unchecked
 */
export type ValidationResult =
  | { readonly ok: true; readonly known: true; readonly event: KnownEvent; readonly warnings: readonly ValidationIssue[] }
  | { readonly ok: true; readonly known: false; readonly event: EventEnvelope<Record<string, unknown>>; readonly warnings: readonly ValidationIssue[] }
  | { readonly ok: false; readonly errors: readonly ValidationIssue[] };

/**
 * Validates an already-parsed event (for example the result of `JSON.parse`) against the
 * envelope schema and, for a known event type, its payload schema. Never throws, whatever the
 * input: every problem is returned as data.
 *
 * The input is returned as `event` as it is (not copied); on success its type is narrowed.
 *
 * @see {@link ValidationMode} for what each mode accepts.
 * @example
 * const result = validateEnvelope(JSON.parse(text), { mode: 'consumer' });
 * if (result.ok && result.known && result.event.eventType === 'payment.completed') {
 *   result.event.payload.amount; // number
 * }
 * // Invalid: { ok: false, errors: [{ instancePath: '/payload/amount', keyword: 'minimum',
 * //   message: 'must be >= 1', schemaPath: '#/properties/amount/minimum', params: {...} }] }
 */
export function validateEnvelope(input: unknown, options: ValidateOptions = {}): ValidationResult {
  try {
    const mode = options?.mode ?? 'consumer';
    if (mode !== 'producer' && mode !== 'consumer') return fail([badMode(mode)]);
    const envelope = envelopeValidators[mode];
    const envelopeOk = envelope(input);
    const errors = envelopeOk ? [] : issuesOf(envelope, '');
    const eventType = isRecord(input) ? input['eventType'] : undefined;
    const payload = typeof eventType === 'string' ? payloadValidatorOf(eventType, mode) : undefined;
    if (payload === undefined) {
      if (mode === 'producer' && typeof eventType === 'string' && !errors.some((e) => e.instancePath === '/eventType')) {
        errors.push(unknownEventType(eventType));
      }
      if (errors.length > 0) return fail(errors);
      return { ok: true, known: false, event: input as EventEnvelope<Record<string, unknown>>, warnings: NONE };
    }
    // A known type: the shared envelope check above, then the type's payload validator.
    const body = (input as Record<string, unknown>)['payload'];
    const payloadOk = !isRecord(body) || payload(body); // not an object: the envelope has said so
    if (envelopeOk && payloadOk) return { ok: true, known: true, event: input as KnownEvent, warnings: NONE };
    const payloadErrors = payloadOk ? [] : issuesOf(payload, '/payload');
    // Not enforced yet (x-lifecycle): a consumer takes the envelope, the payload's problems are warnings.
    if (envelopeOk && mode === 'consumer' && options?.lifecycle !== 'enforce-all' && TOLERATED.has(EVENT_LIFECYCLE[eventType as EventType])) {
      return { ok: true, known: false, event: input as EventEnvelope<Record<string, unknown>>, warnings: payloadErrors };
    }
    return fail([...errors, ...payloadErrors]);
  } catch (e) {
    // Only hostile inputs get here (a getter or Proxy that throws): report, never rethrow.
    return fail([{ instancePath: '', schemaPath: '', keyword: 'exception', params: {}, message: `could not be read: ${describe(e)}` }]);
  }
}

/**
 * Parses JSON text (a string, or UTF-8 bytes as a Buffer or Uint8Array) and validates it, without
 * throwing: bad UTF-8 and bad JSON are reported as errors with keyword `encoding` and `json`; text
 * over a bound of `x-event-limits` (size, nesting depth, length of a number) with keyword
 * `maxEventBytes`, `maxDepth` or `maxNumberLength`, before it is parsed.
 *
 * @example
 * const result = safeParseEnvelope(redisEntry.envelope, { mode: 'consumer' });
 * if (!result.ok) deadLetter(result.errors);
 */
export function safeParseEnvelope(raw: string | Uint8Array, options: ValidateOptions = {}): ValidationResult {
  let text: string;
  let bytes: number | undefined;
  if (typeof raw === 'string') {
    text = raw;
  } else if (raw instanceof Uint8Array) {
    bytes = raw.length;
    if (bytes > EVENT_LIMITS.maxEventBytes) return fail([limitIssue('', bytes)!]);
    try {
      utf8 ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
      text = utf8.decode(raw);
    } catch {
      return fail([{ instancePath: '', schemaPath: '', keyword: 'encoding', params: {}, message: 'is not valid UTF-8' }]);
    }
  } else {
    return fail([{ instancePath: '', schemaPath: '', keyword: 'type', params: { type: 'string' }, message: `must be a string, Buffer or Uint8Array, got ${describeType(raw)}` }]);
  }
  const over = limitIssue(text, bytes);
  if (over) return fail([over]);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return fail([{ instancePath: '', schemaPath: '', keyword: 'json', params: {}, message: `is not valid JSON: ${describe(e)}` }]);
  }
  return validateEnvelope(data, options);
}

/**
 * Parses and validates JSON text (a string, or UTF-8 bytes), returning the typed event.
 *
 * @throws {EventValidationError} carrying every problem, the same list {@link safeParseEnvelope} returns.
 * @example
 * const event = parseEnvelope(fields.envelope); // KnownEvent | EventEnvelope<Record<string, unknown>>
 */
export function parseEnvelope(raw: string | Uint8Array, options: ValidateOptions = {}): KnownEvent | EventEnvelope<Record<string, unknown>> {
  const result = safeParseEnvelope(raw, options);
  if (!result.ok) throw new EventValidationError(result.errors);
  return result.event;
}

// `fatal` makes bad bytes an error instead of silent U+FFFD replacement: nothing is lost unseen.
// Created on first use, so that importing the package stays cheap.
let utf8: InstanceType<typeof TextDecoder> | undefined;

const fail = (errors: ValidationIssue[]): ValidationResult => ({ ok: false, errors });
const NONE: readonly ValidationIssue[] = Object.freeze([]);
/** Lifecycle states in which consumers do not hard-fail on a payload. */
const TOLERATED: ReadonlySet<string> = new Set(['draft', 'dual-publish']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The payload validator of a known event type in one mode, or undefined for a type the contract
 * does not know. Each type's module is loaded on first use (a synchronous require), so a process
 * pays only for the types it meets.
 */
function payloadValidatorOf(eventType: string, mode: ValidationMode): CompiledValidator | undefined {
  let loaded = loadedPayloadValidators.get(eventType);
  if (loaded === undefined) {
    const load = payloadValidators[eventType];
    if (load === undefined) return undefined;
    loaded = load();
    loadedPayloadValidators.set(eventType, loaded);
  }
  return loaded[mode];
}
const loadedPayloadValidators = new Map<string, ByMode>();

function issuesOf(validator: CompiledValidator, at: string): ValidationIssue[] {
  return (validator.errors ?? []).map((e) => ({
    instancePath: at + e.instancePath,
    schemaPath: e.schemaPath,
    keyword: e.keyword,
    params: e.params,
    message: issueMessage(e, patternHints),
  }));
}

function unknownEventType(eventType: string): ValidationIssue {
  return {
    instancePath: '/eventType',
    schemaPath: '#/properties/eventType/enum',
    keyword: 'enum',
    params: { allowedValues: [...EVENT_TYPES] },
    message: `is "${eventType}", which is not in the contract (EVENT_TYPES lists the ${EVENT_TYPES.length} it knows); producers may only send known types: add it to asyncapi.yaml first`,
  };
}

function badMode(mode: unknown): ValidationIssue {
  return { instancePath: '', schemaPath: '', keyword: 'mode', params: { mode }, message: `mode must be "producer" or "consumer", got ${JSON.stringify(mode)}` };
}

function describe(e: unknown): string {
  try {
    return e instanceof Error ? e.message : String(e);
  } catch {
    return 'an exception that cannot be printed';
  }
}

function describeType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}
