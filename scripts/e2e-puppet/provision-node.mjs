// A cohortd in provisioning mode for the Puppet e2e script: bootstrap config,
// ssl dir, hosts file and a puppet.conf (vardir etc. inside the temp dir, so
// the real `puppet agent` run touches nothing outside it).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { cohortdBin, waitForSubscriptions } from '../harness.mjs';

/**
 * Start it and wait until it answers in the `provisioning` collective.
 * @param {{ dir: string, natsUrl: string, monitorPort: number, identity: string }} options
 */
export async function startProvisioningNode(options) {
  const { dir, identity } = options;
  const etc = join(dir, 'etc');
  mkdirSync(etc, { recursive: true });
  const puppetConf = join(etc, 'puppet.conf');
  writeFileSync(join(etc, 'hosts'), '127.0.0.1 localhost\n');
  writeFileSync(
    puppetConf,
    ['[main]', `vardir = ${join(dir, 'puppet-var')}`, `logdir = ${join(dir, 'puppet-log')}`, `rundir = ${join(dir, 'puppet-run')}`, `codedir = ${join(dir, 'puppet-code')}`, `publicdir = ${join(dir, 'puppet-public')}`, ''].join('\n'),
  );
  const configFile = join(etc, 'cohortd.yaml');
  const config = {
    identity,
    nats: { servers: [options.natsUrl] },
    // A lab: the script drives the node unsigned (the signed bootstrap is covered by test/integration/provision-*.test.ts).
    provisioning: { enabled: true, allow_unsigned: true, ssl_dir: join(dir, 'ssl'), hosts_file: join(etc, 'hosts'), puppet_conf: puppetConf, puppet_command: 'puppet' },
    security: { mode: 'unsigned' },
    logging: { level: 'info', format: 'text' },
  };
  writeFileSync(configFile, yaml.dump(config));
  const child = spawn(process.execPath, [cohortdBin, '--config', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => {
    log += d.toString();
    if (log.length > 400_000) log = log.slice(-200_000);
  });
  const node = {
    identity,
    configFile,
    log: () => log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitForSubscriptions(options.monitorPort, [identity], 60_000, new Map([[identity, { identity, process: child, configFile, factsFile: '', log: node.log }]]), 'provisioning');
  } catch (err) {
    await node.stop();
    throw new Error(`the provisioning node did not come up: ${err instanceof Error ? err.message : String(err)}\n${log.slice(-3000)}`);
  }
  return node;
}
