/** A JSON object, as parsed from the contract's YAML and JSON files. */
export type JsonObject = { [key: string]: unknown };

/**
 * Whether `v` is a JSON object (not null, not an array): the one test every reader of the
 * contract's files narrows with.
 *
 * @example
 * if (isObject(raw['channels'])) Object.keys(raw['channels']);
 */
export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
