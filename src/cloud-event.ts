import type { EventEnvelope } from './envelope.js';
import { EventValidationError, type ValidationIssue } from './errors.js';
import { EVENT_PAYLOAD_SCHEMA_IDS, isEventType, type KnownEvent } from './event-types.js';
import { validateEnvelope, type ValidateOptions, type ValidationResult } from './validate.js';

/** A CloudEvent's `source` is this prefix and the envelope's `producer`: an absolute URI (CloudEvents 1.0, section 3.1.1 recommends one). */
export const CLOUD_EVENT_SOURCE_PREFIX = 'urn:goodgo:producer:';

/**
 * An event as a CloudEvents 1.0 event in the structured JSON format
 * (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md). The trace id
 * and the envelope's schema version travel as extension attributes, named as the spec's naming rules
 * allow (lowercase letters and digits, at most 20 characters: section 3.1.1).
 */
export interface GoodGoCloudEvent {
  readonly specversion: '1.0';
  /** The envelope's `eventId`. */
  readonly id: string;
  /** `urn:goodgo:producer:<producer>`. */
  readonly source: string;
  /** The envelope's `eventType`. */
  readonly type: string;
  /** The envelope's `occurredAt`, as written. */
  readonly time: string;
  readonly datacontenttype: 'application/json';
  /** The `$id` of the type's payload schema (`schemas/<eventType>.schema.json`); absent for a type the contract does not know. */
  readonly dataschema?: string;
  /** The envelope's `traceId` (zeros: no trace). Not the Distributed Tracing extension's `traceparent`, which needs a parent span id the envelope does not carry. */
  readonly traceid: string;
  /** The envelope's `schemaVersion`. */
  readonly schemaversion: number;
  /**
   * The envelope's fields that the contract does not define (a tolerant consumer keeps them), as a
   * JSON object in a string: an extension attribute's value is a string, number or boolean, and
   * their names need not be valid attribute names. Absent when there are none.
   */
  readonly envelopeextra?: string;
  /** The envelope's `payload`. */
  readonly data: Record<string, unknown>;
}

// Envelope field -> CloudEvents attribute, so that an error names what the caller sent.
// A Map: an event may have a field named __proto__, which a plain object's lookup would find.
const ATTRIBUTE: ReadonlyMap<string, string> = new Map([['eventId', 'id'], ['eventType', 'type'], ['occurredAt', 'time'], ['producer', 'source'], ['traceId', 'traceid'], ['schemaVersion', 'schemaversion'], ['payload', 'data']]);
const OWN = new Set(['specversion', 'id', 'source', 'type', 'time', 'datacontenttype', 'dataschema', 'traceid', 'schemaversion', 'envelopeextra', 'data']);
const JSON_CONTENT = /^application\/json(?:\s*;.*)?$/i;

/**
 * The event as a CloudEvent (structured JSON format): `id`, `source`, `type`, `time`, `data` from the
 * envelope, `dataschema` pointing at the payload schema, and the trace id and schema version as the
 * extension attributes `traceid` and `schemaversion`, and the envelope's fields the contract does
 * not define (which consumers keep) as JSON in `envelopeextra`. Lossless: {@link fromCloudEvent}
 * gives the event back exactly. The event is validated first (consumer mode: an event of a type this
 * package does not know converts too, without `dataschema`).
 *
 * @throws {EventValidationError} when `event` is not a valid event.
 * @example
 * const ce = toCloudEvent(event);
 * // { specversion: '1.0', id: '019abc3e-...', source: 'urn:goodgo:producer:payments-service',
 * //   type: 'payment.completed', time: '2026-11-27T14:03:21.123Z', datacontenttype: 'application/json',
 * //   dataschema: 'https://schemas.goodgo.dev/contracts-events/payment.completed.schema.json',
 * //   traceid: '4bf92f3577b34da6a3ce929d0e0e4736', schemaversion: 1, data: { ... } }
 */
export function toCloudEvent(event: EventEnvelope<unknown>): GoodGoCloudEvent {
  const result = validateEnvelope(event, { mode: 'consumer', lifecycle: 'contract' });
  if (!result.ok) throw new EventValidationError(result.errors);
  const e = result.event;
  const extra = Object.keys(e).filter((k) => !ATTRIBUTE.has(k));
  return {
    specversion: '1.0',
    id: e.eventId,
    source: `${CLOUD_EVENT_SOURCE_PREFIX}${e.producer}`,
    type: e.eventType,
    time: e.occurredAt,
    datacontenttype: 'application/json',
    ...(isEventType(e.eventType) ? { dataschema: EVENT_PAYLOAD_SCHEMA_IDS[e.eventType] } : {}),
    traceid: e.traceId,
    schemaversion: e.schemaVersion,
    ...(extra.length > 0 ? { envelopeextra: JSON.stringify(Object.fromEntries(extra.map((k) => [k, (e as unknown as Record<string, unknown>)[k]]))) } : {}),
    data: e.payload as Record<string, unknown>,
  };
}

/**
 * The event a CloudEvent carries (structured JSON format, parsed), validated as
 * {@link validateEnvelope} validates (consumer mode by default). Never throws: every problem is
 * returned as data, its `instancePath` naming the CloudEvent's attribute (`/data/amount`, `/time`).
 * Besides the envelope's rules: `specversion` 1.0, JSON data (no `data_base64`), a `source` made by
 * {@link toCloudEvent}, a `dataschema` (when present) that is the type's payload schema, and in
 * producer mode no attribute the envelope has no place for.
 *
 * @example
 * const result = safeFromCloudEvent(JSON.parse(body));
 * if (result.ok && result.known) handle(result.event);
 * else if (!result.ok) console.error(result.errors); // [{ instancePath: '/time', ... }]
 */
export function safeFromCloudEvent(ce: unknown, options: ValidateOptions = {}): ValidationResult {
  try {
    if (typeof ce !== 'object' || ce === null || Array.isArray(ce)) return failed([issue('', 'type', { type: 'object' }, 'must be a CloudEvent: a JSON object (structured JSON format)')]);
    const attrs = ce as Record<string, unknown>;
    const errors: ValidationIssue[] = [];
    if (attrs['specversion'] !== '1.0') errors.push(issue('/specversion', 'const', { allowedValue: '1.0' }, `must be "1.0" (CloudEvents 1.0), not ${show(attrs['specversion'])}`));
    const contentType = attrs['datacontenttype'];
    if (contentType !== undefined && (typeof contentType !== 'string' || !JSON_CONTENT.test(contentType))) errors.push(issue('/datacontenttype', 'const', { allowedValue: 'application/json' }, `must be application/json, not ${show(contentType)}: the data is the event's JSON payload`));
    if ('data_base64' in attrs) errors.push(issue('/data_base64', 'additionalProperties', { additionalProperty: 'data_base64' }, 'binary data is not an event payload: send the payload as JSON in data'));
    const source = attrs['source'];
    if (source !== undefined && (typeof source !== 'string' || !source.startsWith(CLOUD_EVENT_SOURCE_PREFIX))) errors.push(issue('/source', 'pattern', { pattern: `^${CLOUD_EVENT_SOURCE_PREFIX}` }, `must be ${CLOUD_EVENT_SOURCE_PREFIX}<producer>, not ${show(source)}`));
    const type = attrs['type'];
    const schema = attrs['dataschema'];
    if (schema !== undefined && typeof type === 'string' && isEventType(type) && schema !== EVENT_PAYLOAD_SCHEMA_IDS[type]) errors.push(issue('/dataschema', 'const', { allowedValue: EVENT_PAYLOAD_SCHEMA_IDS[type] }, `must be the payload schema of ${type}, ${EVENT_PAYLOAD_SCHEMA_IDS[type]}, not ${show(schema)}`));
    if ((options.mode ?? 'consumer') === 'producer') {
      for (const name of Object.keys(attrs)) if (!OWN.has(name) && name !== 'data_base64') errors.push(issue(`/${name}`, 'additionalProperties', { additionalProperty: name }, 'is an attribute the envelope has no place for (producer mode)'));
    }
    const envelope: Record<string, unknown> = {};
    const put = (field: string, value: unknown): void => {
      if (value !== undefined) envelope[field] = value;
    };
    put('schemaVersion', attrs['schemaversion']);
    put('eventId', attrs['id']);
    put('eventType', type);
    put('occurredAt', attrs['time']);
    put('producer', typeof source === 'string' && source.startsWith(CLOUD_EVENT_SOURCE_PREFIX) ? source.slice(CLOUD_EVENT_SOURCE_PREFIX.length) : source === undefined ? undefined : '');
    put('traceId', attrs['traceid']);
    put('payload', attrs['data']);
    const extra = extraFields(attrs['envelopeextra'], errors);
    // defineProperty, not assignment: a field named __proto__ stays an ordinary field.
    for (const [k, v] of Object.entries(extra)) {
      if (ATTRIBUTE.has(k)) errors.push(issue('/envelopeextra', 'additionalProperties', { additionalProperty: k }, `holds ${k}, an envelope field that travels as the attribute ${ATTRIBUTE.get(k)!}`));
      else Object.defineProperty(envelope, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    const result = validateEnvelope(envelope, options);
    // A source already reported above is not reported again as the producer it did not give.
    const mapped = (issues: readonly ValidationIssue[]): ValidationIssue[] => issues.map(toAttribute).filter((i) => !(i.instancePath === '/source' && errors.some((e) => e.instancePath === '/source')));
    if (!result.ok) return failed([...errors, ...mapped(result.errors)]);
    if (errors.length > 0) return failed(errors);
    return { ...result, warnings: mapped(result.warnings) } as ValidationResult;
  } catch (e) {
    return failed([issue('', 'exception', {}, `could not be read: ${e instanceof Error ? e.message : String(e)}`)]);
  }
}

/**
 * {@link safeFromCloudEvent}, returning the event or throwing.
 *
 * @throws {EventValidationError} with every problem, each naming the CloudEvent's attribute.
 * @example
 * const event = fromCloudEvent(JSON.parse(body)); // KnownEvent | EventEnvelope<Record<string, unknown>>
 */
export function fromCloudEvent(ce: unknown, options: ValidateOptions = {}): KnownEvent | EventEnvelope<Record<string, unknown>> {
  const result = safeFromCloudEvent(ce, options);
  if (!result.ok) throw new EventValidationError(result.errors);
  return result.event;
}

/** The envelope fields carried in `envelopeextra`: a JSON object in a string. */
function extraFields(value: unknown, errors: ValidationIssue[]): Record<string, unknown> {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = typeof value === 'string' ? JSON.parse(value) : undefined;
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  errors.push(issue('/envelopeextra', 'type', { type: 'string' }, 'must be a JSON object in a string: the envelope fields the contract does not define'));
  return {};
}

function toAttribute(i: ValidationIssue): ValidationIssue {
  const [, field = '', ...rest] = i.instancePath.split('/');
  const missing = i.keyword === 'required' && i.instancePath === '' ? String(i.params['missingProperty']) : undefined;
  const attribute = missing === undefined ? undefined : ATTRIBUTE.get(missing);
  if (attribute !== undefined) return { ...i, params: { missingProperty: attribute }, message: `must have required attribute '${attribute}'` };
  const at = ATTRIBUTE.get(field);
  return at === undefined ? i : { ...i, instancePath: ['', at, ...rest].join('/') };
}

const issue = (instancePath: string, keyword: string, params: Record<string, unknown>, message: string): ValidationIssue => ({ instancePath, schemaPath: '', keyword, params, message });
const failed = (errors: ValidationIssue[]): ValidationResult => ({ ok: false, errors });
const show = (v: unknown): string => (v === undefined ? 'missing' : JSON.stringify(v) ?? String(v));
