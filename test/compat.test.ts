import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffSchemas, type Verdict } from '../scripts/lib/governance/schema-diff.ts';
import { contractExamples, ROOT } from './support/contract-examples.ts';
import { RedisServer } from './support/redis-server.ts';
import { createClient } from 'redis';
import { CONTRACT_FILES } from '../scripts/lib/contract/contract-files.ts';

interface Case {
  readonly description: string;
  readonly before: Record<string, unknown>;
  readonly after: Record<string, unknown>;
  readonly expected: { readonly producers: Verdict; readonly consumers: Verdict; readonly change?: string };
}
const CASES = JSON.parse(readFileSync(path.join(ROOT, 'test/compat/cases.json'), 'utf8')) as Case[];

describe('the labelled corpus of schema changes (test/compat/cases.json)', () => {
  it('has at least 40 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(40));
  for (const c of CASES) {
    it(c.description, () => {
      const changes = diffSchemas(c.before, c.after);
      const producers = changes.some((x) => x.producers === 'breaking') ? 'breaking' : 'safe';
      const consumers = changes.some((x) => x.consumers === 'breaking') ? 'breaking' : 'safe';
      expect({ producers, consumers }, JSON.stringify(changes)).toEqual({ producers: c.expected.producers, consumers: c.expected.consumers });
      if (c.expected.change) expect(changes.map((x) => x.change).join('; ')).toContain(c.expected.change);
    });
  }
});

describe('npm run compat', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const copy = (...extra: string[]): string => {
    const dir = mkdtempSync(path.join(tmpdir(), 'compat-'));
    dirs.push(dir);
    for (const entry of [...CONTRACT_FILES, 'generated', ...extra]) cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
    return dir;
  };
  /** A copy with the releases, payment.completed's payload given an optional field (a compatible change). */
  const withOptionalField = (version: string): string => {
    const head = copy('releases');
    const file = path.join(head, 'schemas/payment.completed.schema.json');
    const schema = JSON.parse(readFileSync(file, 'utf8')) as { properties: Record<string, unknown> };
    schema.properties['note'] = { description: 'A note for support.', type: 'string', maxLength: 200 };
    writeFileSync(file, JSON.stringify(schema, null, 2));
    const yaml = path.join(head, 'asyncapi.yaml');
    const text = readFileSync(yaml, 'utf8');
    const at = text.indexOf("x-payload-version: '1.0'", text.indexOf('    payment.completed:\n      name: payment.completed'));
    writeFileSync(yaml, text.slice(0, at) + `x-payload-version: '${version}'` + text.slice(at + "x-payload-version: '1.0'".length));
    return head;
  };

  it('compares with the latest release by default, and says which payload version a change needs', () => {
    const head = withOptionalField('1.1');
    const run = compat(head);
    expect(run.status, run.stderr).toBe(0);
    const latest = readdirSync(path.join(ROOT, 'releases')).sort().at(-1)!;
    expect(run.stdout).toContain(`since release ${latest}`);
    expect(run.stdout).toContain(`payment.completed: payload changed compatibly since release ${latest}: x-payload-version 1.0 → 1.1, the contract has 1.1 (ok)`);
    const stale = compat(withOptionalField('1.0'));
    expect(stale.stdout).toContain('x-payload-version 1.0 → 1.1, the contract has 1.0 (needs a bump: npm run check fails)');
  });

  it('checks against every release from --since on, and writes Markdown for a pull request with --format markdown', () => {
    const head = withOptionalField('1.1');
    const first = readdirSync(path.join(ROOT, 'releases')).sort()[0]!;
    const run = compat(head, '--since', first, '--format', 'markdown');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`### Contract compatibility since release ${first}`);
    expect(run.stdout).toContain('| event type | JSON pointer | change | producers | consumers | reason |');
    expect(run.stdout).toMatch(/\| `payment\.completed` \| `\/payload\/properties\/note` \| optional property added \| ✅ safe \| ✅ safe \|/);
    expect(run.stdout).toContain('- `payment.completed`: payload changed compatibly');
  });

  it('lets a payload\'s breaking change through once declared with its event type and reason', () => {
    const head = copy('releases');
    const file = path.join(head, 'schemas/kyc.verified.schema.json');
    const schema = JSON.parse(readFileSync(file, 'utf8')) as { required: string[] };
    schema.required = [...schema.required, 'expiresAt'];
    writeFileSync(file, JSON.stringify(schema, null, 2));
    expect(compat(head).status).toBe(1);
    const yaml = path.join(head, 'asyncapi.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('x-declared-breaking-changes: []\n', 'x-declared-breaking-changes:\n  - pointer: /payload/required\n    eventType: kyc.verified\n    reason: every verification expires now\n'));
    const run = compat(head);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\| kyc\.verified +\| \/payload\/required +\| property expiresAt made required +\| breaking +\| safe +\| declared: every verification expires now/);
    // Declared for another type, it lets nothing through.
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('    eventType: kyc.verified\n', '    eventType: listing.approved\n'));
    expect(compat(head).status).toBe(1);
  });

  it('--against-stream judges the last real entries of a stream with the working tree\'s schemas, in each mode', async () => {
    const server = await RedisServer.start();
    try {
      const client = createClient({ url: server.url });
      await client.connect();
      const example = contractExamples().find((e) => e.eventType === 'payment.completed')!.payload;
      const withReference = (ref: string): string => JSON.stringify({ ...example, payload: { ...(example['payload'] as object), gatewayReference: ref } });
      await client.xAdd('events:payment.completed', '*', { envelope: withReference('short') });
      await client.xAdd('events:payment.completed', '*', { envelope: withReference('a-reference-of-forty-characters-and-more') });
      await client.xAdd('events:payment.completed', '*', { envelope: '{not json' });
      await client.close();
      // The change under review: gateway references of at most 20 characters.
      const head = copy();
      const file = path.join(head, 'schemas/payment.completed.schema.json');
      writeFileSync(file, readFileSync(file, 'utf8').replace('"maxLength": 128', '"maxLength": 20'));
      const run = compat(head, '--against-stream', 'payment.completed', '--url', server.url, '--sample', '10');
      expect(run.status, run.stderr).toBe(1);
      expect(run.stdout).toContain('compat: the last 3 entries of events:payment.completed (asked for 10), judged by the working tree\'s schemas:');
      expect(run.stdout).toMatch(/^producer mode: 2 of 3 would be rejected$/m);
      expect(run.stdout).toMatch(/^consumer mode: 2 of 3 would be rejected$/m);
      expect(run.stdout).toMatch(/^ {2}\d+-\d+: \/payload\/gatewayReference must have at most 20 characters \(maxLength\)$/m);
      expect(run.stdout).toMatch(/^ {2}\d+-\d+: not JSON: /m);
      // The sample is the newest entries.
      expect(compat(head, '--against-stream', 'payment.completed', '--url', server.url, '--sample', '1').stdout).toMatch(/^consumer mode: 1 of 1 would be rejected$/m);
      expect(compat(ROOT, '--against-stream', 'payment.completed', '--url', server.url, '--sample', '2').stdout).toMatch(/^producer mode: 1 of 2 would be rejected$/m);
      expect(compat(ROOT, '--against-stream', 'order.shipped', '--url', server.url).stderr).toContain('"order.shipped" is not an event type of the contract');
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('refuses options it cannot combine, and a release that is not recorded, with the fix', () => {
    expect(compat(ROOT, '--release', '9.9.9').stderr).toMatch(/error: asyncapi\.yaml#: 9\.9\.9 is not a recorded release \(.*\); fix: pass nothing/);
    expect(compat(ROOT, '--since', '0.1.0', '--base', 'HEAD').stderr).toContain('--since and --base: compare with one of them');
  });
  const compat = (root: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/compat.ts'), '--root', root, ...args], { cwd: ROOT, encoding: 'utf8' });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  };

  it('fails on a change to the Redis wire (a key template), and lets it through once declared with its reason', () => {
    const head = copy();
    const yaml = path.join(head, 'asyncapi.yaml');
    const text = readFileSync(yaml, 'utf8');
    writeFileSync(yaml, text.replace("entryField: envelope", 'entryField: event'));
    const run = compat(head, '--against', ROOT);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/\| \(redis binding\) +\| \/servers\/redis\/x-redis-streams\/entryField +\| entryField changed from "envelope" to "event" +\| breaking +\| breaking +\|/);
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('x-declared-breaking-changes: []\n', 'x-declared-breaking-changes:\n  - pointer: /servers/redis/x-redis-streams/entryField\n    reason: a test rename\n'));
    const declared = compat(head, '--against', ROOT);
    expect(declared.status, declared.stderr).toBe(0);
    expect(declared.stdout).toContain('declared: a test rename');
  });

  it('fails with a table row naming a required field removed from payment.completed', () => {
    const head = copy();
    const file = path.join(head, 'schemas/payment.completed.schema.json');
    const schema = JSON.parse(readFileSync(file, 'utf8')) as { required: string[]; properties: Record<string, unknown> };
    schema.required = schema.required.filter((r) => r !== 'orderId');
    delete schema.properties['orderId'];
    writeFileSync(file, JSON.stringify(schema, null, 2));
    // The example still has orderId; drop it too so the head is a valid contract.
    const yaml = path.join(head, 'asyncapi.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/\n\s+orderId: ord_[a-z0-9]+/g, ''));
    const run = compat(head, '--against', ROOT);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/\| payment\.completed +\| \/payload\/properties\/orderId +\| required property removed +\| breaking +\| breaking +\|/);
    expect(run.stderr).toContain('error: breaking change(s) above');
  });

  it('passes a safe change (an optional field added) and prints it', () => {
    const head = copy();
    const file = path.join(head, 'schemas/kyc.verified.schema.json');
    const schema = JSON.parse(readFileSync(file, 'utf8')) as { properties: Record<string, unknown> };
    schema.properties['country'] = { description: 'ISO 3166-1 alpha-2 country of the document.', type: 'string', pattern: '^[A-Z]{2}$(?!\\n)' };
    writeFileSync(file, JSON.stringify(schema, null, 2));
    const run = compat(head, '--against', ROOT);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/kyc\.verified +\| \/payload\/properties\/country +\| optional property added +\| safe +\| safe/);
  });

  it('passes a new major version added as a new event type beside the old one', () => {
    const head = copy();
    execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/new-event.ts'), 'payment.completed_v2', '--root', head, '--producer', 'payments-service'], { cwd: ROOT, stdio: 'pipe' });
    const run = compat(head, '--against', ROOT);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/payment\.completed_v2 +\| \/ +\| event type added +\| safe +\| safe/);
  });

  it('compares with a git ref (the previous commit here has the same schemas)', () => {
    const run = compat(ROOT, '--base', 'HEAD');
    expect(run.status, run.stderr).toBe(0);
  });

  it('refuses a ref that is not a commit, with the fix', () => {
    const run = compat(ROOT, '--base', 'no-such-branch');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('error: .git#: "no-such-branch" is not a commit here; fix: pass a branch, tag or commit');
  });
});
