// TypeScript and Python must give the same verdict: these tests run both, side by side, through
// the repository's venv (created by npm run setup).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContract, type JsonObject } from '../scripts/lib/contract/load-contract.ts';
import { venvPython } from '../scripts/lib/render/render-python.ts';
import { createEnvelope, EVENT_PAYLOAD_SCHEMA_IDS, EVENT_PAYLOAD_VERSIONS, fromCloudEvent, parseEnvelope, toCloudEvent, validateEnvelope, type EventEnvelope } from '../src/index.ts';
import { ROOT } from './support/contract-examples.ts';
import { loadVectors } from './support/vectors.ts';

// The Python package of the repository under test (a scratch copy's too, not the venv's editable install).
const PYTHON_ENV = { ...process.env, PYTHONPATH: path.join(ROOT, 'python', 'src') };
const python = (script: string, input: unknown): unknown =>
  JSON.parse(execFileSync(venvPython(ROOT), ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: PYTHON_ENV }));

const contract = await loadContract(ROOT);

/** Every pattern in schemas/, with where it is. */
function patterns(): { at: string; pattern: string }[] {
  const found: { at: string; pattern: string }[] = [];
  const visit = (node: unknown, at: string): void => {
    if (Array.isArray(node)) node.forEach((v, i) => visit(v, `${at}/${i}`));
    else if (typeof node === 'object' && node !== null) {
      for (const [k, v] of Object.entries(node as JsonObject)) {
        if (k === 'pattern' && typeof v === 'string') found.push({ at, pattern: v });
        else visit(v, `${at}/${k}`);
      }
    }
  };
  for (const s of contract.schemas) visit(s.schema, `${s.file}#`);
  return found;
}

/** Probe strings: every string in the vectors and examples, and each bent the classic ways. */
function probes(): string[] {
  const strings = new Set<string>();
  const collect = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.length < 1000) strings.add(v);
    } else if (Array.isArray(v)) v.forEach(collect);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(collect);
  };
  for (const groups of loadVectors().values()) collect(groups);
  for (const s of contract.schemas) collect(s.schema);
  const bent = new Set<string>();
  for (const s of strings) {
    bent.add(s);
    bent.add(`${s}\n`);
    bent.add(`${s}\r\n`);
    bent.add(`\n${s}`);
    bent.add(s.toUpperCase());
    bent.add(s.toLowerCase());
    bent.add(s.replace(/[0-9]/g, (d) => String.fromCharCode(0x0660 + Number(d)))); // Arabic-Indic digits
    bent.add(s.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)))); // fullwidth digits
    bent.add(s.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))); // fullwidth letters
    bent.add(s.slice(0, -1));
    bent.add(`${s} `);
    bent.add(`${s}\u2028`);
  }
  for (const extra of ['', ' ', '\n', '\u0000', '😀', 'ǅ', 'ß', 'İ', 'K']) bent.add(extra);
  return [...bent].sort();
}

describe('every pattern behaves the same in ECMA-262 (u flag) and Python re', () => {
  const all = patterns();
  const inputs = probes();
  const pythonVerdicts = python(
    'import json, re, sys\nreq = json.load(sys.stdin)\nprint(json.dumps([[re.search(p, s) is not None for s in req["probes"]] for p in req["patterns"]]))',
    { patterns: all.map((p) => p.pattern), probes: inputs },
  ) as boolean[][];

  it(`checks ${all.length} patterns on ${inputs.length} probe strings each`, () => {
    expect(all.length).toBeGreaterThanOrEqual(8);
    expect(inputs.length).toBeGreaterThan(1000);
  });

  all.forEach(({ at, pattern }, i) => {
    it(`${at}: ${pattern.slice(0, 60)}`, () => {
      const re = new RegExp(pattern, 'u');
      const disagreements = inputs.filter((s, j) => re.test(s) !== pythonVerdicts[i]![j]);
      expect(disagreements.map((s) => JSON.stringify(s))).toEqual([]);
      expect(pythonVerdicts[i]!.some(Boolean), 'no probe matches: the test would prove nothing').toBe(true);
    });
  });
});

describe('events cross between the runtimes', () => {
  it('an event created in TypeScript parses in Python, typed, and loads into the pydantic model', () => {
    const event = createEnvelope('payment.completed', {
      paymentId: 'pay_01JDQ7ZK3M8V', orderId: 'ord_9f8e7d6c', amount: 1250000, currency: 'VND',
      gateway: 'momo', method: 'e_wallet', completedAt: '2026-11-27T09:11:44.903Z',
    }, { producer: 'payments-service', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
    const out = python(
      [
        'import json, sys',
        'from goodgo_contracts_events import parse_envelope, safe_parse_envelope',
        'from goodgo_contracts_events.pydantic_models import KnownEvent',
        'raw = sys.stdin.buffer.read()',
        'event = parse_envelope(raw, "producer")',
        'model = KnownEvent.model_validate_json(raw).root',
        'print(json.dumps({"event": event, "known": safe_parse_envelope(raw).known, "model": type(model).__name__, "amount": model.payload.amount}))',
      ].join('\n'),
      event,
    );
    expect(out).toEqual({ event, known: true, model: 'PaymentCompletedEvent', amount: 1250000 });
  });

  it('an event created in Python parses in TypeScript', () => {
    const text = execFileSync(venvPython(ROOT), ['-c', [
      'import json',
      'from datetime import datetime, timezone, timedelta',
      'from goodgo_contracts_events import create_envelope',
      'print(json.dumps(create_envelope("listing.approved", {"listingId": "lst_1", "sellerId": "usr_1", "category": "home/kitchen",',
      '  "moderator": {"kind": "human", "id": "staff_7"}, "approvedAt": "2026-11-27T09:13:29.871Z"}, producer="catalog-service",',
      '  occurred_at=datetime(2026, 11, 27, 16, 13, 30, 52000, tzinfo=timezone(timedelta(hours=7))))))',
    ].join('\n')], { encoding: 'utf8', env: PYTHON_ENV });
    const event = parseEnvelope(text, { mode: 'producer' });
    expect(event).toMatchObject({ eventType: 'listing.approved', occurredAt: '2026-11-27T09:13:30.052Z', producer: 'catalog-service' });
    expect(validateEnvelope(event, { mode: 'producer' })).toMatchObject({ ok: true, known: true });
  });

  it('maps every valid vector to the same CloudEvent in both runtimes, and each reads the other\'s back exactly', () => {
    const events = [...loadVectors().values()].flat().flatMap((g) => g.tests.filter((c) => c.valid).map((c) => c.data as EventEnvelope<unknown>));
    const ours = events.map((e) => toCloudEvent(e));
    const out = python([
      'import json, sys',
      'from goodgo_contracts_events import from_cloud_event, to_cloud_event',
      'data = json.load(sys.stdin)',
      'print(json.dumps({"to": [to_cloud_event(e) for e in data["events"]], "from": [from_cloud_event(ce) for ce in data["ces"]]}))',
    ].join('\n'), { events, ces: ours }) as { to: unknown[]; from: unknown[] };
    expect(out.to).toEqual(ours); // Python's CloudEvents are TypeScript's
    expect(out.from).toEqual(events); // TypeScript's CloudEvents read back in Python exactly
    expect(out.to.map((ce) => fromCloudEvent(ce))).toEqual(events); // and Python's in TypeScript
    expect(events.length).toBeGreaterThanOrEqual(50);
  });

  it('exports the same payload versions and schema ids', () => {
    const out = python('import json\nfrom goodgo_contracts_events import EVENT_PAYLOAD_SCHEMA_IDS, EVENT_PAYLOAD_VERSIONS\nprint(json.dumps([EVENT_PAYLOAD_VERSIONS, EVENT_PAYLOAD_SCHEMA_IDS]))', null);
    expect(out).toEqual([EVENT_PAYLOAD_VERSIONS, EVENT_PAYLOAD_SCHEMA_IDS]);
  });

  it('the Python package ships the contract byte for byte', () => {
    for (const s of contract.schemas) {
      expect(readFileSync(path.join(ROOT, 'python/src/goodgo_contracts_events/contract', s.file), 'utf8'), s.file).toBe(readFileSync(path.join(ROOT, s.file), 'utf8'));
    }
  });
});
