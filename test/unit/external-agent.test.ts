// External agents with real executables (POSIX sh scripts made per test):
// found and loaded from a plugin directory, the activation protocol, action
// calls and their failures, the process runner's deadline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentError, rpcutil, type ActionContext, type Agent, type NodeInfo } from '@cohort/agents';
import { builtinDdlDir, parseDdl, type Ddl } from '@cohort/core';
import { silentLogger } from '@cohort/core/log';
import { AgentRegistry, findPlugins, loadAgents, loadPlugin } from '@cohort/server';
import { externalAgent, runExternal } from '../../packages/server/src/external/index.ts';
import { until } from '../harness/wait.ts';

const ddlJson = (name: string, timeout = 2) =>
  JSON.stringify({
    metadata: { name, description: 'd', author: 'a', license: 'Apache-2.0', version: '1.0.0', url: 'u', timeout },
    actions: [
      {
        action: 'run',
        description: 'run',
        input: { text: { prompt: 'T', description: 't', type: 'string', optional: true, validation: '^.*$', maxlength: 100 } },
        output: { n: { description: 'n', display_as: 'N', type: 'integer', default: 0 }, text: { description: 't', display_as: 'T', type: 'string' } },
      },
    ],
  });

function dirWith(files: Record<string, string>, executable: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-ext-unit-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  for (const name of executable) chmodSync(join(dir, name), 0o755);
  return dir;
}

/** A sh agent: activation answers `activation`, an action runs `body` (with $1 request, $2 reply, $3 protocol). */
const shAgent = (body: string, activation = `printf '{"activate": true}' > "$2"`) =>
  `#!/bin/sh\nif [ "$3" = cohort.external.v1.activation_request ]; then\n${activation}\nexit 0\nfi\n${body}\n`;

const node = { identity: 'n1', facts: () => ({ os: { family: 'Debian' }, role: 'web' }) } as unknown as NodeInfo;
const logs: string[] = [];
const log = {
  error: (m: string) => logs.push(`error ${m}`),
  warn: (m: string) => logs.push(`warn ${m}`),
  info: (m: string) => logs.push(`info ${m}`),
  debug: () => undefined,
};

function ctx(signal = new AbortController().signal): ActionContext {
  return {
    signal,
    deadline: Date.now() + 60_000,
    log,
    node,
    request: { id: 'abc123', callerid: 'user=alice', sender: 'laptop', agent: 'x', action: 'run', collective: 'cohort', ttl: 60, time: 1700000000000 },
    fail: () => assert.fail('not used'),
  };
}

async function callRun(agent: Agent, input: Record<string, unknown> = {}, c = ctx()): Promise<unknown> {
  const run = agent.actions['run'];
  assert.ok(run);
  try {
    return await run(input, c);
  } catch (err) {
    return err;
  }
}

function make(name: string, script: string, timeout = 2): { agent: Agent; ddl: Ddl; dir: string } {
  const dir = dirWith({ [`${name}.sh`]: script }, [`${name}.sh`]);
  const ddl = parseDdl(ddlJson(name, timeout), `${name}.json`);
  return { agent: externalAgent({ executable: join(dir, `${name}.sh`), ddl, config: { colour: 'blue' }, tmpDir: dir, graceMs: 300 }), ddl, dir };
}

test('an action gets the request file, the contract arguments and environment, and its reply is returned', async () => {
  const { agent, dir } = make(
    'probe',
    shAgent(`
cp "$1" "$COHORT_EXTERNAL_REQUEST.seen"
{ echo "args=$#:$3"; echo "cwd=$(pwd)"; env | cut -d= -f1 | sort | tr '\\n' ' '; echo; stat -c %a "$1"; cat "$COHORT_EXTERNAL_CONFIG"; echo; cat "$COHORT_EXTERNAL_FACTS"; echo; cat "$1"; } > "$(dirname "$1")/../seen.txt"
echo "to stdout"; echo "to stderr" >&2
printf '{"statuscode":0,"statusmsg":"OK","data":{"n":7,"text":"hi"}}' > "$2"`),
  );
  const result = await callRun(agent, { text: 'hello' });
  assert.deepEqual(result, { n: 7, text: 'hi' });
  const seen = readFileSync(join(dir, 'seen.txt'), 'utf8').split('\n');
  assert.equal(seen[0], 'args=3:cohort.external.v1.rpc_request');
  assert.match(seen[1] ?? '', new RegExp(`^cwd=${dir}/cohort-probe-`), 'cwd is the private call directory');
  assert.equal(seen[2]?.trim(), 'COHORT_EXTERNAL_CONFIG COHORT_EXTERNAL_FACTS COHORT_EXTERNAL_PROTOCOL COHORT_EXTERNAL_REPLY COHORT_EXTERNAL_REQUEST PATH PWD', 'only PATH and the contract (sh adds PWD)');
  assert.equal(seen[3], '600', 'the request file is 0600');
  assert.deepEqual(JSON.parse(seen[4] ?? ''), { colour: 'blue' });
  assert.deepEqual(JSON.parse(seen[5] ?? ''), { os: { family: 'Debian' }, role: 'web' });
  assert.deepEqual(JSON.parse(seen[6] ?? ''), {
    protocol: 'cohort.external.v1.rpc_request',
    agent: 'probe',
    action: 'run',
    requestid: 'abc123',
    caller: 'user=alice',
    sender: 'laptop',
    collective: 'cohort',
    ttl: 60,
    time: 1700000000000,
    data: { text: 'hello' },
  });
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('cohort-probe-')), [], 'the call directory is removed');
  assert.ok(logs.includes('info to stdout') && logs.includes('error to stderr'), logs.join('\n'));
});

test('failures become AgentErrors naming what went wrong', async () => {
  const crash = make('crash', shAgent('echo "database is gone" >&2; exit 3'));
  const err = (await callRun(crash.agent)) as AgentError;
  assert.ok(err instanceof AgentError);
  assert.equal(err.status, 5);
  assert.equal(err.message, 'external agent crash#run (crash.sh) exited with code 3 without writing a reply; stderr: database is gone');

  const silent = make('silent', shAgent('exit 0'));
  assert.equal(((await callRun(silent.agent)) as AgentError).message, 'external agent silent#run (silent.sh) exited 0 but wrote no reply file');

  const wrong = make('wrong', shAgent(`printf '{"data":{"n":"seven"}}' > "$2"`));
  const w = (await callRun(wrong.agent)) as AgentError;
  assert.equal(w.status, 5);
  assert.equal(w.message, `external agent wrong#run (wrong.sh) wrote an invalid reply: output 'n' must be an integer (DDL type integer) but is "seven"`);
  assert.equal(w.data, undefined, 'no garbage data');

  const refuses = make('refuses', shAgent(`printf '{"statuscode":4,"statusmsg":"text is too rude","data":{"n":1}}' > "$2"`));
  const r = (await callRun(refuses.agent)) as AgentError;
  assert.equal(r.status, 4);
  assert.equal(r.message, 'text is too rude');
  assert.deepEqual(r.data, { n: 1 });

  const killed = make('killed', shAgent('kill -9 $$'));
  assert.match(((await callRun(killed.agent)) as AgentError).message, /killed#run \(killed\.sh\) was killed by SIGKILL without writing a reply/);
});

test('an abort (the action timeout) stops the process group: SIGTERM, then SIGKILL', async () => {
  const { agent, dir } = make('hang', shAgent(`trap '' TERM\necho $$ > "${'$'}(dirname "$1")/../pid"\nsleep 60`));
  const controller = new AbortController();
  const pending = callRun(agent, {}, ctx(controller.signal));
  const pidFile = join(dir, 'pid');
  await until('the agent to start', () => existsSync(pidFile), { timeoutMs: 10_000, everyMs: 20 });
  controller.abort(new Error('timeout'));
  const err = (await pending) as AgentError;
  assert.equal(err.status, 1);
  assert.match(err.message, /hang#run \(hang\.sh\) was stopped \(SIGTERM, then SIGKILL\) because the action was aborted/);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the agent process is gone');
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('cohort-hang-')), []);
});

test('dispose (daemon shutdown) stops the calls still running and waits for their processes', async () => {
  const { agent, dir } = make('linger', shAgent(`echo $$ > "${'$'}(dirname "$1")/../pid"\nsleep 60`));
  const pending = callRun(agent);
  const pidFile = join(dir, 'pid');
  await until('the agent to start', () => existsSync(pidFile), { timeoutMs: 10_000, everyMs: 20 });
  await agent.dispose?.();
  const pid = Number(readFileSync(pidFile, 'utf8'));
  assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the agent process is gone when dispose resolves');
  assert.match(((await pending) as AgentError).message, /linger#run \(linger\.sh\) was stopped \(SIGTERM\) because the action was aborted/);
});

test('a reply file over the limit is an error, not read', async () => {
  const big = make('big', shAgent('head -c 9000000 /dev/zero > "$2"'));
  assert.equal(((await callRun(big.agent)) as AgentError).message, 'external agent big#run (big.sh) wrote a reply file of 9000000 bytes, over the 8388608 byte limit');
});

test('the runner stops a process at its own deadline and reports it', async () => {
  const dir = dirWith({ 'slow.sh': '#!/bin/sh\nsleep 60\n' }, ['slow.sh']);
  const run = await runExternal(join(dir, 'slow.sh'), [], { cwd: dir, env: { PATH: '/usr/bin:/bin' }, timeoutMs: 100, graceMs: 300 });
  assert.equal(run.timedOut, true);
  assert.equal(run.killed, false, 'sleep dies of SIGTERM');
  assert.equal(run.signal, 'SIGTERM');
  const missing = await runExternal(join(dir, 'nope'), [], { cwd: dir, env: {}, timeoutMs: 1000 });
  assert.equal(missing.error?.code, 'ENOENT');
});

test('activation: accepted, declined with a reason, or left inactive by a bad answer', async () => {
  assert.equal(await make('yes', shAgent('')).agent.activate?.({ log, node }), true);
  assert.equal(
    await make('no', shAgent('', `printf '{"activate": false, "reason": "nginx is not installed"}' > "$2"`)).agent.activate?.({ log, node }),
    'the agent declined to activate: nginx is not installed',
  );
  assert.match((await make('junk', shAgent('', `echo hello > "$2"`)).agent.activate?.({ log, node })) as string, /^activation check: the reply file is not JSON/);
  assert.equal(await make('quiet', shAgent('', 'true')).agent.activate?.({ log, node }), 'activation check: quiet.sh exited 0 but wrote no reply file');
  assert.equal(await make('exits', shAgent('', 'echo oops >&2; exit 2')).agent.activate?.({ log, node }), 'activation check: exits.sh exited with code 2; stderr: oops');
  assert.match((await make('slowact', shAgent('', 'sleep 60')).agent.activate?.({ log, node })) as string, /^activation check: slowact\.sh did not finish within its 2 s deadline and was stopped \(SIGTERM\)/);
});

test('plugin directories: executables are found beside their DDL, loaded, and refused with clear reasons', async () => {
  const ok = shAgent(`printf '{"data":{"n":1}}' > "$2"`);
  const dir = dirWith(
    {
      'good.json': ddlJson('good'),
      'good.sh': ok,
      'bare.json': ddlJson('bare'),
      bare: ok,
      'noexec.json': ddlJson('noexec'),
      'noexec.py': ok,
      'both.json': ddlJson('both'),
      'both.js': 'export default { name: "both", actions: { run: () => ({}) } };\n',
      'both.sh': ok,
      'declines.json': ddlJson('declines'),
      'declines.sh': shAgent('', `printf '{"activate": false, "reason": "not here"}' > "$2"`),
      'helper.sh': '#!/bin/sh\n',
      'named.json': ddlJson('other'),
      'named.sh': ok,
      'conf.json': ddlJson('conf'),
      'conf.sh': ok,
      'conf.config.json': '[1]',
      'notes.txt': 'not an agent',
    },
    ['good.sh', 'bare', 'both.sh', 'declines.sh', 'helper.sh', 'named.sh', 'conf.sh'],
  );
  const candidates = findPlugins([dir], () => assert.fail('readable'));
  assert.deepEqual(
    candidates.map((c) => c.name).sort(),
    ['bare', 'both', 'conf', 'declines', 'good', 'helper', 'named', 'noexec'],
  );
  assert.equal(candidates.find((c) => c.name === 'bare')?.executableFile, join(dir, 'bare'));
  const loaded = await loadPlugin(candidates.find((c) => c.name === 'good')!);
  assert.equal(loaded.ddl.metadata.name, 'good');
  assert.deepEqual(Object.keys(loaded.agent.actions), ['run']);

  const registry = new AgentRegistry();
  await loadAgents({ registry, builtin: [rpcutil], builtinDdlDir: builtinDdlDir(), pluginDirs: [dir], node, log: silentLogger() });
  assert.deepEqual(registry.names(), ['bare', 'both', 'good', 'rpcutil']);
  assert.equal(registry.get('good')?.source, join(dir, 'good.sh'));
  const reasons = Object.fromEntries(registry.unloaded().map((u) => [u.name, `${u.source} | ${u.reason}`]));
  assert.match(reasons['noexec'] ?? '', /noexec\.py \| .*noexec\.py: is not executable \(chmod \+x noexec\.py\)/);
  assert.equal(registry.get('both')?.source, join(dir, 'both.js'), 'a module wins over an executable of the same name');
  assert.match(reasons['declines'] ?? '', /declines\.sh \| the agent declined to activate: not here$/);
  assert.match(reasons['named'] ?? '', /named\.json: describes agent 'other' but sits beside the executable named\.sh of agent 'named'/);
  assert.match(reasons['conf'] ?? '', /bad agent configuration: .*conf\.config\.json: must hold a JSON object/);
  assert.equal(reasons['helper'], undefined, 'an executable without a DDL is not an agent and not an error');
  const reply = await registry.get('bare')?.actions.get('run')?.handler({}, ctx());
  assert.deepEqual(reply, { n: 1 });
});
