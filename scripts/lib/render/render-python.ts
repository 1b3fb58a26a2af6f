import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContractData, JsonObject } from '../contract/load-contract.js';
import { dereference } from '../contract/dereference.js';
import { ContractError, ContractErrors } from '../contract/contract-error.js';
import { consumerId, idPrefixOf, MODES, toConsumerSchema, withoutAnnotations } from '../contract/schema-modes.js';
import { renderPythonModels } from './render-python-models.js';
import { renderPydanticModels } from './render-pydantic-models.js';
import { walkPythonModels } from './walk-python-models.js';
import { renderPythonRedisProtocol } from './render-redis-protocol.js';
import type { PatternHint } from '../../../src/issue-message.js';
import { generatedHeader } from './generated-header.js';

export const PYTHON_PACKAGE = 'python/src/goodgo_contracts_events';

/** This repository: its venv and its tools render the Python files, whatever contract they render. */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The venv's interpreter: created by `npm run setup`, never the machine's own packages. */
export const venvPython = (repo: string = REPO): string => path.join(repo, '.venv', 'bin', 'python');

/**
 * Every generated file of the Python package, path -> content: the contract copied as package
 * data, the event-type data, the TypedDict and pydantic models, and (through scripts/render_python.py
 * in the repository's venv) the fastjsonschema validators.
 *
 * @throws {ContractErrors} when the venv is missing or the Python tools fail.
 * @example
 * const files = await renderPython(contract, hints);
 */
export async function renderPython(contract: ContractData, hints: readonly [string, PatternHint][]): Promise<Map<string, string>> {
  const prefix = idPrefixOf(contract);
  const targets = MODES.flatMap((mode) => {
    const byId = new Map(contract.schemas.map(({ schema }) => {
      const stripped = withoutAnnotations(schema);
      const moded = mode === 'producer' ? stripped : toConsumerSchema(stripped, prefix);
      return [String(moded['$id']), moded];
    }));
    const id = (base: string): string => (mode === 'producer' ? base : consumerId(base, prefix));
    const target = (name: string, module: string, schemaId: string): { mode: string; name: string; module: string; id: string; schema: JsonObject } =>
      ({ mode, name, module, id: id(schemaId), schema: dereference(byId.get(id(schemaId))!, id(schemaId), byId) });
    return [
      target('envelope', `${mode}_envelope`, contract.envelopeSchemaId),
      ...contract.eventTypes.map((t) => target(t.eventType, `${mode}_${t.eventType.replace(/\W/g, '_')}`, t.payloadSchema.id)),
    ];
  });
  const request = { validators: targets };

  const python = venvPython();
  if (!existsSync(python)) {
    throw new ContractErrors([new ContractError({ file: '.venv', pointer: '', message: 'the Python environment does not exist', fix: 'run npm run setup (it creates .venv and installs python[dev,pydantic])' })]);
  }
  // Started before anything here awaits: the caller's next step (ajv) holds this thread for
  // seconds, and the Python tools run on the other core meanwhile.
  // Request and reply go through files, not pipes: a pipe holds 64 KB, and while this thread
  // computes it could neither feed the request (2 MB at 300 types) nor drain the reply (20 MB).
  const exchange = mkdtempSync(path.join(tmpdir(), 'render-python-'));
  writeFileSync(path.join(exchange, 'request.json'), JSON.stringify(request));
  const running = runPython(python, [path.join(REPO, 'scripts', 'render_python.py'), path.join(exchange, 'request.json'), path.join(exchange, 'reply.json')]);

  const files = new Map<string, string>();
  // The contract as package data: Python reads the very same files, byte for byte.
  files.set(`${PYTHON_PACKAGE}/contract/asyncapi.yaml`, await readFile(path.join(contract.root, 'asyncapi.yaml'), 'utf8'));
  const texts = await Promise.all(contract.schemas.map((s) => readFile(path.join(contract.root, s.file), 'utf8')));
  contract.schemas.forEach((s, i) => files.set(`${PYTHON_PACKAGE}/contract/${s.file}`, texts[i]!));
  for (const script of Object.values(contract.binding?.scripts ?? {})) {
    files.set(`${PYTHON_PACKAGE}/contract/${path.posix.normalize(script.file)}`, script.text);
  }
  files.set(`${PYTHON_PACKAGE}/_generated/contract_data.py`, renderContractData(contract, hints));
  files.set(`${PYTHON_PACKAGE}/_generated/__init__.py`, generatedHeader('asyncapi.yaml and schemas/', { comment: '#' }) + '"""The generated modules of the package (contract data, Redis protocol, validators), apart from the hand-written ones."""\n');
  const models = walkPythonModels(contract);
  files.set(`${PYTHON_PACKAGE}/models.py`, renderPythonModels(models));
  files.set(`${PYTHON_PACKAGE}/pydantic_models.py`, renderPydanticModels(models));
  files.set(`${PYTHON_PACKAGE}/_generated/redis_protocol.py`, renderPythonRedisProtocol(contract));

  const run = await running;
  try {
    if (run.status !== 0) {
      throw new ContractErrors([new ContractError({ file: 'scripts/render_python.py', pointer: '', message: `failed: ${run.stderr.trim() || run.error}`, fix: 'run npm run setup to refresh .venv; if it persists, the schemas use something the Python tools reject' })]);
    }
    const reply = JSON.parse(await readFile(path.join(exchange, 'reply.json'), 'utf8')) as Record<string, string>;
    for (const [file, content] of Object.entries(reply)) files.set(file, content);
  } finally {
    rmSync(exchange, { recursive: true, force: true });
  }
  return files;
}

/** Runs `python` with `args`; resolves with its exit status and error output, never rejects. */
function runPython(python: string, args: readonly string[]): Promise<{ status: number | null; stderr: string; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn(python, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => resolve({ status: null, stderr: '', error: e.message }));
    child.on('close', (status) => resolve({ status, stderr: Buffer.concat(err).toString('utf8') }));
  });
}

function renderContractData(contract: ContractData, hints: readonly [string, PatternHint][]): string {
  const types = contract.eventTypes;
  return [
    generatedHeader('asyncapi.yaml and schemas/', { comment: '#' }).trimEnd(),
    '"""The contract\'s event types, stream keys and pattern hints, as Python data."""',
    '',
    'from typing import TYPE_CHECKING, Final, Literal',
    '',
    '# Building a Literal of N names costs O(N^2) at import (typing deduplicates them pairwise): 18 ms',
    '# at 300 types. Type checkers see the Literal; at run time an event type is a str.',
    'if TYPE_CHECKING:',
    `    EventType = Literal[${types.map((t) => JSON.stringify(t.eventType)).join(', ')}]`,
    'else:',
    '    EventType = str',
    '"""A known event type."""',
    '',
    `EVENT_TYPES: Final[tuple[EventType, ...]] = (${types.map((t) => JSON.stringify(t.eventType)).join(', ')},)`,
    '"""Every event type in the contract, sorted."""',
    '',
    'EVENT_STREAM_KEYS: Final[dict[EventType, str]] = {',
    ...types.map((t) => `    ${JSON.stringify(t.eventType)}: ${JSON.stringify(t.streamKey)},`),
    '}',
    '"""The Redis stream key of each event type: its channel address, events:<eventType>."""',
    '',
    'EVENT_LIFECYCLE: Final[dict[EventType, str]] = {',
    ...types.map((t) => `    ${JSON.stringify(t.eventType)}: ${JSON.stringify(t.lifecycle.state)},`),
    '}',
    '"""Where each event type stands (x-lifecycle); until enforced, consumers get payload failures as warnings."""',
    '',
    'EVENT_DEAD_LETTER_KEYS: Final[dict[EventType, str]] = {',
    ...types.map((t) => `    ${JSON.stringify(t.eventType)}: ${JSON.stringify(t.deadLetterKey)},`),
    '}',
    '"""The dead-letter stream of each event type stream: {<stream>}:dead-letter (x-redis-streams)."""',
    '',
    'EVENT_LEGACY_DEAD_LETTER_KEYS: Final[dict[EventType, str]] = {',
    ...types.map((t) => `    ${JSON.stringify(t.eventType)}: ${JSON.stringify(t.legacyDeadLetterKey)},`),
    '}',
    '"""Where dead letters went before the keys were hash-tagged: read them during a rollout."""',
    '',
    'EVENT_PAYLOAD_VERSIONS: Final[dict[EventType, str]] = {',
    ...types.map((t) => `    ${JSON.stringify(t.eventType)}: ${JSON.stringify(t.payloadVersion ?? '1.0')},`),
    '}',
    '"""The payload version of each event type (x-payload-version, MAJOR.MINOR); it does not travel in the envelope."""',
    '',
    'EVENT_PAYLOAD_SCHEMA_IDS: Final[dict[EventType, str]] = {',
    ...types.map((t) => `    ${JSON.stringify(t.eventType)}: ${JSON.stringify(t.payloadSchema.id)},`),
    '}',
    '"""The $id of each event type\'s payload schema (schemas/<eventType>.schema.json): CloudEvents\' dataschema."""',
    '',
    `EVENT_LIMITS: Final[dict[str, int]] = ${JSON.stringify(contract.limits ?? {}).replaceAll(',', ', ')}`,
    '"""x-event-limits: the bounds every reader applies before parsing an event."""',
    '',
    `STREAM_ENTRY_FIELD: Final = ${JSON.stringify(contract.binding?.entryField ?? 'envelope')}`,
    '"""The stream entry field that holds the envelope as UTF-8 JSON."""',
    '',
    'PATTERN_HINTS: Final[dict[str, tuple[str, str | None]]] = {',
    ...hints.map(([pattern, h]) => `    ${JSON.stringify(pattern)}: (${JSON.stringify(h.title)}, ${h.example === undefined ? 'None' : JSON.stringify(h.example)}),`),
    '}',
    '"""Title and first example of the schema holding each pattern, for error messages."""',
    '',
  ].join('\n');
}
