import type { ContractData } from '../contract/load-contract.js';
import { dereference } from '../contract/dereference.js';
import { generatedHeader } from './generated-header.js';
import { runInWorker } from '../run-in-worker.js';

// The title of the schema that holds every event schema for Modelina; not a model of its own.
const ROOT_TITLE = 'GoodgoContractEvents';

/**
 * Renders the Modelina TypeScript models of every message into one module. One file, because
 * Modelina's multi-file output has extension-less imports (NodeNext rejects them).
 *
 * Modelina reads the message payloads as JSON Schema: each event schema, dereferenced, under one
 * root. Its AsyncAPI input would run `@asyncapi/parser` first, which at 300 types took longer
 * than everything else `npm run generate` does in TypeScript (3.4 s of 5); the payloads are the
 * same schemas, and the output is byte for byte the same as through the parser.
 *
 * Options, each measured (see ../shared/notes/toolchain.md): interfaces rather than classes
 * (class mode leaves `const` properties unset), unions rather than enums, and an Integer mapping
 * that keeps `const` as a literal type so `schemaVersion` is `1`, not `number`.
 *
 * @example
 * const source = await renderModels(contract); // 'export interface PaymentCompletedEvent { ... }'
 */
export async function renderModels(contract: ContractData): Promise<string> {
  // Imported here, not above: loading Modelina takes 2.5 s, which renderModelsInWorker spends on
  // its own thread.
  const { TypeScriptGenerator, TS_DESCRIPTION_PRESET } = await import('@asyncapi/modelina');
  const generator = new TypeScriptGenerator({
    modelType: 'interface',
    enumType: 'union',
    mapType: 'record',
    presets: [TS_DESCRIPTION_PRESET],
    typeMapping: {
      Integer: ({ constrainedModel }) => {
        const constant: unknown = constrainedModel.options.const?.originalInput;
        return typeof constant === 'number' ? String(constant) : 'number';
      },
    },
  });
  const byId = new Map(contract.schemas.map((s) => [String(s.schema['$id']), s.schema]));
  const taken = contract.schemas.find((s) => JSON.stringify(s.schema).includes(`"title":"${ROOT_TITLE}"`));
  if (taken) throw new Error(`${taken.file}: the title ${ROOT_TITLE} is reserved by the model generator: choose another`);
  const models = await generator.generate({
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: ROOT_TITLE,
    oneOf: contract.eventTypes.map((t) => dereference(byId.get(t.eventSchema.id)!, t.eventSchema.id, byId)),
  });
  const anonymous = models.filter((m) => /^Anonymous/i.test(m.modelName));
  if (anonymous.length > 0) {
    throw new Error(`Modelina named ${anonymous.length} model(s) ${anonymous.map((m) => m.modelName).join(', ')}: give every object and enum in schemas/ a title`);
  }
  const sorted = models
    .filter((m) => m.modelName !== ROOT_TITLE)
    .sort((a, b) => (a.modelName < b.modelName ? -1 : a.modelName > b.modelName ? 1 : 0));
  const body = sorted
    .map((m) => m.result.replace(/^(interface|type) /m, 'export $1 ').trimEnd())
    .join('\n\n');
  return `${generatedHeader('asyncapi.yaml and schemas/ (Modelina TypeScript models)')}\n${body}\n`;
}

/**
 * {@link renderModels} on a worker thread: Modelina takes 2.5 s to load (the thread starts now
 * and loads it while `contract` is still being read) and about 7 ms a type to run, while `npm run
 * generate` compiles the validators on the main thread, each on its core.
 *
 * @example
 * const source = await renderModelsInWorker(readContract(root));
 */
export function renderModelsInWorker(contract: Promise<ContractData>): Promise<string> {
  return runInWorker<string>(new URL('./render-models-worker.ts', import.meta.url), contract);
}
