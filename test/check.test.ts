import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventTypeNameProblem, isPastTense, pascalName, UNKNOWN_EVENT_TYPE_FIXTURE } from '../scripts/lib/contract/event-type-name.ts';
import { freshEventType } from './support/fresh-event-type.ts';
import { lintContract } from '../scripts/lib/governance/lint-contract.ts';
import { readContract } from '../scripts/lib/contract/load-contract.ts';
import { compareVersions } from '../scripts/lib/contract/releases.ts';
import { renderEventTypes } from '../scripts/lib/render/render-event-types.ts';
import { writeGenerated } from '../scripts/lib/render/write-generated.ts';
import { ROOT } from './support/contract-examples.ts';
import { CONTRACT_FILES } from '../scripts/lib/contract/contract-files.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of the contract and its generated TypeScript, with `edit` applied to one file's text. */
function fixture(edits: Record<string, (text: string) => string> = {}, extra: readonly string[] = []): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'check-'));
  dirs.push(dir);
  for (const entry of [...CONTRACT_FILES, 'generated', ...extra]) {
    mkdirSync(path.dirname(path.join(dir, entry)), { recursive: true });
    cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  for (const [file, edit] of Object.entries(edits)) {
    const at = path.join(dir, file);
    const before = readFileSync(at, 'utf8');
    const after = edit(before);
    if (after === before) throw new Error(`fixture: the edit of ${file} changed nothing`);
    writeFileSync(at, after);
  }
  return dir;
}
const lint = async (dir: string, today = new Date('2026-11-27T12:00:00Z')): Promise<string[]> =>
  (await lintContract(await readContract(dir), { today })).map((p) => p.message);
const editJson = (mutate: (schema: Record<string, any>) => void) => (text: string): string => {
  const schema = JSON.parse(text) as Record<string, any>;
  mutate(schema);
  return JSON.stringify(schema, null, 2);
};
const CHECK = path.join(ROOT, 'scripts/check.ts');
const NEW = path.join(ROOT, 'scripts/new-event.ts');
const run = (script: string, ...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, encoding: 'utf8' });

describe('npm run check', () => {
  it('is clean on the contract as committed', async () => {
    expect(await lint(ROOT, new Date())).toEqual([]);
    const cli = run(CHECK);
    expect(cli.status, cli.stderr).toBe(0);
  });

  it('refuses unportable patterns, naming the construct', async () => {
    const dir = fixture({ 'schemas/payment.completed.schema.json': (t) => t.replace('"^[A-Z]{3}$(?!\\\\n)"', '"^\\\\w{3}$(?!\\\\n)"') });
    expect((await lint(dir)).join('\n')).toMatch(/payment\.completed\.schema\.json#\/properties\/currency\/pattern: pattern \^\\w\{3\}\$\(\?!\\n\): \\d, \\w, \\s and \\b match non-ASCII/);
  });

  it('refuses a bare $ that lets a trailing newline through in Python', async () => {
    const dir = fixture({ 'schemas/payment.completed.schema.json': (t) => t.replace('"^[A-Z]{3}$(?!\\\\n)"', '"^[A-Z]{3}$"') });
    expect((await lint(dir)).join('\n')).toContain('pattern ^[A-Z]{3}$ is not anchored as ^...$(?!\\n)');
  });

  it('refuses a pattern that backtracks catastrophically (recheck finds the attack)', async () => {
    const dir = fixture({ 'schemas/listing.approved.schema.json': (t) => t.replace('"^[a-z][a-z0-9_]*(?:/[a-z][a-z0-9_]*)*$(?!\\\\n)"', '"^(?:[a-z]+)*/$(?!\\\\n)"') });
    expect((await lint(dir)).join('\n')).toMatch(/backtracks catastrophically \(exponential; attack/);
  });

  it('wants a description on every property and a title on every object and enum', async () => {
    const dir = fixture({
      'schemas/kyc.verified.schema.json': editJson((s) => {
        delete s['properties']['userId']['description'];
        delete s['properties']['level']['title'];
      }),
    });
    const problems = await lint(dir);
    expect(problems).toContain('schemas/kyc.verified.schema.json#/properties/userId: a property without a description');
    expect(problems).toContain('schemas/kyc.verified.schema.json#/properties/level: an object or enum without a title');
  });

  it('refuses enforced before 14 days of dual-publishing, and accepts it after', async () => {
    const enforce = (since: string, enforced: string) => (t: string): string =>
      t.replace("x-lifecycle:\n        state: dual-publish\n        dualPublishSince: '2026-11-27'\n      title: Payment completed", `x-lifecycle:\n        state: enforced\n        dualPublishSince: '${since}'\n        enforcedSince: '${enforced}'\n      title: Payment completed`);
    const early = await lint(fixture({ 'asyncapi.yaml': enforce('2026-11-20', '2026-11-27') }));
    expect(early.join('\n')).toContain('asyncapi.yaml#/components/messages/payment.completed/x-lifecycle/state: enforced after 7 day(s) of dual-publishing; consumers may hard-fail only after 14');
    const later = fixture({ 'asyncapi.yaml': enforce('2026-11-01', '2026-11-20') });
    // The lifecycle is in generated/event-types.ts (EVENT_LIFECYCLE): regenerate it, as the author would.
    writeFileSync(path.join(later, 'generated/event-types.ts'), renderEventTypes(await readContract(later)));
    expect(await lint(later)).toEqual([]);
  });

  it('wants a deprecated type to name an existing replacement', async () => {
    const dir = fixture({ 'asyncapi.yaml': (t) => t.replace("x-lifecycle:\n        state: dual-publish\n        dualPublishSince: '2026-11-27'\n      title: KYC verified", "x-lifecycle:\n        state: deprecated\n        deprecatedSince: '2026-11-27'\n        replacement: kyc.checked\n      title: KYC verified") });
    expect((await lint(dir)).join('\n')).toContain('replacement "kyc.checked" is not an event type of the contract');
  });

  it('refuses to reuse a reserved name', async () => {
    const dir = fixture({ 'asyncapi.yaml': (t) => t.replace('x-reserved-event-types: []', "x-reserved-event-types:\n  - name: listing.approved\n    retired: '2025-01-01'") });
    expect((await lint(dir)).join('\n')).toContain('"listing.approved" is reserved (retired 2025-01-01): a retired name is never reused');
  });

  it('notices generated code that is out of date', async () => {
    const dir = fixture({ 'generated/event-types.ts': (t) => t.replace("'kyc.verified', ", '') });
    expect(await lint(dir)).toContain('generated/event-types.ts#: no literal for "kyc.verified"');
  });

  it('notices a schema edited without npm run generate: its validators are stale', async () => {
    const dir = fixture({ 'schemas/kyc.verified.schema.json': editJson((s) => { s['required'] = s['required'].filter((r: string) => r !== 'provider'); }) });
    const problems = await lintContract(await readContract(dir), { today: new Date('2026-11-27T12:00:00Z') });
    expect(problems.map((p) => p.message)).toEqual(['generated/payload-validators/kyc.verified.cjs#: stale: generated from another contract (or missing)']);
  });

  describe('payload versions, against the latest release (releases/)', () => {
    const LATEST = readdirSync(path.join(ROOT, 'releases')).sort(compareVersions).at(-1)!;
    const RELEASED = ['releases', 'package.json', 'python/pyproject.toml'];
    /** payment.completed's x-payload-version set to `version` in the document's text. */
    const versionOf = (version: string) => (t: string): string => {
      const at = t.indexOf("x-payload-version: '1.0'", t.indexOf('    payment.completed:\n      name: payment.completed'));
      return t.slice(0, at) + `x-payload-version: '${version}'` + t.slice(at + "x-payload-version: '1.0'".length);
    };
    const withNote = editJson((s) => { s['properties']['note'] = { description: 'A note for support.', type: 'string', maxLength: 200 }; });

    it('fails a payload schema changed without a version bump, naming the type and the bump; passes with it', async () => {
      const unbumped = await lint(fixture({ 'schemas/payment.completed.schema.json': withNote }, RELEASED));
      expect(unbumped).toContain(`asyncapi.yaml#/components/messages/payment.completed/x-payload-version: payment.completed: the payload schema changed since release ${LATEST} (x-payload-version 1.0) but its version did not`);
      const cli = run(CHECK, '--root', fixture({ 'schemas/payment.completed.schema.json': withNote }, RELEASED));
      expect(cli.stderr).toContain("fix: bump it: x-payload-version: '1.1' (a compatible change)");
      const bumped = fixture({ 'schemas/payment.completed.schema.json': withNote, 'asyncapi.yaml': versionOf('1.1') }, RELEASED);
      await writeGenerated(bumped); // as the author would: the validators and EVENT_PAYLOAD_VERSIONS follow
      expect(await lint(bumped)).toEqual([]);
    });

    it('counts descriptions, titles and examples as no change, and refuses a bump without a change', async () => {
      const reworded = editJson((s) => { s['properties']['orderId']['description'] = 'The order this payment pays for.'; });
      expect(await lint(fixture({ 'schemas/payment.completed.schema.json': reworded }, RELEASED))).toEqual([]);
      expect(await lint(fixture({ 'asyncapi.yaml': versionOf('1.1') }, RELEASED))).toContain(`asyncapi.yaml#/components/messages/payment.completed/x-payload-version: payment.completed: x-payload-version 1.1, but the payload schema has not changed since release ${LATEST} (1.0)`);
    });

    it('wants a breaking change as a new type (or declared), MAJOR to be the generation, and MAJOR.MINOR', async () => {
      const breaking = editJson((s) => { s['required'] = [...s['required'], 'gatewayReference']; });
      const problems = (await lint(fixture({ 'schemas/payment.completed.schema.json': breaking }, RELEASED))).join('\n');
      expect(problems).toContain('but its version did not, and the change is breaking (npm run compat shows it)');
      const cli = run(CHECK, '--root', fixture({ 'schemas/payment.completed.schema.json': breaking }, RELEASED));
      expect(cli.stderr).toContain('fix: publish the new shape as a new type, payment.completed_v2, dual-published beside this one');
      expect(await lint(fixture({ 'asyncapi.yaml': versionOf('2.0') }))).toContain("asyncapi.yaml#/components/messages/payment.completed/x-payload-version: payment.completed: x-payload-version 2.0: MAJOR is the type's generation, 1 for payment.completed");
      expect(await lint(fixture({ 'asyncapi.yaml': versionOf('1') }))).toContain('asyncapi.yaml#/components/messages/payment.completed/x-payload-version: payment.completed: x-payload-version "1" is not MAJOR.MINOR');
    });

    it('keeps package.json, pyproject.toml and info.version in step', async () => {
      const problems = await lint(fixture({ 'python/pyproject.toml': (t) => t.replace(/^version = "[^"]*"$/m, 'version = "9.9.9"') }, RELEASED));
      expect(problems.join('\n')).toMatch(/^python\/pyproject\.toml#\/project\/version: version "9\.9\.9" differs from the contract's info\.version \d+\.\d+\.\d+$/m);
    });
  });

  it("runs @asyncapi/parser's rules on the document, beside its own", () => {
    const dir = fixture({
      'asyncapi.yaml': (t) => t.replace(/^(info:\n) {2}title: .*\n/m, '$1'),
      'schemas/kyc.verified.schema.json': editJson((s) => delete s['properties']['userId']['description']),
    });
    const cli = run(CHECK, '--root', dir);
    expect(cli.status).toBe(1);
    const errors = cli.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(errors[0]).toBe('error: asyncapi.yaml#/info: asyncapi-document-resolved: "info" property must have required property "title"; fix: correct the document so that @asyncapi/parser reports no error or warning');
    expect(errors[1]).toMatch(/^error: schemas\/kyc\.verified\.schema\.json#\/properties\/userId: a property without a description/);
  });

  it('prints one line per problem with file, pointer, what and fix, and exits 1', () => {
    const dir = fixture({ 'schemas/kyc.verified.schema.json': editJson((s) => delete s['properties']['userId']['description']) });
    const cli = run(CHECK, '--root', dir);
    expect(cli.status).toBe(1);
    expect(cli.stderr.split('\n')[0]).toBe('error: schemas/kyc.verified.schema.json#/properties/userId: a property without a description; fix: describe it: the description is the documentation, in the models and the docs');
  });
});

describe('event type names', () => {
  it.each([
    ['order.ship', /"ship" is not a past-tense verb/],
    ['Order.Shipped', /has uppercase letters/],
    ['order', /has one segment/],
    ['order.shipped.today', /has 3 segments/],
    ['order.__shipped', /breaks the rule/],
  ])('refuses %s', (name, rule) => expect(eventTypeNameProblem(name)).toMatch(rule));

  it.each(['order.shipped', 'kyc.verified', 'user.signed_up', 'payment.partially_refunded', 'payment.completed_v2', 'invoice.sent', 'order.paid'])('accepts %s', (name) => {
    expect(eventTypeNameProblem(name)).toBeUndefined();
  });

  it('knows regular and irregular past forms, and -ed words that are not', () => {
    expect(['shipped', 'verified', 'sent', 'paid', 'built', 'withdrawn'].every(isPastTense)).toBe(true);
    expect(['ship', 'need', 'seed', 'speed', 'create'].some(isPastTense)).toBe(false);
  });
});

describe('npm run new-event', () => {
  it('scaffolds a type that check then fails only on its named placeholders', () => {
    const dir = fixture();
    const name = freshEventType();
    const made = run(NEW, name, '--root', dir, '--producer', 'orders-service');
    expect(made.status, made.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'generated/event-types.ts'), 'utf8')).toContain(`'${name}'`);
    expect(readFileSync(path.join(dir, 'generated/models.ts'), 'utf8')).toMatch(new RegExp(`^export interface ${pascalName(name)}Event\\b`, 'm'));
    const cli = run(CHECK, '--root', dir);
    expect(cli.status).toBe(1);
    const problems = cli.stderr.trim().split('\n').filter((l) => l.startsWith('error: '));
    expect(problems.length).toBe(7);
    for (const p of problems) expect(p).toMatch(/placeholder|the payload has no fields/);
    expect(problems.every((p) => p.includes(name))).toBe(true);
  });

  it.each([
    ['order.ship', '"ship" is not a past-tense verb'],
    [UNKNOWN_EVENT_TYPE_FIXTURE, 'reserved for the tests'],
    ['Order.Shipped', 'has uppercase letters'],
    ['order', 'has one segment'],
    ['payment.completed', '"payment.completed" already exists'],
  ])('refuses %s with the rule it breaks, and writes nothing', (name, rule) => {
    const dir = fixture();
    const before = readFileSync(path.join(dir, 'asyncapi.yaml'), 'utf8');
    const made = run(NEW, name, '--root', dir);
    expect(made.status).toBe(1);
    expect(made.stderr).toContain(rule);
    expect(readFileSync(path.join(dir, 'asyncapi.yaml'), 'utf8')).toBe(before);
  });
});
