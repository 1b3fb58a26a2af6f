// Compiles src/ and generated/ into dist/ (npm run compile). tsc emits the TypeScript; the ajv
// validators are already JavaScript with a generated .d.ts, so they are copied as they are
// (tsc's allowJs would replace that .d.ts with one inferred from the JS, full of `any`).
import { copyFile, rm } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScript } from './lib/run-script.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

await runScript(async () => {
  await rm(path.join(root, 'dist'), { recursive: true, force: true });
  try {
    execFileSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  } catch {
    console.error('error: tsc reported the errors above; dist/ was not written completely.');
    return 1;
  }
  for (const file of ['validators.js', 'validators.d.ts']) {
    await copyFile(path.join(root, 'generated', file), path.join(root, 'dist', 'generated', file));
  }
  console.log('compiled dist/');
  return 0;
});
