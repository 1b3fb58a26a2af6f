import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EVENT_LIFECYCLE, EVENT_STREAM_KEYS, EVENT_TYPES, type EventType } from '../../src/index.ts';
import { contractExamples } from './contract-examples.ts';
import { VECTORS_DIR } from './vectors.ts';

/** A field value in a binding vector: UTF-8 text, raw bytes, text repeated, or a contract example. */
export type VectorValue = string | { hex: string } | { text: string; times: number } | { example: 'own' | 'other'; patch?: Record<string, unknown> };

export interface BindingCase {
  readonly description: string;
  readonly entry: { readonly id: string; readonly fields: readonly [VectorValue, VectorValue][]; readonly deliveries: number };
  readonly decision: { readonly action: 'handle' | 'dead-letter'; readonly reason?: string; readonly reasonWhenEnforced?: string; readonly errors?: readonly { instancePath: string; keyword: string; message?: string }[] };
  readonly deadLetter?: readonly [VectorValue, VectorValue][];
}

export const BINDING_VECTORS = path.join(VECTORS_DIR, 'redis-binding', 'decisions.json');
export const loadBindingVectors = (): { maxDeliveries: number; group: string; tests: BindingCase[] } => JSON.parse(readFileSync(BINDING_VECTORS, 'utf8'));

/** The stream of the vectors: the contract's first event type; "other" is the next one. */
export const OWN: EventType = EVENT_TYPES[0];
const OTHER: EventType = EVENT_TYPES[1] ?? EVENT_TYPES[0];

/** The bytes a vector value stands for. */
export function bytesOf(value: VectorValue): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if ('hex' in value) return Buffer.from(value.hex, 'hex');
  if ('times' in value) return Buffer.from(value.text.repeat(value.times), 'utf8');
  const type = value.example === 'own' ? OWN : OTHER;
  const envelope = contractExamples().find((e) => e.eventType === type)!.payload;
  // A patch sets top-level fields; null removes one.
  const patched = Object.fromEntries(Object.entries({ ...envelope, ...value.patch }).filter(([, v]) => v !== null));
  return Buffer.from(JSON.stringify(patched), 'utf8');
}

/** Placeholders in expected text: <own>, <other>, <stream>. */
export const expand = (text: string): string => text.replaceAll('<own>', OWN).replaceAll('<other>', OTHER).replaceAll('<stream>', EVENT_STREAM_KEYS[OWN]);
export const enforced = (): boolean => !['draft', 'dual-publish'].includes(EVENT_LIFECYCLE[OWN]);
