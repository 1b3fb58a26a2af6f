import { EVENT_LIMITS } from '../generated/event-types.js';
import type { ValidationIssue } from './errors.js';

/**
 * The first `x-event-limits` bound that JSON text breaks, or `undefined`: its size in UTF-8 bytes,
 * its nesting depth, or the length of one number. Checked before parsing, with the very same rule
 * in every runtime (Python's `json` refuses what V8's `JSON.parse` takes: integers over 4,300
 * digits, nesting deeper than about 990 levels), so both give one verdict on every input.
 *
 * @param bytes the text's size in UTF-8 bytes when the caller has it (it read bytes).
 * @example
 * limitIssue('[[[1]]]'); // undefined
 * limitIssue('['.repeat(65)); // { keyword: 'maxDepth', message: 'is nested deeper than 64 levels (x-event-limits.maxDepth)', ... }
 */
export function limitIssue(text: string, bytes?: number): ValidationIssue | undefined {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: count the bytes only when the text could be too large.
  const size = bytes ?? (text.length * 3 <= EVENT_LIMITS.maxEventBytes ? 0 : utf8Length(text));
  if (size > EVENT_LIMITS.maxEventBytes) return issue('maxEventBytes', `is ${size} bytes, more than ${EVENT_LIMITS.maxEventBytes}`);
  let depth = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: jump to its closing quote (native indexOf; a quote after an odd run of
      // backslashes is escaped); its content is not structure.
      let end = text.indexOf('"', i + 1);
      while (end > 0 && escaped(text, end)) end = text.indexOf('"', end + 1);
      if (end < 0) break;
      i = end;
      run = 0;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > EVENT_LIMITS.maxDepth) return issue('maxDepth', `is nested deeper than ${EVENT_LIMITS.maxDepth} levels`);
      run = 0;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      run = 0;
    } else if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) {
      // Characters of a number (digits, sign, point, exponent).
      if (++run > EVENT_LIMITS.maxNumberLength) return issue('maxNumberLength', `has a number longer than ${EVENT_LIMITS.maxNumberLength} characters`);
    } else {
      run = 0;
    }
  }
  return undefined;
}

/** Whether the quote at `at` is escaped: an odd number of backslashes right before it. */
function escaped(text: string, at: number): boolean {
  let n = 0;
  while (at - n - 1 >= 0 && text.charCodeAt(at - n - 1) === 0x5c) n++;
  return n % 2 === 1;
}

function issue(keyword: keyof typeof EVENT_LIMITS, message: string): ValidationIssue {
  return { instancePath: '', schemaPath: `#/x-event-limits/${keyword}`, keyword, params: { limit: EVENT_LIMITS[keyword] }, message: `${message} (x-event-limits.${keyword})` };
}

function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
