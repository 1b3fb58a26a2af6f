/**
 * What a pattern means: the title of the schema that holds it and an example that matches.
 *
 * @example
 * const hint: PatternHint = { title: 'TraceId', example: '4bf92f3577b34da6a3ce929d0e0e4736' };
 */
export interface PatternHint {
  readonly title: string;
  readonly example?: string;
}

/**
 * The message of a validation error, made from its keyword and params (ajv's `ErrorObject`
 * fields): which property, which values, which rule. A pattern is named by its hint, not printed.
 *
 * Internal: the package exports the messages inside {@link ValidationIssue}s, not this function.
 *
 * @example
 * issueMessage({ keyword: 'minimum', params: { comparison: '>=', limit: 1 } }, new Map()); // 'must be >= 1'
 */
export function issueMessage(error: { readonly keyword: string; readonly params: Readonly<Record<string, unknown>> }, hints: ReadonlyMap<string, PatternHint>): string {
  const { params } = error;
  switch (error.keyword) {
    case 'required':
      return `must have required property ${JSON.stringify(params['missingProperty'])}`;
    case 'type':
      return `must be ${String(params['type'])}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(params['comparison'])} ${String(params['limit'])}`;
    case 'minLength':
      return `must have at least ${String(params['limit'])} characters`;
    case 'maxLength':
      return `must have at most ${String(params['limit'])} characters`;
    case 'additionalProperties':
      return `has unknown property ${JSON.stringify(params['additionalProperty'])} (producer mode accepts only declared fields)`;
    case 'enum':
      return `must be one of ${(params['allowedValues'] as readonly unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params['allowedValue'])}`;
    case 'pattern': {
      const hint = hints.get(String(params['pattern']));
      if (hint === undefined) return `must match the pattern ${String(params['pattern'])}`;
      return hint.example === undefined ? `must be a valid ${hint.title}` : `must be a valid ${hint.title}, e.g. ${JSON.stringify(hint.example)}`;
    }
    default:
      return `must satisfy ${error.keyword} ${JSON.stringify(params)}`;
  }
}
