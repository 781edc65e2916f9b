// configure's file handling (validated by the daemon's loader, atomic, the
// bootstrap copy kept once) and the restart's fallback to that copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServerConfig } from '@cohort/agents';
import { silentLogger } from '@cohort/core/log';
import { AgentError } from '../../packages/agents/src/errors.ts';
import { writeFinalConfig } from '../../packages/agents/src/provision/configure.ts';
import { configForRestart, fallbackConfig } from '../../packages/server/src/provisioning/restart.ts';

const bootstrap = 'identity: fresh1\nnats: { servers: [nats://127.0.0.1:4] }\nprovisioning: { enabled: true, restart_timeout: 1 }\nsecurity: { mode: unsigned }\n';
const final = 'identity: fresh1\ncollectives: [production]\nnats: { servers: [nats://127.0.0.1:5] }\nsecurity: { mode: unsigned }\n';

function setup(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-provision-configure-'));
  const file = join(dir, 'cohortd.yaml');
  writeFileSync(file, bootstrap);
  chmodSync(file, 0o640);
  return { dir, file };
}

test('configure: writes a config that loads, keeps the first bootstrap copy and the file mode; the same text again changes nothing', async () => {
  const { dir, file } = setup();
  try {
    assert.deepEqual(await writeFinalConfig(file, final), { changed: true });
    assert.equal(readFileSync(file, 'utf8'), final);
    assert.equal(readFileSync(`${file}.bootstrap`, 'utf8'), bootstrap);
    assert.equal(statSync(file).mode & 0o777, 0o640);
    assert.deepEqual(await writeFinalConfig(file, final), { changed: false });
    const json = JSON.stringify({ identity: 'fresh1', collectives: ['production', 'dc2'], security: { mode: 'unsigned' } });
    assert.deepEqual(await writeFinalConfig(file, json), { changed: true }, 'JSON text works too');
    assert.deepEqual(loadServerConfig({ file, env: {} }).config.collectives, ['production', 'dc2']);
    assert.equal(readFileSync(`${file}.bootstrap`, 'utf8'), bootstrap, 'the bootstrap copy is the original, not the previous final config');
    assert.deepEqual(readdirSync(dir).sort(), ['cohortd.yaml', 'cohortd.yaml.bootstrap'], 'no temporary files left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('configure: refuses a config the loader refuses (status 4, its message), an empty one, a bootstrap one, and a daemon without a config file', async () => {
  const { dir, file } = setup();
  try {
    await assert.rejects(writeFinalConfig(file, 'identity: fresh1\ncollectives: []\n'), (err: unknown) => {
      assert.ok(err instanceof AgentError);
      assert.equal(err.status, 4);
      assert.match(err.message, /^the new configuration would not load: config \(new config\): .*collectives/);
      return true;
    });
    await assert.rejects(writeFinalConfig(file, 'nats: [unclosed\n'), /would not load: .*not valid YAML/);
    await assert.rejects(writeFinalConfig(file, '  \n'), /config is empty/);
    await assert.rejects(writeFinalConfig(undefined, final), /started without a config file/);
    await assert.rejects(writeFinalConfig(file, `${final}\nprovisioning: { enabled: true }\n`), (err: unknown) => {
      assert.ok(err instanceof AgentError);
      assert.equal(err.status, 4);
      assert.match(err.message, /still has provisioning\.enabled: true/);
      return true;
    });
    assert.equal(readFileSync(file, 'utf8'), bootstrap);
    assert.deepEqual(readdirSync(dir), ['cohortd.yaml']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('restart: a config that does not load, or cannot reach NATS, falls back to the restored bootstrap copy', async () => {
  const { dir, file } = setup();
  const log = silentLogger();
  try {
    const previous = loadServerConfig({ file, env: {} });
    writeFileSync(`${file}.bootstrap`, bootstrap);
    writeFileSync(file, 'identity: [not a string]\n');
    const broken = await configForRestart({ env: {} }, previous, log);
    assert.equal(broken.fellBack, true);
    assert.equal(broken.loaded.config.provisioning.enabled, true);
    assert.equal(readFileSync(file, 'utf8'), bootstrap, 'bootstrap restored');
    assert.equal(readFileSync(`${file}.failed`, 'utf8'), 'identity: [not a string]\n');

    writeFileSync(file, final); // nats://127.0.0.1:5: nothing listens there
    const unreachable = await configForRestart({ env: {} }, previous, log);
    assert.equal(unreachable.fellBack, true);
    assert.equal(readFileSync(file, 'utf8'), bootstrap);
    assert.equal(readFileSync(`${file}.failed`, 'utf8'), final);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('restart fallback without a bootstrap copy: the configuration the daemon ran before', () => {
  const { dir, file } = setup();
  try {
    const previous = loadServerConfig({ file, env: {} });
    assert.equal(fallbackConfig({ env: {} }, previous, silentLogger()), previous);
    assert.ok(!existsSync(`${file}.failed`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
