import { createHash } from 'node:crypto';
import { Marked } from 'marked';
import type { ContractData } from '../contract/load-contract.js';
import { LIFECYCLE_STATES } from '../contract/load-contract.js';
import { anchor, docsParts } from './render-docs-markdown.js';
import { generatedHeader } from './generated-header.js';

/** `&`, `<`, `>` and `"` as character references: text is never read as HTML. */
const escape = (text: string): string => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

// The Markdown parts hold the contract's own words, where `<stream>` is text, not a tag: raw HTML is
// escaped, except the two tags the parts write themselves (line breaks in table cells, anchors).
const OWN_TAGS = /^(?:<br>|<a id="[a-z0-9_-]+">|<\/a>)$/;
const markdown = new Marked({
  gfm: true,
  renderer: {
    html: ({ text }) => (OWN_TAGS.test(text.trim()) ? text : escape(text)),
  },
});
const toHtml = (md: string): string => markdown.parse(md, { async: false });

// Filters the index by name or summary, aggregate and lifecycle; the page reads without it.
const FILTER_SCRIPT = `(() => {
  const q = document.getElementById('q'), aggregate = document.getElementById('aggregate'), lifecycle = document.getElementById('lifecycle');
  const rows = [...document.querySelectorAll('#types tbody tr')], count = document.getElementById('count');
  const apply = () => {
    const text = q.value.trim().toLowerCase();
    let shown = 0;
    for (const row of rows) {
      const d = row.dataset;
      const keep = (!text || d.type.includes(text) || d.summary.includes(text)) && (!aggregate.value || d.aggregate === aggregate.value) && (!lifecycle.value || d.lifecycle === lifecycle.value);
      row.hidden = !keep;
      if (keep) shown++;
    }
    count.textContent = shown + ' of ' + rows.length + ' event types';
  };
  for (const input of [q, aggregate, lifecycle]) input.addEventListener('input', apply);
  apply();
})();`;

const STYLE = `body{margin:0 auto;max-width:72rem;padding:1rem 1.5rem 3rem;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2328}
a{color:#0969da}code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
code{background:#f6f8fa;padding:.1em .3em;border-radius:4px}pre{background:#f6f8fa;padding:.75rem;overflow:auto;border-radius:6px}pre code{padding:0}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#f6f8fa}
.filters{display:flex;gap:.75rem;flex-wrap:wrap;align-items:center;margin:1rem 0}.filters input{min-width:18rem}
input,select{font:inherit;padding:.25rem .4rem}nav{margin:.5rem 0 1rem}`;

/**
 * A page: UTF-8, a Content-Security-Policy that lets nothing leave the page (the one script is
 * allowed by its hash), the shared style.
 */
function page(title: string, body: string, script?: string): string {
  const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
  const csp = ["default-src 'none'", `script-src ${script === undefined ? "'none'" : hash(script)}`, `style-src ${hash(STYLE)}`, "img-src 'none'", "connect-src 'none'", "base-uri 'none'", "form-action 'none'"].join('; ');
  return [
    '<!DOCTYPE html>',
    generatedHeader('asyncapi.yaml and schemas/', { comment: '<!--', by: 'docs' }).trimEnd(),
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escape(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    body,
    ...(script === undefined ? [] : [`<script>${script}</script>`]),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The Redis Streams binding (x-redis-streams) and the limits, as the index page shows them. */
function bindingSection(contract: ContractData): string {
  const b = contract.binding;
  if (!b) return '';
  const lines = [
    `- **entry field**: \`${b.entryField}\`, the envelope as UTF-8 JSON`,
    `- **dead letters**: \`${b.deadLetterStream}\`, with the fields ${Object.values(b.deadLetterFields).map((f) => `\`${f}\``).join(', ')} (an original field of those names is kept as \`${b.shadowPrefix}<name>\`)`,
    `- **idempotency and leases**: \`${b.handledKey}\``,
    `- **retries redriven to one group**: \`${b.retryStream}\``,
    ...Object.entries(b.reasons).map(([reason, meaning]) => `- **reason \`${reason}\`**: ${meaning}`),
    `- **consumer defaults**: ${Object.entries(b.defaults).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `- **limits** (x-event-limits): ${Object.entries(contract.limits ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  ];
  const raw = contract.raw as { servers?: Record<string, { 'x-redis-streams'?: { description?: unknown } }> };
  const description = Object.values(raw.servers ?? {}).map((s) => s['x-redis-streams']?.description).find((d) => typeof d === 'string') ?? '';
  return `## Redis Streams binding\n\n${String(description)}\n\n${lines.join('\n')}`;
}

/**
 * The HTML docs: `docs/index.html`, a light first page with the stream binding and an index of
 * every event type (filterable by name, aggregate and lifecycle), and one page per event type,
 * `docs/events/<eventType>.html`, with its streams, lifecycle, field table and examples. Written
 * from the same Markdown parts as docs/events.md, so both say the same; static, offline, and the
 * first page's size grows by one table row per type.
 *
 * @example
 * const files = renderDocsSite(contract); // Map { 'docs/index.html' => '<!DOCTYPE html>...', ... }
 */
export function renderDocsSite(contract: ContractData): Map<string, string> {
  const parts = docsParts(contract);
  const files = new Map<string, string>();
  const aggregates = [...new Set(parts.index.map((t) => t.eventType.split('.')[0]!))].sort();
  const option = (value: string, label = value): string => `<option value="${escape(value)}">${escape(label)}</option>`;
  const rows = parts.index.map((t) => {
    const aggregate = t.eventType.split('.')[0]!;
    const data = `data-type="${escape(t.eventType)}" data-aggregate="${escape(aggregate)}" data-lifecycle="${escape(t.lifecycle)}" data-summary="${escape(t.summary.toLowerCase())}"`;
    return `<tr ${data}><td><a href="events/${encodeURIComponent(t.eventType)}.html"><code>${escape(t.eventType)}</code></a></td><td>${escape(aggregate)}</td><td>${escape(t.lifecycle)}</td><td><code>${escape(t.streamKey)}</code></td><td>${escape(t.summary)}</td></tr>`;
  });
  files.set('docs/index.html', page(parts.title, [
    `<h1>${escape(parts.title)}</h1>`,
    toHtml(parts.intro),
    '<h2 id="event-types">Event types</h2>',
    '<div class="filters">',
    '<label>Name or summary <input id="q" type="search" placeholder="e.g. payment" autocomplete="off"></label>',
    `<label>Aggregate <select id="aggregate">${option('', 'all')}${aggregates.map((a) => option(a)).join('')}</select></label>`,
    `<label>Lifecycle <select id="lifecycle">${option('', 'all')}${LIFECYCLE_STATES.map((s) => option(s)).join('')}</select></label>`,
    `<span id="count" aria-live="polite">${parts.index.length} event types</span>`,
    '</div>',
    '<table id="types"><thead><tr><th>event type</th><th>aggregate</th><th>lifecycle</th><th>stream</th><th>summary</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody></table>`,
    toHtml(bindingSection(contract)),
    toHtml(parts.formats),
  ].join('\n'), FILTER_SCRIPT));
  for (const [eventType, section] of parts.sections) {
    // Links to the formats point at the index page, where the formats table is.
    const body = toHtml(section.replaceAll('](#', '](../index.html#'));
    files.set(`docs/events/${eventType}.html`, page(`${eventType} - ${parts.title}`, `<nav><a href="../index.html#${anchor('event-types')}">← all event types</a></nav>\n${body}`));
  }
  return files;
}
