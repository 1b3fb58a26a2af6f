import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/**
 * One event's JSON text and the line it starts on (1-based).
 *
 * @example
 * const e: EventText = { line: 3, text: '{"schemaVersion":1,...}' };
 */
export interface EventText {
  readonly line: number;
  readonly text: string;
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
 * Reads events from a stream of JSON text, streaming, so memory stays flat however large the
 * input: NDJSON (one event per line, as redis-cli or a log gives them; a line that is not JSON is
 * still yielded, for the validator to report), a JSON array (split element by element as the bytes
 * arrive), or one JSON document (a single event, possibly pretty-printed).
 *
 * @throws {UnusableInputError} when the input is not JSON at all, or an array is truncated.
 * @example
 * for await (const { line, text } of readEvents(process.stdin)) console.log(line, text.length);
 */
export async function* readEvents(input: Readable): AsyncGenerator<EventText> {
  input.setEncoding('utf8');
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<string>;
  // Peek at the first non-blank character to choose the format, then put the chunk back.
  let first = '';
  let head: string | undefined;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    head = (head ?? '') + next.value;
    const m = /\S/.exec(head);
    if (m) {
      first = m[0];
      break;
    }
  }
  const rest = (async function* (): AsyncGenerator<string> {
    if (head !== undefined) yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  })();
  if (first === '[') {
    yield* splitArray(rest);
    return;
  }
  if (first !== '{') throw new UnusableInputError(`not JSON: the input starts with ${JSON.stringify(first)}, not { or [`, 1);
  yield* splitLines(rest);
}

/** NDJSON, or one multi-line document when the first line is not a whole JSON value. */
async function* splitLines(chunks: AsyncGenerator<string>): AsyncGenerator<EventText> {
  const { Readable } = await import('node:stream');
  const lines = createInterface({ input: Readable.from(chunks), crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  let decided = false;
  let document: string[] | undefined;
  let documentStart = 0;
  for await (const line of lines) {
    lineNo++;
    if (document) {
      document.push(line);
      continue;
    }
    if (line.trim() === '') continue;
    if (!decided) {
      decided = true;
      // The first line opens an object it does not close: a pretty-printed document, gathered
      // whole (it is one event, so its size is that event's).
      if (!isJson(line) && !line.trim().endsWith('}')) {
        document = [line];
        documentStart = lineNo;
        continue;
      }
    }
    yield { line: lineNo, text: line };
  }
  if (document) yield { line: documentStart, text: document.join('\n') };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
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
