import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Parser, stringify, type AsyncAPIDocumentInterface } from '@asyncapi/parser';
import { parseDocument } from 'yaml';
import type { Contract } from './load-contract.js';
import { lifecycleLabel } from './lifecycle-label.js';

// The component and React are CommonJS; one require() keeps React a single instance for SSR.
const require = createRequire(import.meta.url);

/**
 * The document as the page shows it. The component does not render `x-` extensions, so what they
 * say is derived into text it does render: each message tagged with its lifecycle state, each
 * channel's description given its dead-letter stream, the server's description the stream binding.
 * asyncapi.yaml keeps each fact in one place.
 */
async function forDisplay(contract: Contract): Promise<AsyncAPIDocumentInterface> {
  const file = path.join(contract.root, 'asyncapi.yaml');
  const yaml = parseDocument(await readFile(file, 'utf8'));
  const b = contract.binding;
  if (b) {
    const lines = [
      `- **entry field**: \`${b.entryField}\`, the envelope as UTF-8 JSON`,
      `- **dead letters**: \`${b.deadLetterStream}\`, with the fields ${Object.values(b.deadLetterFields).map((f) => `\`${f}\``).join(', ')} (an original field of those names is kept as \`${b.shadowPrefix}<name>\`)`,
      `- **idempotency and leases**: \`${b.handledKey}\``,
      ...Object.entries(b.reasons).map(([reason, meaning]) => `- **reason \`${reason}\`**: ${meaning}`),
      `- **consumer defaults**: ${Object.entries(b.defaults).map(([k, v]) => `${k} ${v}`).join(', ')}`,
      `- **limits** (x-event-limits): ${Object.entries(contract.limits ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    ];
    yaml.setIn(['servers', 'redis', 'description'], `${String(yaml.getIn(['servers', 'redis', 'description']))}\n\n**Redis Streams binding** (x-redis-streams): ${String(yaml.getIn(['servers', 'redis', 'x-redis-streams', 'description']))}\n\n${lines.join('\n')}`);
  }
  for (const t of contract.eventTypes) {
    yaml.setIn(['channels', t.eventType, 'description'], `${String(yaml.getIn(['channels', t.eventType, 'description']))} Entries that cannot be handled go to \`${t.deadLetterKey}\` (dead letters).`);
    const at = ['components', 'messages', t.eventType, 'tags'];
    const tags = (yaml.getIn(at) as { toJSON(): unknown } | undefined)?.toJSON();
    yaml.setIn(at, [...(Array.isArray(tags) ? tags : []), { name: lifecycleLabel(t.lifecycle), description: 'Where this event type stands (x-lifecycle in asyncapi.yaml).' }]);
  }
  // The same source path, so the $refs resolve as they do for the contract itself.
  const { document } = await new Parser().parse(yaml.toString(), { source: file });
  if (document === undefined) throw new Error('internal: the document with lifecycle tags no longer parses');
  return document;
}

/**
 * Renders the AsyncAPI document as one self-contained HTML page with AsyncAPI's own React
 * component (`@asyncapi/react-component`): server-side rendered, so the page reads without
 * JavaScript, then hydrated by the component's standalone bundle, inlined with its CSS. No
 * request leaves the page, and its Content-Security-Policy says so: scripts are allowed by hash,
 * `connect-src`, fonts and images from elsewhere are not. `'unsafe-eval'` is there because the
 * component's bundle needs it (see ../shared/notes/toolchain.md).
 *
 * @example
 * const html = await renderDocsHtml(contract); // '<!DOCTYPE html>...'
 */
export async function renderDocsHtml(contract: Contract): Promise<string> {
  const React = require('react') as typeof import('react');
  const { renderToString } = require('react-dom/server') as typeof import('react-dom/server');
  const { AsyncApiComponentWP } = require('@asyncapi/react-component') as typeof import('@asyncapi/react-component');
  const bundlePath = require.resolve('@asyncapi/react-component/browser/standalone/without-parser.js');
  const cssPath = require.resolve('@asyncapi/react-component/styles/default.min.css');
  const [bundle, css] = await Promise.all([readFile(bundlePath, 'utf8'), readFile(cssPath, 'utf8')]);

  const config = {
    show: { sidebar: true, info: true, servers: true, operations: true, messages: true, messageExamples: true, schemas: true, errors: true },
    expand: { messageExamples: true },
    sidebar: { showOperations: 'byDefault', showServers: 'byDefault' },
  } as const;
  const document = await forDisplay(contract);
  const body = renderToString(React.createElement(AsyncApiComponentWP, { schema: document, config }));
  const serialized = stringify(document);
  if (serialized === undefined) throw new Error('internal: @asyncapi/parser could not stringify the document');

  // Inside <script>, "</script" would end the element early; "\u003c" is the same character in JS.
  const scriptSafe = (js: string): string => js.replaceAll('</script', '<\\/script').replaceAll('<!--', '<\\!--');
  const boot = `AsyncApiStandalone.hydrate({ schema: ${JSON.stringify(serialized).replaceAll('<', '\\u003c')}, config: ${JSON.stringify(config)} }, document.getElementById('root'));`;
  const scripts = [scriptSafe(bundle), boot];
  // The component scopes its font to .aui-root; the page itself needs one too.
  const style = `${css}\nbody{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}`;
  const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map(hash).join(' ')} 'unsafe-eval'`,
    // React sets style attributes while hydrating; they cannot be hashed ahead of time.
    "style-src 'unsafe-inline'",
    'img-src data:',
    'font-src data:',
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const info = document.info();
  const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return [
    '<!DOCTYPE html>',
    `<!-- DO NOT EDIT - generated by scripts/docs.ts from asyncapi.yaml and schemas/. Run \`npm run docs\`. -->`,
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escape(info.title())} ${escape(info.version())}</title>`,
    `<style>${style}</style>`,
    '</head>',
    '<body>',
    `<div id="root">${body}</div>`,
    ...scripts.map((s) => `<script>${s}</script>`),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
