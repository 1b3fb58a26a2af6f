// Builds dist/ (npm run compile):
// - dist/index.js: src/ and generated/ bundled by esbuild into one ES module. Node pays about
//   0.5 ms per module file on import and ~3 ms for the first, so one minified file is what keeps
//   `import` + first validation within 5 ms of a bare `node -e ''` (see npm run bench).
// - dist/payload-validators.cjs and dist/payload-validators/: each event type's payload
//   validators, copied as generated and left out of the bundle: index.js requires a type's module
//   the first time it meets the type, so import costs the same at 3 types as at 300.
// - dist/types/: the declarations, emitted by tsc from the same sources, plus the generated
//   validators' .d.ts as written (tsc emits none for a .js file it does not compile).
import { copyFile, cp, mkdir, readFile, rm } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type PluginBuild } from 'esbuild';
import { runScript } from './lib/run-script.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

await runScript(async () => {
  await rm(path.join(root, 'dist'), { recursive: true, force: true });
  try {
    execFileSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  } catch {
    console.error('error: tsc reported the errors above; dist/ was not written.');
    return 1;
  }
  await mkdir(path.join(root, 'dist', 'types', 'generated'), { recursive: true });
  for (const file of ['validators.d.ts', 'payload-validators.d.cts']) {
    await copyFile(path.join(root, 'generated', file), path.join(root, 'dist', 'types', 'generated', file));
  }
  await copyFile(path.join(root, 'generated', 'payload-validators.cjs'), path.join(root, 'dist', 'payload-validators.cjs'));
  await cp(path.join(root, 'generated', 'payload-validators'), path.join(root, 'dist', 'payload-validators'), { recursive: true });
  // The registry stays a file of its own beside the bundle (see above).
  const payloadRegistry = {
    name: 'payload-validators',
    setup(b: PluginBuild): void {
      b.onResolve({ filter: /\/payload-validators\.cjs$/ }, () => ({ path: './payload-validators.cjs', external: true }));
    },
  };
  const common = {
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
  } as const;
  // The goodgo-events command: its own bundle, so importing the package never loads it.
  // goodgo-events --version: the package's version, inlined (the bundle has no package.json beside it at dist/).
  const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string };
  await build({ ...common, entryPoints: [path.join(root, 'src', 'cli.ts')], outfile: path.join(root, 'dist', 'cli.js'), banner: { js: '#!/usr/bin/env node' }, define: { PACKAGE_VERSION: JSON.stringify(version) }, external: ['redis'], plugins: [payloadRegistry] });
  await build({ ...common, entryPoints: [path.join(root, 'src', 'index.ts')], outfile: path.join(root, 'dist', 'index.js'), plugins: [payloadRegistry] });
  console.log('compiled dist/index.js and dist/types/');
  return 0;
});
