import { generatedHeader } from './generated-header.js';
import { pythonLiteral, type PythonModels, type PythonType } from './walk-python-models.js';

// JSON Schema keyword -> pydantic Field argument, for the constraints a model can check itself.
const CONSTRAINTS: Readonly<Record<string, string>> = {
  pattern: 'pattern',
  minLength: 'min_length',
  maxLength: 'max_length',
  minItems: 'min_length',
  maxItems: 'max_length',
  minimum: 'ge',
  maximum: 'le',
  exclusiveMinimum: 'gt',
  exclusiveMaximum: 'lt',
  multipleOf: 'multiple_of',
  examples: 'examples',
  title: 'title',
};

/**
 * Renders pydantic v2 models of every event (`pydantic_models.py`), from the same walk of the
 * schemas as the TypedDicts: one `ContractModel` class per object (strict, unknown fields kept:
 * see `_pydantic_base.py`), every length, range and pattern as a `Field` constraint, optional
 * fields `None` by default, and `KnownEvent`, a root model discriminated on `eventType`.
 *
 * Rendered here rather than by datamodel-code-generator, which this package used first: it cost
 * about 45 ms of CPU per event type (13 s at 300 types, the critical path of `npm run generate`),
 * while the contract needs only the subset {@link walkPythonModels} reads. The patterns pass
 * through unchanged: the naming rule has them end in `$(?!\n)`, which Python reads as JavaScript
 * reads `$` (`ContractModel` selects Python's `re`, which has lookaheads).
 *
 * @example
 * renderPydanticModels(walkPythonModels(contract)); // '... class PaymentCompletedPayload(ContractModel): ...'
 */
export function renderPydanticModels({ models, events }: PythonModels): string {
  const imports = new Set<string>();
  const annotated = (type: string, schema: Readonly<Record<string, unknown>>, keywords: readonly string[]): string => {
    const args = keywords
      .filter((k) => schema[k] !== undefined)
      .map((k) => [CONSTRAINTS[k]!, pythonLiteral(schema[k])] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`);
    if (args.length === 0) return type;
    imports.add('Annotated').add('Field');
    return `Annotated[${type}, Field(${args.join(', ')})]`;
  };
  const typeOf = (type: PythonType, optional: boolean): string => {
    const orNone = (t: string): string => (optional ? `${t} | None` : t);
    switch (type.kind) {
      case 'literal':
        imports.add('Literal');
        return annotated(orNone(`Literal[${type.values.map(pythonLiteral).join(', ')}]`), type.schema, ['title', 'examples']);
      case 'scalar': {
        const keywords = type.name === 'str' ? ['pattern', 'minLength', 'maxLength'] : type.name === 'bool' ? [] : ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];
        return annotated(orNone(type.name), type.schema, [...keywords, 'title', 'examples']);
      }
      case 'model':
        return orNone(type.name);
      case 'object':
        imports.add('Any');
        return orNone('dict[str, Any]');
      case 'list':
        return annotated(orNone(`list[${typeOf(type.items, false)}]`), type.schema, ['minItems', 'maxItems']);
    }
  };
  const classes = models.map((model) => {
    const lines = [`class ${model.name}(ContractModel):`, `    ${JSON.stringify(model.description)}`, ''];
    for (const field of model.fields) {
      lines.push(`    ${field.key}: ${typeOf(field.type, !field.required)}${field.required ? '' : ' = None'}`);
      if (field.description) lines.push(`    ${JSON.stringify(field.description)}`);
    }
    return lines.join('\n');
  });
  imports.add('Annotated').add('Field');
  const union = events.join('\n    | ');
  const known = events.length === 1
    ? [`class KnownEvent(RootModel[${events[0]}]):`, `    root: ${events[0]}`]
    : [`class KnownEvent(RootModel[\n    ${union}\n]):`, `    root: Annotated[\n        ${events.join('\n        | ')},\n        Field(discriminator="eventType"),\n    ]`];
  const typing = [...imports].filter((n) => n !== 'Field').sort();

  return [
    generatedHeader('schemas/ (pydantic v2 models)', { comment: '#' }).trimEnd(),
    '"""Pydantic v2 models of every event: strict, unknown fields kept (consumer mode), KnownEvent discriminated on eventType."""',
    '',
    `from typing import ${typing.join(', ')}`,
    '',
    'from pydantic import Field, RootModel',
    '',
    'from goodgo_contracts_events._pydantic_base import ContractModel',
    '',
    ...classes.map((c) => `\n${c}\n`),
    '',
    ...known,
    '    """Any event of a known type, discriminated by eventType: `KnownEvent.model_validate_json(raw).root`."""',
    '',
  ].join('\n').replace(/\n{3,}/g, '\n\n\n');
}
