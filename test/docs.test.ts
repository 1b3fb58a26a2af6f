// The rendered docs (the index page and one page per event type), opened from file:// in a real browser (Debian's chromium, driven by
// playwright-core; never a downloaded browser), with no network: everything must be in the page.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContract } from '../scripts/lib/contract/load-contract.ts';
import { renderDocsSite } from '../scripts/lib/render/render-docs-site.ts';
import { ROOT } from './support/contract-examples.ts';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const OUTPUT = path.join(ROOT, 'test-output');
const contract = await loadContract(ROOT);
const work = mkdtempSync(path.join(tmpdir(), 'docs-'));
const page_ = path.join(work, 'docs', 'index.html');

let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const consoleErrors: string[] = [];
const offPage: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium; npm run setup does it as root), or set CHROMIUM_PATH`);
  }
  for (const [file, html] of renderDocsSite(contract)) {
    mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
    writeFileSync(path.join(work, file), html);
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // Every request that is not the page itself or inline data is recorded and refused.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (/^(file|data|blob):/.test(url)) return route.continue();
    offPage.push(url);
    return route.abort();
  });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await page.goto(pathToFileURL(page_).href, { waitUntil: 'load' });
});

afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A field of the type's payload the page must show: its first required property, from the schema. */
const fieldOf = (eventType: string): { name: string; description: string } => {
  const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas', `${eventType}.schema.json`), 'utf8')) as { required: string[]; properties: Record<string, { description: string }> };
  const name = schema.required[0]!;
  return { name, description: schema.properties[name]!.description };
};
const visibleTypes = async (): Promise<string[]> => page.locator('#types tbody tr:not([hidden]) td:first-child').allInnerTexts();

describe('docs/index.html in Chromium, from file://, offline', () => {
  it('shows the title, version and the redis stream binding, with <stream> and code spans as written', async () => {
    const info = contract.document.info();
    await expect(page.title()).resolves.toBe(`${info.title()} ${info.version()}`);
    const text = await page.locator('body').innerText();
    expect(text).toContain('Redis Streams binding');
    expect(text).toMatch(/entry field\W+envelope/);
    expect(text).toContain(contract.binding!.deadLetterStream); // '{<stream>}:dead-letter', not '{}:dead-letter'
    expect(text).toContain(contract.binding!.deadLetterFields.group);
    for (const reason of Object.keys(contract.binding!.reasons)) expect(text).toContain(`reason ${reason}`);
    expect(text).not.toContain('`'); // code spans are rendered, not shown as backticks
    expect(text).not.toMatch(/<a |<\/a>|<br>/); // the parts' own tags are tags, not text
  });

  it('lists every event type with its aggregate, lifecycle and stream, each linking to its page', async () => {
    expect(await visibleTypes()).toEqual(contract.eventTypes.map((t) => t.eventType));
    for (const t of contract.eventTypes) {
      const row = page.locator(`#types tbody tr[data-type="${t.eventType}"]`);
      expect(await row.innerText()).toContain(t.streamKey);
      expect(await row.getAttribute('data-lifecycle')).toBe(t.lifecycle.state);
      expect(await row.locator('a').getAttribute('href')).toBe(`events/${t.eventType}.html`);
    }
  });

  it('filters the index by name, aggregate and lifecycle', async () => {
    const [first] = contract.eventTypes;
    await page.fill('#q', first!.eventType);
    expect(await visibleTypes()).toEqual([first!.eventType]);
    expect(await page.locator('#count').innerText()).toBe(`1 of ${contract.eventTypes.length} event types`);
    await page.fill('#q', 'fixture.never_defined');
    expect(await visibleTypes()).toEqual([]);
    await page.fill('#q', '');
    const aggregate = first!.eventType.split('.')[0]!;
    await page.selectOption('#aggregate', aggregate);
    expect(await visibleTypes()).toEqual(contract.eventTypes.filter((t) => t.eventType.split('.')[0] === aggregate).map((t) => t.eventType));
    await page.selectOption('#aggregate', '');
    await page.selectOption('#lifecycle', first!.lifecycle.state);
    expect(await visibleTypes()).toEqual(contract.eventTypes.filter((t) => t.lifecycle.state === first!.lifecycle.state).map((t) => t.eventType));
    await page.selectOption('#lifecycle', 'deprecated');
    expect(await visibleTypes()).toEqual(contract.eventTypes.filter((t) => t.lifecycle.state === 'deprecated').map((t) => t.eventType));
    await page.selectOption('#lifecycle', '');
    expect(await visibleTypes()).toHaveLength(contract.eventTypes.length);
  });

  it('keeps a full-page screenshot for people (test-output/, not committed)', async () => {
    mkdirSync(OUTPUT, { recursive: true });
    const file = path.join(OUTPUT, 'docs.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).toBe(true);
  });
});

describe('docs/events/<eventType>.html, reached from the index', () => {
  it('shows each type\'s streams, lifecycle, payload version and its history, a payload field with its description, and its example', async () => {
    const anchors = new Set<string>();
    for (const t of contract.eventTypes) {
      await page.goto(pathToFileURL(page_).href);
      await page.click(`#types a[href="events/${t.eventType}.html"]`);
      await expect(page.title()).resolves.toContain(t.eventType);
      const text = await page.locator('body').innerText();
      expect(text).toContain(t.streamKey);
      expect(text).toContain(t.deadLetterKey);
      expect(text).toContain(`Lifecycle: ${t.lifecycle.state}`);
      // Its payload version, and the history of its versions from the release records.
      expect(text).toContain(`Payload version: ${t.payloadVersion!}`);
      for (const r of contract.releases) if (r.payloadVersions[t.eventType]) expect(text).toContain(`${r.version} (${r.date})`);
      const field = fieldOf(t.eventType);
      expect(text).toContain(`payload.${field.name}`);
      expect(text).toContain(field.description);
      expect(text).toContain(t.examples[0]!.name);
      expect(text).not.toContain('`');
      // Its formats link back to the index, where the formats table is.
      for (const link of await page.locator('a[href*="#"]').all()) {
        const href = await link.getAttribute('href');
        expect(href).toMatch(/^\.\.\/index\.html#/);
        anchors.add(href!.slice(href!.indexOf('#') + 1));
      }
    }
    // Every format a type page links to has its anchor on the index page.
    await page.goto(pathToFileURL(page_).href);
    expect(anchors.size).toBeGreaterThan(0);
    for (const id of anchors) expect(await page.locator(`[id="${id}"]`).count(), id).toBe(1);
  });

  it('raised no page error and no console error', () => {
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('made no request to any other host', () => {
    expect(offPage).toEqual([]);
  });
});
