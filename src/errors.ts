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
