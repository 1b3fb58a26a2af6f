import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** A message example of asyncapi.yaml: a whole envelope. */
export interface ContractExample {
  readonly eventType: string;
  readonly name: string;
  readonly payload: Record<string, unknown>;
}

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Every message example in asyncapi.yaml, read from the YAML as written. */
export function contractExamples(): ContractExample[] {
  const doc = parse(readFileSync(path.join(ROOT, 'asyncapi.yaml'), 'utf8')) as {
    components: { messages: Record<string, { examples?: { name: string; payload: Record<string, unknown> }[] }> };
  };
  return Object.entries(doc.components.messages).flatMap(([eventType, m]) =>
    (m.examples ?? []).map((e) => ({ eventType, name: e.name, payload: e.payload })),
  );
}
