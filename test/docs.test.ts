// The rendered docs, opened from file:// in a real browser (Debian's chromium, driven by
// playwright-core; never a downloaded browser), with no network: everything must be in the page.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContract } from '../scripts/lib/load-contract.ts';
import { renderDocsHtml } from '../scripts/lib/render-docs-html.ts';
import { ROOT } from './support/contract-examples.ts';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const OUTPUT = path.join(ROOT, 'test-output');
const contract = await loadContract(ROOT);
const work = mkdtempSync(path.join(tmpdir(), 'docs-'));
const page_ = path.join(work, 'index.html');

let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const consoleErrors: string[] = [];
const offPage: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium; npm run setup does it as root), or set CHROMIUM_PATH`);
  }
  writeFileSync(page_, await renderDocsHtml(contract));
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
  // Hydration is done when the component's own buttons respond; wait for them.
  await page.getByRole('button', { name: 'Expand all' }).first().waitFor({ state: 'visible', timeout: 15_000 });
});

afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('docs/index.html in Chromium, from file://, offline', () => {
  it('shows the title, version and the redis server', async () => {
    await expect(page.title()).resolves.toBe('GoodGo events 0.1.0');
    // The sidebar (hidden at this width) repeats the title; the visible one uses a non-breaking space.
    expect(await page.getByText(/^GoodGo events\s+0\.1\.0$/).filter({ visible: true }).count()).toBe(1);
    expect(await page.locator('#root').innerText()).toMatch(/redis/i);
  });

  it('shows every event type and its stream address', async () => {
    const text = await page.locator('#root').innerText();
    for (const t of contract.eventTypes) {
      expect(text, t.eventType).toContain(t.eventType);
      expect(text, t.streamKey).toContain(t.streamKey);
      expect(await page.getByText(t.streamKey, { exact: true }).first().isVisible(), t.streamKey).toBe(true);
    }
  });

  it('shows a payload field of each event type once the payload trees are expanded', async () => {
    // "Expand all" opens a tree; opened trees show nested trees with buttons of their own. Three
    // passes over the visible buttons open every level the contract has (objects nest two deep).
    const buttons = page.getByRole('button', { name: 'Expand all', exact: true }).filter({ visible: true });
    expect(await buttons.count()).toBeGreaterThan(0);
    for (let pass = 0; pass < 3; pass++) {
      for (const button of await buttons.all()) await button.click({ force: true, timeout: 2_000 }).catch(() => undefined);
    }
    for (const field of ['paymentId', 'listingId', 'verificationId', 'gatewayReference', 'moderator']) {
      expect(await page.getByText(field, { exact: true }).first().isVisible(), field).toBe(true);
    }
    // Descriptions and constraints are part of the tree too.
    const text = await page.locator('#root').innerText();
    expect(text).toContain('The payment\'s id in the payments service.');
  });

  it('shows each event type\'s lifecycle state, its dead-letter stream, and the stream binding', async () => {
    const text = await page.locator('#root').innerText();
    for (const t of contract.eventTypes) {
      expect(text).toContain(`lifecycle: ${t.lifecycle.state}`);
      expect(text).toContain(t.deadLetterKey);
    }
    expect(text).toContain('Redis Streams binding');
    expect(text).toMatch(/entry field\W+envelope/);
    // The binding's data, rendered from the contract: the dead-letter fields and every reason.
    expect(text).toContain(contract.binding!.deadLetterFields.group);
    for (const reason of Object.keys(contract.binding!.reasons)) expect(text).toContain(`reason ${reason}`);
  });

  it('keeps a full-page screenshot for people (test-output/, not committed)', async () => {
    mkdirSync(OUTPUT, { recursive: true });
    const file = path.join(OUTPUT, 'docs.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).toBe(true);
  });

  it('raised no page error and no console error', () => {
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('made no request to any other host', () => {
    expect(offPage).toEqual([]);
  });
});
