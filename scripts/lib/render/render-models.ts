import { TypeScriptGenerator, TS_DESCRIPTION_PRESET } from '@asyncapi/modelina';
import type { Contract } from '../contract/load-contract.js';
import { generatedHeader } from './generated-header.js';

/**
 * Renders the Modelina TypeScript models of every message into one module. One file, because
 * Modelina's multi-file output has extension-less imports (NodeNext rejects them).
 *
 * Options, each measured (see ../shared/notes/toolchain.md): interfaces rather than classes
 * (class mode leaves `const` properties unset), unions rather than enums, and an Integer mapping
 * that keeps `const` as a literal type so `schemaVersion` is `1`, not `number`.
 *
 * @example
 * const source = await renderModels(contract); // 'export interface PaymentCompletedEvent { ... }'
 */
export async function renderModels(contract: Contract): Promise<string> {
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
  const models = await generator.generate(contract.document);
  const anonymous = models.filter((m) => /^Anonymous/i.test(m.modelName));
  if (anonymous.length > 0) {
    throw new Error(`Modelina named ${anonymous.length} model(s) ${anonymous.map((m) => m.modelName).join(', ')}: give every object and enum in schemas/ a title`);
  }
  const sorted = [...models].sort((a, b) => (a.modelName < b.modelName ? -1 : a.modelName > b.modelName ? 1 : 0));
  const body = sorted
    .map((m) => m.result.replace(/^(interface|type) /m, 'export $1 ').trimEnd())
    .join('\n\n');
  return `${generatedHeader('asyncapi.yaml and schemas/ (Modelina TypeScript models)')}\n${body}\n`;
}
