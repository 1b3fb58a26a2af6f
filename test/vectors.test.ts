import { afterAll, describe, expect, it } from 'vitest';
import { validateEnvelope } from '../src/index.ts';
import { loadVectors } from './support/vectors.ts';

let checked = 0;

for (const [file, groups] of loadVectors()) {
  describe(file, () => {
    for (const group of groups) {
      describe(group.description, () => {
        for (const vector of group.tests) {
          it(vector.description, () => {
            const result = validateEnvelope(vector.data, { mode: group.mode, lifecycle: group.lifecycle });
            checked++;
            expect(result.ok, JSON.stringify(result.ok ? {} : result.errors)).toBe(vector.valid);
            if (result.ok && vector.known !== undefined) expect(result.known).toBe(vector.known);
            if (result.ok) {
              for (const expected of vector.warnings ?? []) expect(result.warnings).toContainEqual(expect.objectContaining(expected));
              if (!vector.warnings) expect(result.warnings).toEqual([]);
            }
            if (!result.ok) {
              for (const expected of vector.errors ?? []) {
                expect(result.errors).toContainEqual(expect.objectContaining(expected));
              }
            }
          });
        }
      });
    }
  });
}

afterAll(() => {
  console.log(`vectors: TypeScript validateEnvelope checked ${checked} vectors`);
});
