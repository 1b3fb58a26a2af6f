import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadContract } from '../scripts/lib/contract/load-contract.ts';
import { renderDocsMarkdown } from '../scripts/lib/render/render-docs-markdown.ts';
import { ROOT } from './support/contract-examples.ts';
import { CONTRACT_FILES } from '../scripts/lib/contract/contract-files.ts';

const contract = await loadContract(ROOT);
const markdown = renderDocsMarkdown(contract);
const section = (eventType: string): string => markdown.split(/^## /m).find((s) => s.startsWith(`${eventType}\n`)) ?? '';

describe('docs/events.md', () => {
  it('has one section per event type, with its stream key', () => {
    for (const t of contract.eventTypes) {
      expect(section(t.eventType), t.eventType).toContain(`- Stream key: \`${t.streamKey}\`; dead letters: \`${t.deadLetterKey}\``);
    }
  });

  it('has a field table per event type: envelope and payload fields, type, required, description, constraints', () => {
    const payment = section('payment.completed');
    expect(payment).toContain('| field | type | required | description | constraints |');
    expect(payment).toContain('| `eventType` | string | yes | Always payment.completed. | always `"payment.completed"` |');
    expect(payment).toContain('| `payload.amount` | integer | yes |');
    expect(payment).toMatch(/\| `payload\.amount` \| integer \| yes \| Amount captured[^|]*\| ≥ 1<br>≤ 9007199254740991 \|/);
    expect(payment).toContain('| `payload.gateway` | string (PaymentGateway) | yes | The payment gateway that captured the money. | one of `stripe`, `adyen`, `paypal`, `momo`, `vnpay`, `zalopay` |');
    expect(payment).toMatch(/\| `payload\.gatewayReference` \| string \| no \|.*at least 1 characters<br>at most 128 characters/);
    expect(payment).toContain('format [`UtcTimestamp`](#utctimestamp)');
    // Nested objects appear with dotted paths, required only if every parent is.
    expect(section('listing.approved')).toContain('| `payload.moderator.kind` | string (ModeratorKind) | yes |');
  });

  it('names each format once with its exact pattern, pipes escaped for the table', () => {
    const formats = markdown.slice(markdown.indexOf('## Formats'));
    expect(formats).toContain('`^[0-9a-f]{32}$(?!\\n)`');
    expect(formats).toMatch(/`UtcTimestamp` \| `\^\(\?:\(\?!0000\)\[0-9\]\{4\}-\(\?:\(\?:0\[1-9\]\\\|1\[0-2\]\)/);
  });

  it('shows every message example as JSON', () => {
    expect(section('payment.completed')).toContain('### Example: card-payment');
    expect(section('payment.completed')).toContain('"gatewayReference": "pi_3QJ8Zt2eZvKYlo2C1a2b3c4d"');
  });

  it('is what is checked in', () => {
    expect(readFileSync(path.join(ROOT, 'docs/events.md'), 'utf8')).toBe(markdown);
  });
});

describe('npm run docs on a broken contract', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  /** Runs npm run docs on a copy of the contract with one text replaced in asyncapi.yaml. */
  const docsWith = (from: string, to: string): { status: number | null; stderr: string; dir: string } => {
    const dir = mkdtempSync(path.join(tmpdir(), 'docs-broken-'));
    dirs.push(dir);
    for (const entry of CONTRACT_FILES) cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
    const yaml = path.join(dir, 'asyncapi.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(from, to));
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/docs.ts'), '--root', dir], { cwd: ROOT, encoding: 'utf8' });
    return { status: run.status, stderr: run.stderr, dir };
  };

  it('exits 1 naming the file and pointer of a broken $ref, and writes nothing', () => {
    const run = docsWith('./schemas/events/listing.approved.schema.json', './schemas/events/listing.aproved.schema.json');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('error: asyncapi.yaml#/components/messages/listing.approved/payload/$ref: invalid-ref');
    expect(run.stderr).toContain('listing.aproved.schema.json');
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(path.join(run.dir, 'docs'))).toBe(false);
  });

  it('exits 1 naming the example field that fails its schema', () => {
    const run = docsWith('currency: VND', 'currency: dong');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('asyncapi.yaml#/components/messages/payment.completed/examples/0/payload/payload/currency: example "card-payment" must be a valid CurrencyCode');
    expect(existsSync(path.join(run.dir, 'docs'))).toBe(false);
  });
});
