import type { Readable } from 'node:stream';
import { EVENT_LIMITS } from '../generated/event-types.js';

/**
 * One event's JSON as read (UTF-8 bytes of an NDJSON line, or the text of an array element or a
 * document) and the line it starts on (1-based). `oversize` is set, and `text` empty, when the
 * event was larger than the bound: its bytes were skipped, not kept.
 *
 * @example
 * const e: EventText = { line: 3, text: '{"schemaVersion":1,...}' };
 */
export interface EventText {
  readonly line: number;
  readonly text: string | Uint8Array;
  readonly oversize?: number;
}

/**
 * Why input could not be read as events at all (not one bad event: that is a validation error).
 *
 * @example
 * try { for await (const e of readEvents(stream)) {} } catch (e) { if (e instanceof UnusableInputError) ... }
 */
export class UnusableInputError extends Error {
  override readonly name = 'UnusableInputError';
  /** The line where reading failed. */
  readonly line: number;

  constructor(message: string, line: number) {
    super(message);
    this.line = line;
  }
}

/**
 * Options of {@link readEvents}.
 *
 * @example
 * readEvents(process.stdin, { maxEventBytes: 65536 });
 */
export interface ReadEventsOptions {
  /** Lines longer than this are reported as oversize, not buffered. Default `x-event-limits.maxEventBytes`. */
  readonly maxEventBytes?: number;
}

const BOM = [0xef, 0xbb, 0xbf];
const isSpace = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/**
 * Reads events from a stream of JSON bytes, streaming, so memory stays flat however large the
 * input: NDJSON (one event per line; a line that is not JSON or not UTF-8 is still yielded, for the
 * validator to report; a line over `maxEventBytes` is skipped and reported as oversize), a JSON
 * array (split element by element as the bytes arrive), or one pretty-printed JSON document (its
 * first line is a lone `{`). A UTF-8 byte-order mark at the start is skipped, as the library does.
 *
 * @throws {UnusableInputError} when the input is not JSON at all, an array is truncated, or an array
 *   or a document is not UTF-8.
 * @example
 * for await (const { line, text } of readEvents(process.stdin)) console.log(line, text.length);
 */
export async function* readEvents(input: Readable, options: ReadEventsOptions = {}): AsyncGenerator<EventText> {
  const max = options.maxEventBytes ?? EVENT_LIMITS.maxEventBytes;
  const chunks = (async function* (): AsyncGenerator<Buffer> {
    let first = true;
    for await (const chunk of input as AsyncIterable<Buffer | string>) {
      let bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      if (first && bytes.length >= 3 && BOM.every((b, i) => bytes[i] === b)) bytes = bytes.subarray(3);
      first = false;
      if (bytes.length > 0) yield bytes;
    }
  })();
  // Peek at the first non-blank byte to choose the format, then put the bytes back.
  // (next() by hand: leaving a for-await loop early would close the generator.)
  const head: Buffer[] = [];
  let firstByte: number | undefined;
  while (firstByte === undefined) {
    const next = await chunks.next();
    if (next.done) return;
    head.push(next.value);
    const at = next.value.findIndex((b) => !isSpace(b));
    if (at >= 0) firstByte = next.value[at];
  }
  const rest = (async function* (): AsyncGenerator<Buffer> {
    yield* head;
    yield* chunks;
  })();
  if (firstByte === 0x5b) {
    yield* splitArray(decoded(rest));
    return;
  }
  if (firstByte !== 0x7b) throw new UnusableInputError(`not JSON: the input starts with ${JSON.stringify(String.fromCharCode(firstByte))}, not { or [`, 1);
  yield* splitLines(rest, max);
}

/** Strict UTF-8 text of the chunks: an array or a document that is not UTF-8 is unusable. */
async function* decoded(chunks: AsyncGenerator<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  try {
    for await (const chunk of chunks) {
      yield decoder.decode(chunk, { stream: true });
      offset += chunk.length;
    }
    yield decoder.decode();
  } catch (e) {
    if (e instanceof UnusableInputError) throw e;
    throw new UnusableInputError(`not UTF-8 (near byte ${offset})`, 1);
  }
}

/** NDJSON lines as bytes, split on \n (a trailing \r dropped); or one document when line 1 is a lone `{`. */
async function* splitLines(chunks: AsyncGenerator<Buffer>, max: number): AsyncGenerator<EventText> {
  let lineNo = 1;
  let parts: Buffer[] = [];
  let size = 0;
  let oversize = false;
  let decided = false;
  let document: Buffer[] | undefined;
  const finish = function* (): Generator<EventText> {
    let line = Buffer.concat(parts, Math.min(size, max + 1));
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    const blank = line.every(isSpace);
    if (oversize) yield { line: lineNo, text: '', oversize: size };
    else if (!blank) yield { line: lineNo, text: line };
    parts = [];
    size = 0;
    oversize = false;
  };
  for await (const chunk of chunks) {
    if (document) {
      document.push(chunk);
      continue;
    }
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0 || start < chunk.length; nl = chunk.indexOf(0x0a, start)) {
      const end = nl >= 0 ? nl : chunk.length;
      size += end - start;
      if (size > max) oversize = true;
      else parts.push(chunk.subarray(start, end));
      if (nl < 0) break;
      if (!decided && !parts.every((p) => p.every(isSpace))) {
        decided = true;
        // A pretty-printed document (JSON.stringify(e, null, 2), jq) opens with a lone "{" line.
        if (Buffer.concat(parts).toString('utf8').trim() === '{') {
          document = [...parts, Buffer.from('\n'), chunk.subarray(nl + 1)];
          break;
        }
      }
      yield* finish();
      lineNo++;
      start = nl + 1;
    }
  }
  if (document) {
    const text = await (async () => {
      let out = '';
      for await (const t of decoded((async function* () { yield* document!; })())) out += t;
      return out;
    })();
    yield { line: lineNo, text };
    return;
  }
  yield* finish();
}

/** The elements of a top-level JSON array, split on the fly by tracking strings and depth. */
async function* splitArray(chunks: AsyncGenerator<string>): AsyncGenerator<EventText> {
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let closed = false;
  let element: string[] = [];
  let elementLine = 0;
  let inElement = false;
  for await (const chunk of chunks) {
    // An element that began in an earlier chunk continues from this chunk's first character.
    let start = inElement ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c === '\n') line++;
      if (closed) {
        if (!/\s/.test(c)) throw new UnusableInputError(`not JSON: text after the closing ] of the array`, line);
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') {
        inString = true;
      } else if (c === '[' || c === '{') {
        depth++;
        if (depth === 2 && start < 0) {
          start = i;
          elementLine = line;
          inElement = true;
        }
        continue;
      } else if (c === ']' || c === '}') {
        depth--;
        if (depth === 0) {
          if (start >= 0) element.push(chunk.slice(start, i));
          if (element.join('').trim()) yield { line: elementLine, text: element.join('').trim() };
          element = [];
          start = -1;
          inElement = false;
          closed = true;
        }
        continue;
      } else if (c === ',' && depth === 1) {
        if (start >= 0) element.push(chunk.slice(start, i));
        yield { line: elementLine, text: element.join('').trim() };
        element = [];
        start = -1;
        inElement = false;
        continue;
      }
      if (depth === 1 && start < 0 && !/\s/.test(c)) {
        start = i; // a scalar element (not an event, but the validator says so)
        elementLine = line;
        inElement = true;
      }
    }
    if (start >= 0) element.push(chunk.slice(start));
  }
  if (!closed) throw new UnusableInputError('not JSON: the array is not closed (truncated input?)', line);
}
