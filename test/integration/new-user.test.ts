// What a new user trips over, driven as a user drives it: the real `cohort`
// and `cohortd` against a private nats-server and the example fleet in signed
// mode (as the demo runs it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { cohort, cohortdBin, exampleClientConfig, exampleFleet, repoRoot, type CliResult } from '../harness/index.js';

let env: Awaited<ReturnType<typeof exampleFleet>>;
let home: string;

before(async () => {
  env = await exampleFleet({ secure: true });
  home = mkdtempSync(join(tmpdir(), 'cohort-home-'));
});
after(async () => {
  await env?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** The CLI as the operator (signing with the fleet's operator key). */
const signed = (args: string[], extra: Record<string, string> = {}) => cohort(args, { nats: env.nats.url, env: { ...env.fleet.clientEnv, ...extra } });
/** The CLI as a user without any key: no COHORT_KEY, an empty home directory. */
const keyless = (args: string[]) => cohort(args, { nats: env.nats.url, env: { COHORT_KEY: '', HOME: home } });

const show = (r: CliResult) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

describe('1. unsigned requests to nodes in signed mode', () => {
  test('cohort rpc without a key says the requests were not signed and how to make a key', async () => {
    // Without a key the user also has no trust for node records, so discovery
    // broadcasts (signed registry, issue 12): unsigned, nothing answers.
    const r = await keyless(['rpc', 'rpcutil', 'ping']);
    assert.equal(r.code, 3, show(r));
    assert.match(r.stderr, /No nodes matched the filter/, show(r));
    assert.match(r.stderr, /Requests were not signed: no key given \(--key, COHORT_KEY, key in the client config\)/, show(r));
    assert.match(r.stderr, /Nodes in signed mode ignore unsigned requests; make a key with: cohort keys generate \S+/);
  });

  test('cohort facts --live says so too; with the key the same call works', async () => {
    const facts = await keyless(['facts', 'role', '--live']);
    assert.equal(facts.code, 3, show(facts));
    assert.match(facts.stderr, /Requests were not signed/, show(facts));
    const ok = await signed(['rpc', 'rpcutil', 'ping']);
    assert.equal(ok.code, 0, show(ok));
    assert.doesNotMatch(ok.stderr, /not signed/);
  });
});

describe('2. malformed filter operators', () => {
  for (const [flag, expr, pointer] of [
    ['-F', 'cpus>>8', '    ^^'],
    ['-W', 'mysql cpus=>=8', '          ^^^'],
    ['-S', 'role=web and cpus<<4', '                 ^^'],
  ] as const) {
    test(`${flag} '${expr}' is refused with exit 2 and the position marked; nothing is sent`, async () => {
      const r = await signed(['find', flag, expr]);
      assert.equal(r.code, 2, show(r));
      assert.match(r.stderr, /malformed operator "(>>|=>=|<<)"/, show(r));
      assert.ok(r.stderr.includes(`${expr}\n${pointer}\n`), show(r));
      assert.equal(r.stdout, '');
    });
  }
});

describe('3. the tour in a new shell after the documented setup', () => {
  test("README's PATH line puts cohort and cohortd on the PATH; the tour's commands run as written", () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const line = /^export PATH=\$PWD\/node_modules\/\.bin:\$PATH\b.*$/m.exec(readme)?.[0];
    assert.ok(line, 'README documents the PATH line');
    // A fresh shell: a minimal PATH (node is found in /usr/bin or /usr/local/bin), no pnpm.
    const script = `${line}\ncohortd --version && cohort find -F role=web && cohort rpc rpcutil ping -I web1 --display none`;
    const r = spawnSync('sh', ['-c', script], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { HOME: home, PATH: `/usr/local/bin:/usr/bin:/bin:${join(process.execPath, '..')}`, COHORT_NATS: env.nats.url, COHORT_CONFIG: exampleClientConfig, ...env.fleet.clientEnv },
    });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\nweb1\nweb2\nFinished processing 1 \/ 1 hosts/, r.stdout);
  });
});

describe("4. daemon and client do not read each other's config variable", () => {
  test("cohortd started in a shell with the client's COHORT_CONFIG reads COHORTD_CONFIG, and answers", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohortd-env-'));
    const serverConfig = join(dir, 'server.yaml');
    writeFileSync(serverConfig, yaml.dump({ identity: 'extra1', nats: { servers: [env.nats.url] }, security: { mode: 'unsigned' }, logging: { level: 'info' } }));
    const child = spawn(process.execPath, [cohortdBin], {
      env: { ...process.env, COHORT_CONFIG: exampleClientConfig, COHORTD_CONFIG: serverConfig },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr.on('data', (d: Buffer) => (log += d));
    try {
      const deadline = Date.now() + 60_000;
      let r = await signed(['rpc', 'rpcutil', 'ping', '-I', 'extra1', '--dt', '1']);
      while (r.code !== 0) {
        assert.equal(child.exitCode, null, `cohortd exited:\n${log}`);
        if (Date.now() > deadline) assert.fail(`extra1 never answered:\n${show(r)}\n${log}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
        r = await signed(['rpc', 'rpcutil', 'ping', '-I', 'extra1', '--dt', '1']);
      }
      assert.doesNotMatch(log, /unknown key/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the client ignores COHORTD_CONFIG (a daemon's file would be refused as a client config)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-env-'));
    const serverConfig = join(dir, 'server.yaml');
    writeFileSync(serverConfig, 'identity: not-a-client-key\n');
    try {
      const r = await signed(['plugin', 'doc', 'echo'], { COHORTD_CONFIG: serverConfig });
      assert.equal(r.code, 0, show(r));
      const direct = await signed(['plugin', 'doc', 'echo'], { COHORT_CONFIG: serverConfig });
      assert.equal(direct.code, 2, show(direct));
      assert.match(direct.stderr, /identity/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('6. connection flags are accepted by every command', () => {
  test('plugin doc, ddl types and keys generate take --nats and --config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-keys-'));
    try {
      const doc = await signed(['plugin', 'doc', 'rpcutil', '--nats', env.nats.url]);
      assert.equal(doc.code, 0, show(doc));
      assert.match(doc.stdout, /^rpcutil\n/);
      const types = await signed(['ddl', 'types', join(repoRoot, 'examples/agents/echo/echo.json'), '--nats', env.nats.url, '--config', exampleClientConfig]);
      assert.equal(types.code, 0, show(types));
      const keys = await signed(['keys', 'generate', 'tester', '--dir', dir, '--nats', env.nats.url, '--connect-timeout', '1']);
      assert.equal(keys.code, 0, show(keys));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('7. rough edges', () => {
  test('an unknown flag is named once, as typed', async () => {
    const r = await signed(['ping', '--bogus-flag']);
    assert.equal(r.code, 2, show(r));
    assert.equal(r.stderr, 'cohort: Unknown argument: --bogus-flag\nSee: cohort ping --help\n');
  });

  test('bare cohort prints a one-line error, then the help', async () => {
    const r = await signed([]);
    assert.equal(r.code, 2, show(r));
    const [first, blank, usage] = r.stderr.split('\n');
    assert.equal(first, 'cohort: give a command, e.g. cohort ping (the commands are listed below)');
    assert.equal(blank, '');
    assert.equal(usage, 'cohort <command> [options]');
    assert.match(r.stderr, /Commands:\n\s+cohort rpc/);
  });

  test('a one-value summary (average) prints without an empty "Summary of" heading', async () => {
    const r = await signed(['rpc', 'echo', 'echo', 'message=hello', '-F', 'country=de', '--display', 'all']);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /Summary of Message:\n\n\s+hello = 2\n\nAverage of Length: 5\n\nFinished processing 2 \/ 2 hosts/, r.stdout);
    assert.doesNotMatch(r.stdout, /Summary of Length/);
  });

  test('an endpoint that accepts but never answers fails with exit 4, naming the connect timeout', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const r = await cohort(['ping', '--connect-timeout', '1'], { nats: `nats://127.0.0.1:${port}` });
      assert.equal(r.code, 4, show(r));
      assert.match(r.stderr, new RegExp(`^cohort: cannot connect to NATS at nats://127\\.0\\.0\\.1:${port}: timed out after 1 s \\(--connect-timeout\\)\\n`), show(r));
      assert.equal(sockets.length, 1, 'one connection attempt reached the endpoint');
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
