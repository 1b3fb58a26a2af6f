import type { ValidateFunction } from 'ajv';
import { MODES, type Mode } from '../contract/schema-modes.js';
import { issueMessage, type PatternHint } from '../../../src/issue-message.js';

/** What one mode's schemas would make of a sample of a stream's entries. */
export interface ModeConformance {
  readonly mode: Mode;
  readonly total: number;
  readonly rejected: number;
  /** The first rejections, each with the entry id and why. */
  readonly reasons: readonly { readonly id: string; readonly reason: string }[];
}

/**
 * Judges stream entries (their id and the envelope field's text) with the validators of
 * {@link validatorsOf}, in each mode: how many the schemas would reject, and the first `shown`
 * reasons. An entry that is not JSON, or holds another type's event, is a rejection in both modes.
 * Pure: the caller reads the entries.
 *
 * @example
 * streamConformance(entries, 'payment.completed', validatorsOf(contract, 'payment.completed'), hints);
 */
export function streamConformance(
  entries: readonly { readonly id: string; readonly text: string | undefined }[],
  eventType: string,
  validate: ReadonlyMap<string, ValidateFunction>,
  hints: ReadonlyMap<string, PatternHint>,
  shown = 5,
): ModeConformance[] {
  return MODES.map((mode) => {
    const reasons: { id: string; reason: string }[] = [];
    let rejected = 0;
    for (const { id, text } of entries) {
      const reason = judge(text, mode, eventType, validate, hints);
      if (reason === undefined) continue;
      rejected++;
      if (reasons.length < shown) reasons.push({ id, reason });
    }
    return { mode, total: entries.length, rejected, reasons };
  });
}

function judge(text: string | undefined, mode: Mode, eventType: string, validate: ReadonlyMap<string, ValidateFunction>, hints: ReadonlyMap<string, PatternHint>): string | undefined {
  if (text === undefined) return 'no envelope field';
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  const found = typeof event === 'object' && event !== null ? (event as Record<string, unknown>)['eventType'] : undefined;
  if (found !== eventType) return `eventType ${JSON.stringify(found)} on the stream of ${eventType}`;
  const envelope = validate.get(`${mode}:envelope`)!;
  const payload = validate.get(`${mode}:${eventType}`)!;
  const problems: string[] = [];
  if (!envelope(event)) problems.push(...(envelope.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${issueMessage(e, hints)} (${e.keyword})`));
  const body = (event as Record<string, unknown>)['payload'];
  if (typeof body === 'object' && body !== null && !payload(body)) problems.push(...(payload.errors ?? []).map((e) => `/payload${e.instancePath} ${issueMessage(e, hints)} (${e.keyword})`));
  return problems.length > 0 ? problems.join('; ') : undefined;
}
