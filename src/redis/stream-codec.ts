import { STREAM_ENTRY_FIELD } from '../../generated/event-types.js';
import type { EventEnvelope } from '../envelope.js';
import { safeParseEnvelope, type ValidateOptions, type ValidationResult } from '../validate.js';

/**
 * A stream entry's fields: a record (node-redis) or a flat `[field, value, ...]` list (raw RESP).
 *
 * @example
 * const fields: StreamFields = { envelope: '{"schemaVersion":1,...}' };
 */
export type StreamFields = Readonly<Record<string, string | Uint8Array>> | readonly (string | Uint8Array)[];

/**
 * The fields of the stream entry that carries an event: the envelope as UTF-8 JSON in the field
 * `envelope` (`x-redis-streams` in asyncapi.yaml). Pure: no Redis needed.
 *
 * @example
 * toStreamFields(event); // { envelope: '{"schemaVersion":1,...}' }
 */
export function toStreamFields(envelope: EventEnvelope): { readonly envelope: string } {
  return { [STREAM_ENTRY_FIELD]: JSON.stringify(envelope) } as { readonly envelope: string };
}

/**
 * Decodes and validates the event in a stream entry's fields (consumer mode by default). Other
 * fields are ignored; a missing `envelope` field is an error with keyword `required`. Never throws.
 *
 * @example
 * const result = fromStreamFields(message.message);
 * if (result.ok && result.known) handle(result.event);
 */
export function fromStreamFields(fields: StreamFields, options: ValidateOptions = {}): ValidationResult {
  let raw: string | Uint8Array | undefined;
  if (Array.isArray(fields)) {
    // The first field of that name, as Python reads it; names compared as bytes, without decoding.
    for (let i = 0; i + 1 < fields.length && raw === undefined; i += 2) {
      const name = fields[i]!;
      if (typeof name === 'string' ? name === STREAM_ENTRY_FIELD : sameBytes(name, FIELD_BYTES)) raw = fields[i + 1];
    }
  } else {
    raw = (fields as Readonly<Record<string, string | Uint8Array>>)[STREAM_ENTRY_FIELD];
  }
  if (raw === undefined) {
    return { ok: false, errors: [{ instancePath: '', schemaPath: '', keyword: 'required', params: { missingProperty: STREAM_ENTRY_FIELD }, message: `the stream entry has no "${STREAM_ENTRY_FIELD}" field` }] };
  }
  return safeParseEnvelope(raw, options);
}

const FIELD_BYTES = new TextEncoder().encode(STREAM_ENTRY_FIELD);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
