/**
 * A stand-in for the Ruby puppetral helper, for unit tests: a small Node
 * script speaking the same line protocol (packages/agents/src/puppetral/protocol.ts),
 * so the agent and the helper manager are tested without Puppet. It answers by
 * resource type: `host` finds/applies fine, `invalid`/`failed`/`internal` fail
 * that way, `die` exits, `hang` never answers, `wrongid` answers another id.
 * Started with `--not-ready` it reports that Puppet did not load.
 */
import { after } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeInfo } from '@cohort/agents';
import { configNode } from './node-fakes.js';

const script = String.raw`
import { createInterface } from 'node:readline';
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
if (process.argv.includes('--not-ready')) {
  process.stderr.write('cannot load such file -- puppet\n');
  say({ ready: false, error: 'LoadError: cannot load such file -- puppet' });
  process.exit(1);
}
say({ ready: true, puppet: '7.0.0-fake' });
createInterface({ input: process.stdin }).on('line', (line) => {
  const r = JSON.parse(line);
  switch (r.type) {
    case 'die': process.stderr.write('dying on purpose\n'); process.exit(3);
    case 'hang': return;
    case 'wrongid': return say({ id: r.id + 100, ok: true, result: {} });
    case 'invalid': case 'failed': case 'internal':
      return say({ id: r.id, ok: false, error: { kind: r.type, message: 'fake ' + r.type + ' error' } });
  }
  const state = { name: r.title ?? r.parameters.name, ensure: 'present', ...r.parameters };
  if (r.op === 'find') return say({ id: r.id, ok: true, result: { type: r.type, title: r.title, parameters: state, pid: process.pid } });
  if (r.op === 'search') return say({ id: r.id, ok: true, result: { type: r.type, resources: { a: state, b: state } } });
  const status = r.noop ? 'noop' : 'success';
  return say({ id: r.id, ok: true, result: { events: [{ property: 'ensure', previous_value: 'absent', desired_value: 'present', status, message: 'created' }], parameters: state } });
});
`;

/** Write the fake helper to a temp dir (removed when the test file ends); returns its path (run it with process.execPath). */
export function fakeHelperScript(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-fake-puppet-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'fake-helper.mjs');
  writeFileSync(file, script);
  return file;
}

/** A NodeInfo whose `puppetral:` section is `values`, loaded as cohortd loads it (spec defaults for the rest). */
export function puppetralNode(values: Record<string, unknown>): NodeInfo {
  return configNode({ puppetral: values });
}

/** A logger that keeps what it is told, for assertions. */
export function memoryLog(): { lines: string[]; error(m: string): void; warn(m: string): void; info(m: string): void; debug(m: string): void } {
  const lines: string[] = [];
  return {
    lines,
    error: (m) => lines.push(`error: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    info: (m) => lines.push(`info: ${m}`),
    debug: (m) => lines.push(`debug: ${m}`),
  };
}
