/**
 * What the contract is made of, at the root of the repository (and of any copy of the contract):
 * the AsyncAPI document, its JSON Schemas, and the Lua scripts of the Redis binding. Whatever
 * copies, ships or compares the contract takes this list, so a new part is added in one place.
 *
 * @example
 * for (const entry of CONTRACT_FILES) cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
 */
export const CONTRACT_FILES = ['asyncapi.yaml', 'schemas', 'redis'] as const;
