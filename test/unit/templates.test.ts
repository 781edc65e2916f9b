// Node-side templates (packages/server/src/templates): nunjucks rendering
// (autoescape off, no file access, undefined values are errors), the atomic
// write, the runner's debounce on a fake clock (our own Timers interface),
// the command once per content change, a failed render keeping the last good
// file, and the catalogue taking only verified registry records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSigner,
  generateKeyPair,
  issueCertificate,
  parseTemplates,
  publicKeyHex,
  sealRegistration,
  TrustStore,
  type RegistrationMessage,
  type TemplateSettings,
} from '@cohort/core';
import { silentLogger } from '@cohort/core/log';
import { Catalogue, loadRenderer, templateData, TemplateRunner, writeAtomic, type Timers } from '@cohort/server';

const render = await loadRenderer();

test('render: loops over services and KV keys, autoescape off, node facts', () => {
  const data = templateData(
    { identity: 'web1', facts: { role: 'web' }, classes: ['lb'], agents: [] },
    'dc1',
    [
      record('a1', '10.0.0.1', [{ name: 'redis', port: 6379, tags: ['primary'], health: 'passing', health_source: 'none', since: 0 }]),
      record('a2', '10.0.0.2', [{ name: 'redis', port: 6380, tags: [], health: 'critical', health_source: 'tcp:x', since: 0 }]),
    ],
    new Map([['haproxy.maxconn', '4096']]),
  );
  const out = render(
    '# {{ node.identity }} ({{ node.facts.role }}) <b>\n{% for s in services.redis %}server {{ s.identity }} {{ s.address }}:{{ s.port }}\n{% endfor %}maxconn {{ kv["haproxy.maxconn"] }}\nnodes {{ nodes | length }} missing={{ kv.nothing | default("none") }}\n',
    data,
    't',
  );
  assert.equal(out, '# web1 (web) <b>\nserver a1 10.0.0.1:6379\nmaxconn 4096\nnodes 2 missing=none\n');
});

test('render: an undefined value is an error; include/import reach no file', () => {
  assert.throws(() => render('{{ kv.missing }}', { kv: {} }, 't'), /undefined|null/i);
  assert.throws(() => render('{% include "/etc/passwd" %}', {}, 't'), /template not found|passwd/i);
  assert.throws(() => render('{% for x in %}', {}, 't'), /Template render error|expected/i);
});

test('writeAtomic: writes, says false for unchanged content, keeps the mode, leaves no temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-tpl-'));
  const file = join(dir, 'out.cfg');
  assert.equal(writeAtomic(file, 'a\n'), true);
  assert.equal(readFileSync(file, 'utf8'), 'a\n');
  chmodSync(file, 0o600);
  assert.equal(writeAtomic(file, 'a\n'), false);
  assert.equal(writeAtomic(file, 'b\n'), true);
  assert.equal(readFileSync(file, 'utf8'), 'b\n');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ['out.cfg']);
  assert.throws(() => writeAtomic(join(dir, 'no-such-dir', 'x'), 'c'), /ENOENT/);
  assert.deepEqual(readdirSync(dir), ['out.cfg']);
});

/** Timers that fire only when the test advances the clock. */
class FakeTimers implements Timers {
  clock = 0;
  now(): number {
    return this.clock;
  }
  readonly #pending = new Map<number, { at: number; fn: () => void }>();
  #next = 0;
  set(fn: () => void, ms: number): unknown {
    const id = ++this.#next;
    this.#pending.set(id, { at: this.clock + ms, fn });
    return id;
  }
  clear(handle: unknown): void {
    this.#pending.delete(handle as number);
  }
  advance(ms: number): void {
    this.clock += ms;
    for (const [id, t] of [...this.#pending]) {
      if (t.at <= this.clock) {
        this.#pending.delete(id);
        t.fn();
      }
    }
  }
  get size(): number {
    return this.#pending.size;
  }
}

function setup(debounceMs = 1000) {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-tpl-'));
  const source = join(dir, 'in.njk');
  const destination = join(dir, 'out.cfg');
  writeFileSync(source, 'value={{ kv.v }}\n');
  const timers = new FakeTimers();
  const kv: Record<string, string> = { v: '1' };
  const runs: string[][] = [];
  let failCommand = false;
  const t: TemplateSettings = { name: 'app', source, destination, command: ['reload', 'app'], debounceMs, commandTimeoutMs: 1000 };
  const runner = new TemplateRunner({
    templates: [t],
    render,
    data: () => ({ kv: { ...kv } }),
    log: silentLogger(),
    timers,
    run: async (argv) => {
      runs.push([...argv]);
      if (failCommand) throw new Error('exited 1');
    },
  });
  return { dir, source, destination, timers, kv, runs, runner, failCommand: (v: boolean) => (failCommand = v) };
}

test('runner: changes within the debounce render once; the command runs once per content change', async () => {
  const s = setup(1000);
  await s.runner.renderAll();
  assert.equal(readFileSync(s.destination, 'utf8'), 'value=1\n');
  assert.equal(s.runs.length, 1);
  s.kv['v'] = '2';
  s.runner.changed();
  s.timers.advance(600);
  s.kv['v'] = '3';
  s.runner.changed();
  s.timers.advance(600); // 1200 ms after the first change, 600 after the last: not yet
  await s.runner.idle();
  assert.equal(readFileSync(s.destination, 'utf8'), 'value=1\n');
  assert.equal(s.runs.length, 1);
  s.timers.advance(400);
  await s.runner.idle();
  assert.equal(readFileSync(s.destination, 'utf8'), 'value=3\n');
  assert.equal(s.runs.length, 2);
  // A change that renders the same content writes nothing and runs nothing.
  s.runner.changed();
  s.timers.advance(1000);
  await s.runner.idle();
  assert.equal(s.runs.length, 2);
  const c = s.runner.counters()['app']!;
  assert.deepEqual(c, { renders: 3, render_errors: 0, writes: 2, write_errors: 0, commands: 2, command_failures: 0 });
  assert.equal(s.timers.size, 0);
});

test('runner: a render error keeps the last good file, is counted, and the next good render recovers', async () => {
  const s = setup(0);
  await s.runner.renderAll();
  writeFileSync(s.source, 'value={{ kv.v }\n'); // broken syntax
  s.kv['v'] = '2';
  s.runner.changed();
  s.timers.advance(0);
  await s.runner.idle();
  assert.equal(readFileSync(s.destination, 'utf8'), 'value=1\n');
  assert.equal(s.runner.counters()['app']!.render_errors, 1);
  assert.equal(s.runs.length, 1);
  writeFileSync(s.source, 'value={{ kv.missing }}\n'); // an undefined value
  s.runner.changed();
  s.timers.advance(0);
  await s.runner.idle();
  assert.equal(readFileSync(s.destination, 'utf8'), 'value=1\n');
  assert.equal(s.runner.counters()['app']!.render_errors, 2);
  writeFileSync(s.source, 'value={{ kv.v }}\n');
  s.failCommand(true);
  s.runner.changed();
  s.timers.advance(0);
  await s.runner.idle();
  assert.equal(readFileSync(s.destination, 'utf8'), 'value=2\n');
  assert.deepEqual(s.runner.counters()['app'], { renders: 4, render_errors: 2, writes: 2, write_errors: 0, commands: 2, command_failures: 1 });
});

test('runner: a steady stream of changes cannot starve a render (at most four debounces after the first)', async () => {
  const s = setup(1000);
  await s.runner.renderAll();
  // A change every 0.5 s (debounce 1 s: never quiet long enough), from t=0 to t=4 s.
  const seen: string[] = [];
  for (let i = 2; i <= 10; i++) {
    s.kv['v'] = String(i);
    s.runner.changed();
    s.timers.advance(500);
    await s.runner.idle();
    seen.push(readFileSync(s.destination, 'utf8').trim());
  }
  // Rendered at t=4 s (four debounces after the first change) with the data of then (v=9), not only once the changes stop.
  assert.deepEqual(seen, ['value=1', 'value=1', 'value=1', 'value=1', 'value=1', 'value=1', 'value=1', 'value=9', 'value=9']);
  assert.equal(s.runs.length, 2);
  s.timers.advance(1000);
  await s.runner.idle();
  assert.equal(readFileSync(s.destination, 'utf8'), 'value=10\n');
});

test('runner: stop() cancels pending renders', async () => {
  const s = setup(1000);
  s.runner.changed();
  await s.runner.stop();
  assert.equal(s.timers.size, 0);
  s.runner.changed();
  assert.equal(s.timers.size, 0);
});

const now = 1_800_000_000_000;
const issuer = generateKeyPair();
const keys = new Map(['a1', 'a2', 'evil'].map((id) => [id, generateKeyPair()]));
const signerOf = (id: string) => {
  const pair = keys.get(id)!;
  return createSigner(pair.privateKey, id, issueCertificate(issuer.privateKey, { kind: 'node', subject: id, publicKey: publicKeyHex(pair.publicKey), expiresAt: now + 86_400_000 }));
};

function record(identity: string, address: string, services: RegistrationMessage['services'] = []): RegistrationMessage {
  return { protocol: 'cohort:registration:1', identity, collectives: ['dc1'], facts: {}, classes: [], agents: [], version: '0', started_at: now - 1000, time: now - 500, interval: 60, address, services } as RegistrationMessage;
}

test('catalogue: only records signed by the node they are stored under count; deletes remove', () => {
  const trust = new TrustStore('node', new Map(), new Set([publicKeyHex(issuer.publicKey)]));
  const c = new Catalogue(() => trust, () => now);
  assert.deepEqual(c.apply('a1', sealRegistration(record('a1', '10.0.0.1'), signerOf('a1'))), { changed: true });
  // A heartbeat (same record, new time) is not a change; a new address is.
  assert.deepEqual(c.apply('a1', sealRegistration({ ...record('a1', '10.0.0.1'), time: now - 100 }, signerOf('a1'))), { changed: false });
  assert.deepEqual(c.apply('a1', sealRegistration(record('a1', '10.0.0.9'), signerOf('a1'))), { changed: true });
  // evil signs a record claiming a2's identity (an extra address for a2's services).
  const forged = c.apply('a2', sealRegistration(record('a2', '6.6.6.6'), signerOf('evil')));
  assert.equal(forged.changed, false);
  assert.match(String(forged.ignored), /./);
  // An unsigned record is not verified.
  assert.match(String(c.apply('a2', new TextEncoder().encode(JSON.stringify(record('a2', '6.6.6.6')))).ignored), /unsigned/);
  assert.deepEqual(c.records().map((r) => [r.identity, r.address]), [['a1', '10.0.0.9']]);
  assert.deepEqual(c.apply('a1', undefined), { changed: true });
  assert.deepEqual(c.records(), []);
  // Without trust nothing is taken.
  const none = new Catalogue(() => undefined, () => now);
  assert.match(String(none.apply('a1', sealRegistration(record('a1', '10.0.0.1'), signerOf('a1'))).ignored), /no trusted/);
  assert.deepEqual(none.records(), []);
});

test('parseTemplates: absolute paths, argv commands, durations, one writer per destination', () => {
  const ok = parseTemplates({ a: { source: '/s', destination: '/d', command: ['x'], debounce: '2s' }, b: { source: '/s', destination: '/e', debounce: 0 } });
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.templates.map((t) => [t.name, t.debounceMs, t.command]), [['a', 2000, ['x']], ['b', 0, []]]);
  const bad = parseTemplates({
    rel: { source: 's', destination: '/d' },
    cmd: { source: '/s', destination: '/d2', command: 'reload' },
    dur: { source: '/s', destination: '/d3', debounce: 'soon' },
    dup1: { source: '/s', destination: '/same' },
    dup2: { source: '/s', destination: '/same' },
    odd: { source: '/s', destination: '/d4', shell: true },
  });
  assert.equal(bad.templates.length, 1);
  assert.match(bad.errors.join('\n'), /template 'rel': source must be an absolute path/);
  assert.match(bad.errors.join('\n'), /template 'cmd': command must be a non-empty list/);
  assert.match(bad.errors.join('\n'), /template 'dur': debounce must be a duration/);
  assert.match(bad.errors.join('\n'), /template 'dup2': destination \/same is also written by template 'dup1'/);
  assert.match(bad.errors.join('\n'), /template 'odd': unknown setting 'shell'/);
});

test('catalogue: records older than the bucket max age expire (no notice comes from the server)', () => {
  const trust = new TrustStore('node', new Map(), new Set([publicKeyHex(issuer.publicKey)]));
  let clock = now;
  const c = new Catalogue(() => trust, () => clock);
  c.apply('a1', sealRegistration(record('a1', '10.0.0.1'), signerOf('a1')), now - 5000);
  c.apply('a2', sealRegistration(record('a2', '10.0.0.2'), signerOf('a2')), now);
  assert.equal(c.expire(10_000), false);
  clock = now + 6000;
  assert.equal(c.expire(10_000), true);
  assert.deepEqual(c.records().map((r) => r.identity), ['a2']);
  assert.equal(c.expire(0), false);
});
