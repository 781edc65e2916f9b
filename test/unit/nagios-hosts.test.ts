// cohort nagios hosts, the pure parts and the directory: rendering host
// definitions, safe file names, the diff against the directory (only our own
// marked files are touched), atomic writes, the reload command's words, and
// the sync loop (a burst of changes gives one write and one reload) with a
// real reload script counting its runs; the registry feed (verified, live,
// non-stale records only) over a fake bus.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  applyPlan,
  hostAddress,
  hostFileName,
  hostgroupsFileName,
  HostsSync,
  hostSource,
  markedCollective,
  markerLine,
  objectNameProblem,
  planSync,
  RegistryFeed,
  renderHosts,
  scanDir,
  splitCommand,
  type HostSource,
  type HostsRenderOptions,
} from '../../packages/nagios/src/hosts-sync/index.js';
import { parseHostsArgs } from '../../packages/cli/src/run/nagios-hosts.js';
import {
  createSigner,
  generateKeyPair,
  issueCertificate,
  publicKeyHex,
  publicKeyPem,
  registryKey,
  RegistryTag,
  sealRegistration,
  TrustStore,
  type RegistrationMessage,
} from '@cohort/core';
import type { BucketEntry, Bus } from '@cohort/client';

const base: HostsRenderOptions = {
  collective: 'cohort',
  defaultTemplate: 'generic-host',
  templateByClass: false,
  templatePrefix: '',
  hostgroups: 'define',
  hostgroupPrefix: '',
};

const web1: HostSource = { identity: 'web1', address: '10.0.0.1', facts: {}, classes: ['web', 'base'] };
const db1: HostSource = { identity: 'db1.example.com', facts: { networking: { ip: '10.0.0.9' } }, classes: ['db', 'base'] };

const temps: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cohort-nagios-hosts-'));
  temps.push(d);
  return d;
}
after(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('rendering host definitions', () => {
  test('one host per node: name, alias, address, default template, hostgroups from classes (sorted), marker first', () => {
    const out = renderHosts([web1], base);
    assert.deepEqual([...out.files.keys()].sort(), [hostgroupsFileName, 'web1.cfg'].sort());
    assert.equal(
      out.files.get('web1.cfg'),
      [
        markerLine('cohort'),
        '# node web1; address from the registry record',
        'define host {',
        '    host_name   web1',
        '    alias       web1',
        '    address     10.0.0.1',
        '    use         generic-host',
        '    hostgroups  base,web',
        '}',
        '',
      ].join('\n'),
    );
    assert.equal(markedCollective(out.files.get('web1.cfg')!), 'cohort');
    assert.deepEqual(out.hosts, ['web1']);
  });

  test('--template-by-class: class templates (prefixed, optionally only some classes) before the default template', () => {
    const all = renderHosts([web1], { ...base, templateByClass: true, templatePrefix: 'cls-' });
    assert.match(all.files.get('web1.cfg')!, /^ {4}use {9}cls-base,cls-web,generic-host$/m);
    const some = renderHosts([web1], { ...base, templateByClass: true, templateClasses: new Set(['web']) });
    assert.match(some.files.get('web1.cfg')!, /^ {4}use {9}web,generic-host$/m);
  });

  test('hostgroups: defined once each in their own file, only referenced, or none', () => {
    const defined = renderHosts([web1, db1], { ...base, hostgroupPrefix: 'class-' });
    const groups = defined.files.get(hostgroupsFileName)!;
    assert.equal(markedCollective(groups), 'cohort');
    assert.deepEqual([...groups.matchAll(/hostgroup_name\s+(\S+)/g)].map((m) => m[1]), ['class-base', 'class-db', 'class-web']);
    const referenced = renderHosts([web1], { ...base, hostgroups: 'reference' });
    assert.equal(referenced.files.has(hostgroupsFileName), false);
    assert.match(referenced.files.get('web1.cfg')!, /hostgroups {2}base,web/);
    const none = renderHosts([web1], { ...base, hostgroups: 'none' });
    assert.doesNotMatch(none.files.get('web1.cfg')!, /hostgroups/);
    assert.equal(none.files.has(hostgroupsFileName), false);
  });

  test('address: the record, else the --address-fact (dotted), else the identity; unusable values are passed over', () => {
    assert.deepEqual(hostAddress(web1, 'networking.ip'), { address: '10.0.0.1', from: 'the registry record' });
    assert.deepEqual(hostAddress(db1, 'networking.ip'), { address: '10.0.0.9', from: 'fact networking.ip' });
    assert.equal(hostAddress(db1, undefined).address, 'db1.example.com');
    assert.equal(hostAddress({ ...db1, facts: { ip: '1.2.3.4; rm -rf' } }, 'ip').address, 'db1.example.com');
    assert.equal(hostAddress({ ...web1, address: 'fe80::1%eth0' }, undefined).address, 'fe80::1%eth0');
  });

  test('a node whose identity Nagios cannot take is left out with a reason; a bad class is dropped from that host only', () => {
    const out = renderHosts([{ identity: 'bad name', facts: {}, classes: [] }, { ...web1, classes: ['web', 'a,b', 'x;y'] }], base);
    assert.deepEqual(out.hosts, ['web1']);
    assert.equal(out.skipped.length, 3);
    assert.match(out.skipped[0]!.reason, /host name.*" "/);
    assert.match(out.files.get('web1.cfg')!, /hostgroups {2}web\n/);
  });

  test('the same nodes in any order render the same bytes', () => {
    const a = renderHosts([web1, db1], base);
    const b = renderHosts([db1, { ...web1, classes: ['base', 'web', 'web'] }], base);
    assert.deepEqual([...a.files.entries()].sort(), [...b.files.entries()].sort());
  });

  test('Nagios object names: illegal characters are named', () => {
    assert.equal(objectNameProblem('web-1.example.com'), undefined);
    assert.equal(objectNameProblem('node@dc1:a_b'), undefined);
    assert.match(objectNameProblem('a=b')!, /"="/);
    assert.match(objectNameProblem('')!, /empty/);
    assert.match(objectNameProblem('a\tb')!, /"\\t"/);
  });
});

describe('file names from identities', () => {
  test('a plain identity is its own file name', () => {
    assert.equal(hostFileName('web1'), 'web1.cfg');
    assert.equal(hostFileName('db1.example.com'), 'db1.example.com.cfg');
  });

  test('anything else is sanitised and made unique with a hash; never a path, never hidden, never our reserved names', () => {
    for (const id of ['../etc/passwd', 'a/b', 'node@dc1', 'x:y', '.hidden', '_cohort-hostgroups', '..', 'a..b', '']) {
      const name = hostFileName(id);
      assert.match(name, /^[A-Za-z0-9][A-Za-z0-9._-]*\.cfg$/, `${JSON.stringify(id)} -> ${name}`);
      assert.ok(!name.includes('/') && !name.includes('..'), name);
      assert.notEqual(name, hostgroupsFileName);
    }
    assert.notEqual(hostFileName('a:b'), hostFileName('a@b'));
    assert.equal(hostFileName('a:b'), hostFileName('a:b'));
  });
});

describe('diffing against the directory', () => {
  const ours = (body: string): { content: string } => ({ content: `${markerLine('cohort')}\n${body}` });

  test('new and changed files are written, equal ones left, our files of gone nodes removed', () => {
    const desired = new Map([
      ['a.cfg', `${markerLine('cohort')}\nA2`],
      ['b.cfg', `${markerLine('cohort')}\nB`],
      ['c.cfg', `${markerLine('cohort')}\nC`],
    ]);
    const existing = new Map([
      ['a.cfg', ours('A1')],
      ['b.cfg', ours('B')],
      ['gone.cfg', ours('G')],
    ]);
    const plan = planSync(desired, existing, 'cohort');
    assert.deepEqual([...plan.write.keys()].sort(), ['a.cfg', 'c.cfg']);
    assert.deepEqual(plan.remove, ['gone.cfg']);
    assert.equal(plan.unchanged, 1);
    assert.deepEqual(plan.blocked, []);
  });

  test("files without our marker, or another collective's, are never overwritten or removed", () => {
    const desired = new Map([['a.cfg', `${markerLine('cohort')}\nA`]]);
    const existing = new Map([
      ['a.cfg', { content: 'define host {\n host_name a\n}\n' }],
      ['hand-written.cfg', { content: 'define host {}\n' }],
      ['other.cfg', { content: `${markerLine('other')}\nX` }],
      ['marker-not-first.cfg', { content: `\n${markerLine('cohort')}\n` }],
    ]);
    const plan = planSync(desired, existing, 'cohort');
    assert.deepEqual(plan.blocked, ['a.cfg']);
    assert.equal(plan.write.size, 0);
    assert.deepEqual(plan.remove, []);
  });
});

describe('the directory', () => {
  test('applyPlan writes and removes; scanDir sees only .cfg files and clears temporary leftovers', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'keep.txt'), 'x');
    writeFileSync(join(dir, '.a.cfg.1.1.cohort-tmp'), 'half');
    writeFileSync(join(dir, 'old.cfg'), `${markerLine('cohort')}\nold\n`);
    const plan = planSync(new Map([['a.cfg', `${markerLine('cohort')}\nA\n`]]), scanDir(dir), 'cohort');
    applyPlan(dir, plan);
    assert.deepEqual(readdirSync(dir).sort(), ['a.cfg', 'keep.txt']);
    assert.equal(readFileSync(join(dir, 'a.cfg'), 'utf8'), `${markerLine('cohort')}\nA\n`);
  });
});

describe('the reload command', () => {
  test('split into words like a shell: quotes, escapes; never run through one', () => {
    assert.deepEqual(splitCommand('systemctl reload nagios4'), ['systemctl', 'reload', 'nagios4']);
    assert.deepEqual(splitCommand(`  /bin/sh -c 'echo $HOME; x' "a b" c\\ d ''  `), ['/bin/sh', '-c', 'echo $HOME; x', 'a b', 'c d', '']);
    assert.deepEqual(splitCommand('a"b c"d'), ['ab cd']);
    assert.throws(() => splitCommand('   '), /empty/);
    assert.throws(() => splitCommand("a 'b"), /unterminated ' quote/);
    assert.throws(() => splitCommand('a \\'), /lone backslash/);
  });
});

describe('the sync loop', () => {
  function counterScript(dir: string): { argv: string[]; count(): number } {
    const log = join(dir, 'reloads.log');
    const script = join(dir, 'reload.sh');
    writeFileSync(script, `#!/bin/sh\necho run >> '${log}'\n`);
    chmodSync(script, 0o755);
    return { argv: [script], count: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0) };
  }

  test('first sync writes and reloads; a burst of changes gives one write and one reload; no change, no reload; a removed node loses its file', async () => {
    const out = tempDir();
    const reload = counterScript(tempDir());
    let nodes: HostSource[] = [web1];
    const lines: string[] = [];
    const sync = new HostsSync({ dir: out, render: base, reload: reload.argv, debounceMs: 50, log: (l) => lines.push(l) }, () => nodes);
    const first = await sync.sync(true);
    assert.deepEqual(first?.written, [hostgroupsFileName, 'web1.cfg']);
    assert.equal(first?.reload?.ok, true);
    assert.equal(reload.count(), 1);
    // A sync with nothing changed: no write, no reload (and nothing read from disk).
    assert.equal(await sync.sync(), undefined);
    assert.equal(reload.count(), 1);
    // A burst: three triggers while the node set changes; one sync.
    nodes = [web1, db1];
    sync.trigger();
    nodes = [web1, { ...db1, classes: ['db'] }];
    sync.trigger();
    sync.trigger();
    await until('the debounced sync', () => sync.counts.changes === 2);
    await sync.stop();
    assert.equal(reload.count(), 2);
    assert.match(readFileSync(join(out, 'db1.example.com.cfg'), 'utf8'), /hostgroups {2}db\n/);
    // Removal (a new loop over the same directory: a restart).
    nodes = [db1];
    const again = new HostsSync({ dir: out, render: base, reload: reload.argv, debounceMs: 50, log: () => undefined }, () => nodes);
    const r = await again.sync(true);
    assert.deepEqual(r?.removed, ['web1.cfg']);
    assert.equal(existsSync(join(out, 'web1.cfg')), false);
    assert.equal(reload.count(), 3);
    // A restart with nothing to change does not reload.
    const r2 = await again.sync(true);
    assert.deepEqual([r2?.written, r2?.removed, r2?.reload], [[], [], undefined]);
    assert.equal(reload.count(), 3);
    await again.stop();
  });

  test('a held sync (e.g. no record verified) leaves the directory alone and reloads nothing; it resumes when released', async () => {
    const out = tempDir();
    const reload = counterScript(tempDir());
    let hold: string | undefined = 'none of the 3 registry record(s) verified';
    const lines: string[] = [];
    const sync = new HostsSync({ dir: out, render: base, reload: reload.argv, debounceMs: 10, log: (l) => lines.push(l), hold: () => hold }, () => []);
    writeFileSync(join(out, 'web1.cfg'), `${markerLine('cohort')}\nold\n`);
    const r = await sync.sync(true);
    assert.equal(r?.held, 'none of the 3 registry record(s) verified');
    assert.deepEqual(readdirSync(out), ['web1.cfg']);
    assert.equal(reload.count(), 0);
    assert.ok(lines.some((l) => l.startsWith('directory left as it is: none of the 3')));
    hold = undefined;
    const released = await sync.sync();
    assert.deepEqual(released?.removed, ['web1.cfg']);
    assert.equal(reload.count(), 1);
  });

  test('a failing reload command is reported and counted; the files are written anyway', async () => {
    const out = tempDir();
    const lines: string[] = [];
    const sync = new HostsSync({ dir: out, render: base, reload: ['/bin/sh', '-c', 'echo broken config >&2; exit 3'], debounceMs: 10, log: (l) => lines.push(l) }, () => [web1]);
    const r = await sync.sync(true);
    assert.equal(r?.reload?.ok, false);
    assert.equal(r?.reload?.summary, 'exit 3: broken config');
    assert.equal(sync.counts.reloadFailures, 1);
    assert.ok(existsSync(join(out, 'web1.cfg')));
    assert.ok(lines.some((l) => /reload command FAILED: exit 3/.test(l)), lines.join('\n'));
    const missing = new HostsSync({ dir: tempDir(), render: base, reload: ['/nonexistent/reload'], debounceMs: 10, log: () => undefined }, () => [web1]);
    assert.match((await missing.sync(true))?.reload?.summary ?? '', /cannot run \/nonexistent\/reload: .*ENOENT/);
  });
});

describe('command line', () => {
  const dir = tempDir();
  test('defaults', () => {
    const a = parseHostsArgs({ _: [], $0: 'cohort', dir });
    assert.equal(a.render.defaultTemplate, 'generic-host');
    assert.equal(a.render.hostgroups, 'define');
    assert.equal(a.debounceMs, 2000);
    assert.equal(a.once, false);
    assert.equal(a.reload, undefined);
  });

  test('bad flags are named', () => {
    const p = (extra: Record<string, unknown>): unknown => parseHostsArgs({ _: [], $0: 'cohort', dir, ...extra });
    assert.throws(() => parseHostsArgs({ _: [], $0: 'cohort' }), /--dir DIR is required/);
    assert.throws(() => p({ dir: join(dir, 'nope') }), /--dir .*nope does not exist/);
    assert.throws(() => p({ 'template-classes': 'web' }), /--template-classes needs --template-by-class/);
    assert.throws(() => p({ template: 'a b' }), /--template 'a b' cannot be a Nagios object name/);
    assert.throws(() => p({ 'template-prefix': 'x=' }), /--template-prefix/);
    assert.throws(() => p({ 'reload-command': '"x' }), /--reload-command: .*unterminated/);
    assert.throws(() => p({ debounce: 'soon' }), /--debounce 'soon' is not a duration/);
    assert.throws(() => p({ recheck: '0' }), /--recheck must be at least/);
    const f = join(dir, 'file');
    writeFileSync(f, '');
    assert.throws(() => parseHostsArgs({ _: [], $0: 'cohort', dir: f }), /is not a directory/);
  });
});

describe('the registry feed', () => {
  const issuer = generateKeyPair();
  const issuerFile = join(tempDir(), 'issuer.pub');
  writeFileSync(issuerFile, publicKeyPem(issuer.publicKey));
  const trust = TrustStore.load({ kind: 'node', issuers: [issuerFile] });
  const signer = (identity: string, by = issuer) => {
    const pair = generateKeyPair();
    return createSigner(pair.privateKey, identity, issueCertificate(by.privateKey, { kind: 'node', subject: identity, publicKey: publicKeyHex(pair.publicKey) }));
  };
  const record = (identity: string, extra: Partial<RegistrationMessage> = {}): RegistrationMessage => ({
    protocol: RegistryTag.Registration, identity, collectives: ['cohort'], facts: {}, classes: ['base'], agents: ['rpcutil'], version: '1', started_at: 1, time: Date.now(), interval: 60, ...extra,
  });
  const entry = (identity: string, value: Uint8Array, created = Date.now()): BucketEntry => ({ key: registryKey(identity), value, operation: 'PUT', created });

  test('only verified, live, non-stale records; changes after the initial values are signalled', async () => {
    let push: ((e: BucketEntry) => void) | undefined;
    const initial = [
      entry('web1', sealRegistration(record('web1', { address: '10.1.1.1' }), signer('web1'))),
      // Verified but stale: its last write is older than its 60 s interval plus the 30 s grace.
      entry('old1', sealRegistration(record('old1'), signer('old1')), Date.now() - 120_000),
      // Forged: certified by another issuer.
      entry('ghost', sealRegistration(record('ghost'), signer('ghost', generateKeyPair()))),
      // Signed by web1's key, stored as db1.
      entry('db1', sealRegistration(record('web1'), signer('web1'))),
    ];
    const bus = {
      watchBucket: async (name: string, onEntry: (e: BucketEntry) => void) => {
        assert.equal(name, 'cohort_registry_cohort');
        for (const e of initial) onEntry(e);
        push = onEntry;
        return { maxAgeMs: 180_000, stop: async () => undefined };
      },
    } as unknown as Bus;
    let changes = 0;
    const feed = await RegistryFeed.open(bus, 'cohort', trust, () => changes++);
    assert.ok(!('missing' in feed));
    assert.equal(changes, 0, 'the initial values are not changes');
    assert.deepEqual(feed.nodes().map((n) => n.identity), ['web1']);
    assert.deepEqual(feed.ignored().map((i) => i.identity).sort(), ['db1', 'ghost']);
    assert.deepEqual(hostSource(feed.nodes()[0]!), { identity: 'web1', address: '10.1.1.1', facts: {}, classes: ['base'] });
    push!(entry('db1', sealRegistration(record('db1'), signer('db1'))));
    assert.equal(changes, 1);
    assert.deepEqual(feed.nodes().map((n) => n.identity).sort(), ['db1', 'web1']);
    await feed.stop();
  });

  test('stale records stay while nothing newer arrives (cut off from the bus, not a dead fleet); they go once others write', async () => {
    let push: ((e: BucketEntry) => void) | undefined;
    const old = Date.now() - 120_000;
    const bus = {
      watchBucket: async (_name: string, onEntry: (e: BucketEntry) => void) => {
        onEntry(entry('old1', sealRegistration(record('old1', { time: old }), signer('old1')), old));
        onEntry(entry('old2', sealRegistration(record('old2', { time: old }), signer('old2')), old));
        push = onEntry;
        return { maxAgeMs: 180_000, stop: async () => undefined };
      },
    } as unknown as Bus;
    const feed = await RegistryFeed.open(bus, 'cohort', trust, () => undefined);
    assert.ok(!('missing' in feed));
    assert.deepEqual(feed.nodes().map((n) => n.identity), ['old1', 'old2']);
    push!(entry('old2', sealRegistration(record('old2'), signer('old2'))));
    assert.deepEqual(feed.nodes().map((n) => n.identity), ['old2']);
  });

  test('no bucket, or no key-value store: missing, with the reason', async () => {
    const none = await RegistryFeed.open({} as Bus, 'cohort', trust, () => undefined);
    assert.deepEqual(none, { missing: 'this connection has no key-value store' });
    const bus = { watchBucket: async () => ({ missing: 'there is no registry bucket cohort_registry_cohort' }) } as unknown as Bus;
    assert.deepEqual(await RegistryFeed.open(bus, 'cohort', trust, () => undefined), { missing: 'there is no registry bucket cohort_registry_cohort' });
  });
});
