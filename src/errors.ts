/**
 * One validation problem, as data. The same shape as ajv's `ErrorObject`, so tools that know ajv
 * read it, and the same fields as the Python package's errors.
 *
 * @example
 * const issue: ValidationIssue = {
 *   instancePath: '/payload/amount',
 *   schemaPath: '#/properties/amount/minimum',
 *   keyword: 'minimum',
 *   params: { comparison: '>=', limit: 1 },
 *   message: 'must be >= 1',
 * };
 */
export interface ValidationIssue {
  /** JSON pointer (RFC 6901) to the offending value in the input; `''` is the whole input. */
  readonly instancePath: string;
  /** Where the failed rule is, relative to the schema that holds it (`#/...`, or `file#/...`). */
  readonly schemaPath: string;
  /** The failed JSON Schema keyword (`required`, `pattern`, ...), or `json` / `encoding` for unreadable input. */
  readonly keyword: string;
  /** The keyword's parameters, e.g. `{ missingProperty: 'eventId' }`. */
  readonly params: Readonly<Record<string, unknown>>;
  /** A human-readable message, derived from the data. */
  readonly message: string;
}

/**
 * Thrown by `createEnvelope` and `parseEnvelope` when an event is invalid. Carries the same
 * {@link ValidationIssue}s that `validateEnvelope` returns, so nothing is lost by throwing.
 *
 * @example
 * try {
 *   parseEnvelope('{}');
 * } catch (e) {
 *   if (e instanceof EventValidationError) console.log(e.errors[0]?.instancePath);
 * }
 */
export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';
  /** Every problem found, in the order the validator found them. */
  readonly errors: readonly ValidationIssue[];

  constructor(errors: readonly ValidationIssue[], options?: { cause?: unknown }) {
    super(summarize(errors), options);
    this.errors = errors;
  }
}

const SHOWN = 5;

/** `invalid event: /payload/amount must be >= 1; (root) must have required property 'eventId'`. */
function summarize(errors: readonly ValidationIssue[]): string {
  const parts = errors.slice(0, SHOWN).map((e) => `${e.instancePath || '(root)'} ${e.message}`);
  const more = errors.length > SHOWN ? `; and ${errors.length - SHOWN} more` : '';
  return `invalid event: ${parts.join('; ')}${more}`;
}

/**
 * Thrown by `publishEvent` and `publishEvents` when Redis refused the write or did not answer (it
 * is down, restarting, or the connection was lost). Says what happened and what to do; the Redis
 * client's error is the `cause`. A timeout cannot tell whether the write landed: retrying with
 * the same events is safe, since consumers handle an eventId once.
 *
 * @example
 * try { await publishEvent(redis, event); } catch (e) { if (e instanceof PublishError) retryLater(event); }
 */
export class PublishError extends Error {
  override readonly name = 'PublishError';
  /** The streams written to. */
  readonly streams: readonly string[];

  constructor({ cause, streams, count }: { cause: unknown; streams: readonly string[]; count: number }) {
    const what = cause instanceof Error ? `${cause.name}${cause.message ? `: ${cause.message}` : ' (no message)'}` : String(cause);
    const answered = cause instanceof Error && /^[A-Z]+ /.test(cause.message) && !/timeout/i.test(cause.name);
    super(
      `could not publish ${count} event(s) to ${streams.join(', ')}: ${what}. ` +
        (answered ? 'Redis refused the write; fix what it says' : 'Redis did not answer (is it running and reachable?)') +
        (answered && count === 1
          ? ', then publish the event again: it was not appended.'
          : `, then publish the same ${count > 1 ? 'events' : 'event'} again: ${count > 1 ? 'some' : 'it'} may have been appended, and consumers skip a repeated eventId.`),
      { cause },
    );
    this.streams = streams;
  }
}
