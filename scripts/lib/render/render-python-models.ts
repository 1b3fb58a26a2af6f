import { generatedHeader } from './generated-header.js';
import { pythonLiteral, type PythonModels, type PythonType } from './walk-python-models.js';

/**
 * Renders stdlib `TypedDict` models of every event (no dependency), with `Literal` event types so
 * that `mypy --strict` narrows a `KnownEvent` on `event["eventType"]`. Written here rather than by
 * Modelina, whose Python output does not run in 5.10 (see ../shared/notes/toolchain.md).
 *
 * @example
 * renderPythonModels(walkPythonModels(contract)); // '... class PaymentCompletedPayload(TypedDict): ...'
 */
export function renderPythonModels({ models, events }: PythonModels): string {
  const aliases = new Map<string, string>(); // name -> Literal[...] text
  const typeOf = (type: PythonType): string => {
    switch (type.kind) {
      case 'literal': {
        const literal = `Literal[${type.values.map(pythonLiteral).join(', ')}]`;
        if (type.title === undefined) return literal;
        aliases.set(type.title, literal);
        return type.title;
      }
      case 'scalar':
      case 'model':
        return type.name;
      case 'object':
        return 'dict[str, object]';
      case 'list':
        return `list[${typeOf(type.items)}]`;
    }
  };
  const classes = models.map((model) => {
    const lines = [`class ${model.name}(TypedDict):`, `    ${JSON.stringify(model.description)}`, ''];
    for (const field of model.fields) {
      const type = typeOf(field.type);
      if (field.description) lines.push(...wrap(field.description).map((l) => `    #: ${l}`));
      lines.push(`    ${field.key}: ${field.required ? type : `NotRequired[${type}]`}`);
    }
    return lines.join('\n');
  });

  return [
    generatedHeader('schemas/ (stdlib TypedDict models)', { comment: '#' }).trimEnd(),
    '"""Stdlib TypedDict models of every event: no dependency, and mypy narrows KnownEvent on eventType."""',
    '',
    'from typing import Literal, NotRequired, TypedDict',
    '',
    ...[...aliases].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, literal]) => `${name} = ${literal}`),
    '',
    ...classes.map((c) => `\n${c}\n`),
    '',
    `KnownEvent = ${events.join(' | ')}`,
    '"""Any event of a known type: narrow it with event["eventType"] == "..."."""',
    '',
  ].join('\n').replace(/\n{3,}/g, '\n\n\n');
}

function wrap(text: string): string[] {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + w.length > 100) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines;
}
