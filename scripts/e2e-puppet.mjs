#!/usr/bin/env node
// End-to-end check of the ca agent's puppet backend against a real Puppet
// Server (pnpm test:e2e:puppet; not part of `pnpm test`: it installs Debian's
// puppetserver when missing and needs a ~1 GB JVM and a few minutes).
//
// A throwaway puppetserver (temp dir, free port) and a nats-server start; a
// real cohortd hosts the ca agent with `ca.backend: puppet`. A fake node's
// `puppet ssl submit_request` queues a CSR; `ca list` shows it, `ca sign`
// signs it (the node downloads the same certificate), `ca clean` removes it;
// a CSR passed to `ca sign` is queued and signed. Then a cohortd in
// provisioning mode is taken through set_master, gencsr, sign (puppet CA),
// install_cert and run_puppet against that server. Finally, with the server
// stopped, `ca list` must fail saying puppetserver is not running.
//
// Environment: E2E_PUPPET_HEAP (JVM -Xmx, default 1g), E2E_KEEP=1 keeps the temp dir.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { freePort, startNatsServer, repoRoot, startFleet } from './harness.mjs';
import { puppetserverMissing, startPuppetServer } from './e2e-puppet/puppetserver.mjs';
import { check, rpc, rpcOk, run, runOk, stepper } from './e2e-puppet/tools.mjs';
import { startProvisioningNode } from './e2e-puppet/provision-node.mjs';

const { step, skip, summary } = stepper();
const started = Date.now();
const cleanups = [];
let failed = false;

async function ensureInstalled() {
  const which = await run('sh', ['-c', 'command -v puppetserver && command -v puppet && command -v java']);
  if (which.code === 0 && !puppetserverMissing()) return 'already installed';
  if (process.getuid?.() !== 0) throw new Error('puppetserver is not installed and this is not root: run sudo apt-get install -y puppetserver puppet-agent, then re-run');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  let install = await run('apt-get', ['install', '-y', 'puppetserver', 'puppet-agent'], { timeoutMs: 900_000, env });
  if (install.code !== 0) {
    await runOk('apt-get', ['update'], { timeoutMs: 300_000, env });
    install = await run('apt-get', ['install', '-y', 'puppetserver', 'puppet-agent'], { timeoutMs: 900_000, env });
  }
  if (install.code !== 0) throw new Error(`apt-get install -y puppetserver puppet-agent failed:\n${install.stdout.slice(-2000)}\n${install.stderr}`);
  return 'installed with apt-get';
}

function nodeSslArgs(dir, certname, port) {
  const dirs = ['confdir', 'vardir', 'ssldir', 'logdir', 'rundir', 'publicdir'].flatMap((name) => [`--${name}`, join(dir, name)]);
  return ['--certname', certname, ...dirs, '--server', 'localhost', '--serverport', String(port)];
}

async function main() {
  if (!existsSync(join(repoRoot, 'packages/server/dist')) || !existsSync(join(repoRoot, 'packages/cli/dist'))) {
    throw new Error('Cohort is not built: run pnpm build first');
  }
  const how = await step('puppetserver and puppet-agent installed', ensureInstalled);
  const version = (await runOk('puppet', ['--version'])).trim();
  process.stderr.write(`    ${how}; puppet ${version}; ${(await runOk('puppetserver', ['--version'])).trim()}\n`);

  const dir = mkdtempSync(join(tmpdir(), 'cohort-e2e-puppet-'));
  cleanups.push(() => (process.env.E2E_KEEP ? process.stderr.write(`kept ${dir}\n`) : rmSync(dir, { recursive: true, force: true })));
  const nats = await startNatsServer({ jetstream: true });
  cleanups.push(() => nats.stop());
  const port = await freePort();
  const server = await step(`start puppetserver on port ${port} (JVM -Xmx${process.env.E2E_PUPPET_HEAP ?? '1g'})`, () =>
    startPuppetServer({ dir: join(dir, 'puppetserver'), port, heap: process.env.E2E_PUPPET_HEAP ?? '1g' }),
  );
  cleanups.push(() => server.stop());

  const fleet = await step('start cohortd hosting ca (backend puppet)', () =>
    startFleet({
      natsUrl: nats.url,
      monitorPort: nats.monitorPort,
      dir: join(dir, 'fleet'),
      pluginDirs: [],
      nodes: [{ identity: 'puppetca', facts: { role: 'puppetca' }, classes: [] }],
      config: { ca: { enabled: true, backend: 'puppet', puppetserver_config: server.puppetConf } },
      readyTimeoutMs: 60_000,
    }),
  );
  cleanups.push(() => fleet.stop());
  const at = { identity: 'puppetca' };
  const caPem = readFileSync(join(server.cadir, 'ca_crt.pem'), 'utf8');

  await step('ca info reports the Puppet CA', async () => {
    const info = await rpcOk(nats.url, 'ca', 'info', {}, at);
    check(info.backend === 'puppet', `backend ${info.backend}`);
    check(info.ca === caPem, 'info.ca is the CA certificate in the cadir');
    check(info.fingerprint === new X509Certificate(caPem).fingerprint256, 'fingerprint');
  });

  const node1 = join(dir, 'node1');
  await step('node1.e2e submits a CSR (puppet ssl submit_request)', () => runOk('puppet', ['ssl', 'submit_request', ...nodeSslArgs(node1, 'node1.e2e', port)], { timeoutMs: 180_000 }));

  await step('ca list shows the waiting request', async () => {
    const list = await rpcOk(nats.url, 'ca', 'list', {}, at);
    check(list.requests.includes('node1.e2e') && !list.signed.includes('node1.e2e'), JSON.stringify(list));
  });

  const signed = await step('ca sign signs it; the node downloads the same certificate', async () => {
    const out = await rpcOk(nats.url, 'ca', 'sign', { certname: 'node1.e2e' }, at);
    check(new X509Certificate(out.certificate).verify(new X509Certificate(caPem).publicKey), 'certificate verifies against the CA');
    await runOk('puppet', ['ssl', 'download_cert', ...nodeSslArgs(node1, 'node1.e2e', port)], { timeoutMs: 180_000 });
    check(readFileSync(join(node1, 'ssldir', 'certs', 'node1.e2e.pem'), 'utf8').trim() === out.certificate.trim(), 'node got the signed certificate');
    return out;
  });

  await step('ca sign again is idempotent; list shows it signed', async () => {
    const again = await rpcOk(nats.url, 'ca', 'sign', { certname: 'node1.e2e' }, at);
    check(again.serial === signed.serial, `serial ${again.serial} vs ${signed.serial}`);
    const list = await rpcOk(nats.url, 'ca', 'list', {}, at);
    check(list.signed.includes('node1.e2e') && !list.requests.includes('node1.e2e'), JSON.stringify(list));
  });

  await step('ca clean revokes and removes it (then has nothing to clean)', async () => {
    check((await rpcOk(nats.url, 'ca', 'clean', { certname: 'node1.e2e' }, at)).cleaned === true, 'first clean');
    check((await rpcOk(nats.url, 'ca', 'clean', { certname: 'node1.e2e' }, at)).cleaned === false, 'second clean');
    const list = await rpcOk(nats.url, 'ca', 'list', {}, at);
    check(!list.signed.includes('node1.e2e') && !list.requests.includes('node1.e2e'), JSON.stringify(list));
  });

  await step('ca sign with a csr queues and signs it; a CN mismatch is refused', async () => {
    const key = join(dir, 'node2.key');
    await runOk('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key]);
    const csr = await runOk('openssl', ['req', '-new', '-key', key, '-subj', '/CN=node2.e2e']);
    const wrong = await rpc(nats.url, 'ca', 'sign', { certname: 'other.e2e', csr }, at);
    check(wrong.statuscode === 1 && /does not match certname/.test(wrong.statusmsg), `mismatch: ${wrong.statusmsg}`);
    const out = await rpcOk(nats.url, 'ca', 'sign', { certname: 'node2.e2e', csr }, at);
    check(new X509Certificate(out.certificate).subject.includes('CN=node2.e2e'), 'subject');
    check((await rpcOk(nats.url, 'ca', 'list', {}, at)).signed.includes('node2.e2e'), 'listed as signed');
  });

  if (!existsSync(join(repoRoot, 'ddl', 'provision.json'))) {
    skip('provision agent: set_master, gencsr, sign, install_cert, run_puppet', 'ddl/provision.json is not there');
  } else {
    const fresh = await step('start a cohortd in provisioning mode', () => startProvisioningNode({ dir: join(dir, 'fresh'), natsUrl: nats.url, monitorPort: nats.monitorPort, identity: 'fresh1.e2e' }));
    cleanups.push(() => fresh.stop());
    const p = { identity: 'fresh1.e2e', collective: 'provisioning' };
    await step('provision set_master, gencsr; ca sign (Puppet CA); install_cert', async () => {
      await rpcOk(nats.url, 'provision', 'set_master', { host: 'localhost', port }, p);
      const gen = await rpcOk(nats.url, 'provision', 'gencsr', {}, p);
      const out = await rpcOk(nats.url, 'ca', 'sign', { certname: gen.certname, csr: gen.csr }, at);
      const installed = await rpcOk(nats.url, 'provision', 'install_cert', { certificate: out.certificate, ca: out.ca }, p);
      check(installed.installed === true, JSON.stringify(installed));
    });
    await step('provision run_puppet against the server applies the catalog', async () => {
      const runOut = await rpcOk(nats.url, 'provision', 'run_puppet', { environment: 'production' }, p);
      check(runOut.exitcode === 0 || runOut.exitcode === 2, JSON.stringify(runOut));
      process.stderr.write(`    exitcode ${runOut.exitcode}: ${runOut.summary}\n`);
    });
  }

  await step('with puppetserver stopped, ca list fails saying so', async () => {
    await server.stop();
    const down = await rpc(nats.url, 'ca', 'list', {}, at);
    check(down.statuscode === 1 && /puppetserver is not running/.test(down.statusmsg), `got ${down.statuscode} ${down.statusmsg}`);
    process.stderr.write(`    ${down.statusmsg}\n`);
  });
}

try {
  await main();
} catch (err) {
  failed = true;
  process.stderr.write(`\nFAILED: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
}
for (const cleanup of cleanups.reverse()) {
  try {
    await cleanup();
  } catch (err) {
    process.stderr.write(`cleanup: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
process.stderr.write(`\n${summary()}\n${failed ? 'FAILED' : 'PASSED'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
process.exit(failed ? 1 : 0);
