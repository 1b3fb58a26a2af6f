import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One expected error: the runtimes must agree on where and which keyword, not on the wording. */
export interface ExpectedError {
  readonly instancePath: string;
  readonly keyword: string;
}

/** One case of a vector file, in the JSON-Schema-Test-Suite shape plus optional expectations. */
export interface VectorCase {
  readonly description: string;
  readonly data: unknown;
  readonly valid: boolean;
  /** Errors that must be among the reported ones. */
  readonly errors?: readonly ExpectedError[];
  /** For a valid case: whether the event type is known to the contract. */
  readonly known?: boolean;
  /** For a valid case: warnings that must be among the reported ones. */
  readonly warnings?: readonly ExpectedError[];
}

/** A group of cases validated in one mode. */
export interface VectorGroup {
  readonly description: string;
  readonly mode: 'producer' | 'consumer';
  /** `contract` honours each type's x-lifecycle; `enforce-all` holds every known type to its schema. */
  readonly lifecycle: 'contract' | 'enforce-all';
  readonly tests: readonly VectorCase[];
}

export const VECTORS_DIR = path.resolve(import.meta.dirname, '..', 'vectors');

/** Every vector file under test/vectors/, by file name. The same files feed the Python suite. */
export function loadVectors(): Map<string, VectorGroup[]> {
  const files = readdirSync(VECTORS_DIR).filter((f) => f.endsWith('.json')).sort();
  return new Map(files.map((f) => [f, JSON.parse(readFileSync(path.join(VECTORS_DIR, f), 'utf8')) as VectorGroup[]]));
}
