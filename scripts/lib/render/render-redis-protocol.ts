import type { ContractData } from '../contract/load-contract.js';
import { generatedHeader } from './generated-header.js';
import { ContractError, ContractErrors } from '../contract/contract-error.js';
import type { RedisBinding } from '../contract/load-binding.js';

function bindingOf(contract: ContractData): RedisBinding {
  if (contract.binding === undefined) {
    throw new ContractErrors([new ContractError({ file: 'asyncapi.yaml', pointer: '/servers/redis/x-redis-streams', message: 'missing', fix: 'describe the stream binding' })]);
  }
  return contract.binding;
}

/** The protocol data, minus the scripts, in the order both runtimes render it. */
function protocolData(b: RedisBinding): Record<string, unknown> {
  return {
    entryField: b.entryField,
    deadLetterStream: b.deadLetterStream,
    legacyDeadLetterStream: b.legacyDeadLetterStream,
    handledKey: b.handledKey,
    retryStream: b.retryStream,
    deadLetterFieldPrefix: b.deadLetterFieldPrefix,
    deadLetterFields: b.deadLetterFields,
    shadowPrefix: b.shadowPrefix,
    reasons: Object.keys(b.reasons),
    defaults: b.defaults,
  };
}

/**
 * `generated/redis-protocol.ts`: the consumer protocol of `x-redis-streams` as constants, and its
 * Lua scripts with their SHA1 (EVALSHA first, EVAL when Redis answers NOSCRIPT).
 *
 * @example
 * renderRedisProtocol(contract); // 'export const REDIS_PROTOCOL = { entryField: ...'
 */
export function renderRedisProtocol(contract: ContractData): string {
  const b = bindingOf(contract);
  const scripts = Object.entries(b.scripts).map(([name, s]) => `  ${name}: { sha1: '${s.sha1}', text: ${JSON.stringify(s.text)} },`);
  return [
    generatedHeader('asyncapi.yaml (servers.redis.x-redis-streams) and redis/*.lua'),
    '/** The Redis Streams consumer protocol: keys, dead-letter fields and reasons, defaults. */',
    `export const REDIS_PROTOCOL = ${JSON.stringify(protocolData(b), null, 2)} as const;`,
    '',
    '/** A dead-letter reason (`x-redis-streams.reasons`). */',
    'export type DeadLetterReason = (typeof REDIS_PROTOCOL.reasons)[number];',
    '',
    '/** The protocol\'s Lua scripts: the same text in every runtime, sent by SHA1. */',
    'export const REDIS_SCRIPTS = {',
    ...scripts,
    '} as const;',
    '',
  ].join('\n');
}

/**
 * `python/.../_generated/redis_protocol.py`: the same data and scripts for the Python consumers.
 *
 * @example
 * renderPythonRedisProtocol(contract); // 'REDIS_PROTOCOL: Final = {...}'
 */
export function renderPythonRedisProtocol(contract: ContractData): string {
  const b = bindingOf(contract);
  return [
    generatedHeader('asyncapi.yaml (servers.redis.x-redis-streams) and redis/*.lua', { comment: '#' }).trimEnd(),
    '"""The Redis Streams consumer protocol and its Lua scripts, as Python data (the same as TypeScript\'s)."""',
    '',
    'import json',
    'from typing import Any, Final',
    '',
    `REDIS_PROTOCOL: Final[dict[str, Any]] = json.loads(${JSON.stringify(JSON.stringify(protocolData(b)))})`,
    '"""Keys, dead-letter fields and reasons, defaults."""',
    '',
    'REDIS_SCRIPTS: Final[dict[str, tuple[str, str]]] = {',
    ...Object.entries(b.scripts).map(([name, s]) => `    ${JSON.stringify(name)}: (${JSON.stringify(s.sha1)}, ${JSON.stringify(s.text)}),`),
    '}',
    '"""Script name -> (SHA1, Lua text)."""',
    '',
  ].join('\n');
}
