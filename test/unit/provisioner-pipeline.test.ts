// The pipeline file: defaults, every bad input refused with the key named,
// step dependencies, the final config template (inline or from a file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { loadPipeline, pipelineFromValues } from '../../packages/provisioner/src/index.ts';

const template = { steps: { configure: { template: 'identity: {{identity}}\n' } } };

test('defaults: every step but Puppet, the seed order, log notifier, 4 workers', () => {
  const p = pipelineFromValues(template);
  assert.deepEqual(p.steps, ['lock', 'choose_master', 'set_master', 'clean', 'gencsr', 'sign', 'install_cert', 'configure', 'restart', 'verify']);
  assert.equal(p.config.workers, 4);
  assert.equal(p.config.provisioning.collective, 'provisioning');
  assert.equal(p.config.production.collective, 'cohort');
  assert.equal(p.config.state.bucket, 'cohort_provisioner');
  assert.deepEqual(p.config.notify, [{ type: 'log' }]);
  assert.equal(p.config.steps.lock.timeout, 30);
  assert.equal(p.config.steps.puppet_bootstrap.environment, 'bootstrap');
  assert.equal(p.template, 'identity: {{identity}}\n');
  assert.ok(p.name.length > 0, 'name defaults to the host name');
  assert.ok(Object.isFrozen(p.config.steps));
});

test('Puppet steps are enabled in place, in the seed order', () => {
  const p = pipelineFromValues({ steps: { ...template.steps, puppet_final: { enabled: true }, puppet_bootstrap: { enabled: true, environment: 'boot' } } });
  assert.deepEqual(p.steps.slice(6, 9), ['install_cert', 'puppet_bootstrap', 'puppet_final']);
  assert.equal(p.config.steps.puppet_bootstrap.environment, 'boot');
});

const refused: Array<[string, unknown, RegExp]> = [
  ['unknown top-level key', { ...template, wokers: 3 }, /unknown key 'wokers' \(did you mean 'workers'\?\)/],
  ['unknown step', { steps: { ...template.steps, sgin: {} } }, /unknown key 'steps\.sgin' \(did you mean 'steps\.sign'\?\)/],
  ['wrong type', { ...template, workers: 'four' }, /key 'workers' must be a whole number from 1 to 256 \(got "four"\)/],
  ['bad fallback', { steps: { ...template.steps, choose_master: { fallback: 'random' } } }, /key 'steps\.choose_master\.fallback' must be first or fail/],
  ['criteria not a list', { steps: { ...template.steps, choose_master: { criteria: 'region' } } }, /key 'steps\.choose_master\.criteria' must be a list of fact names/],
  ['retries too many', { steps: { ...template.steps, sign: { retries: 99 } } }, /key 'steps\.sign\.retries' must be a whole number from 0 to 20/],
  ['bad bucket', { ...template, state: { bucket: 'a.b' } }, /key 'state\.bucket' must be a bucket name/],
  ['bad CSR field', { steps: { ...template.steps, gencsr: { subject: { CN: 'x' } } } }, /key 'steps\.gencsr\.subject' must be a mapping of O, OU, C, L, ST to non-empty strings \(got "CN": "x"\)/],
  ['notifier type', { ...template, notify: [{ type: 'sms' }] }, /key 'notify' entry 1 \(sms\): type must be log, webhook or email \(got "sms"\)/],
  ['webhook url', { ...template, notify: [{ type: 'log' }, { type: 'webhook', url: 'ftp://x' }] }, /key 'notify' entry 2 \(webhook\): url must be an http:\/\/ or https:\/\/ URL/],
  ['webhook key', { ...template, notify: [{ type: 'webhook', url: 'http://h/x', header: {} }] }, /entry 1 \(webhook\): unknown key 'header' \(known keys: type, events, url, headers, timeout\)/],
  ['email host', { ...template, notify: [{ type: 'email', smtp: {}, from: 'a@b', to: 'c@d' }] }, /entry 1 \(email\): smtp\.host must be the SMTP server's host name/],
  ['email to', { ...template, notify: [{ type: 'email', smtp: { host: 'mx' }, from: 'a@b', to: ['nobody'] }] }, /entry 1 \(email\): to must be an email address or a list of them/],
  ['email smtp key', { ...template, notify: [{ type: 'email', smtp: { host: 'mx', tls: true }, from: 'a@b', to: 'c@d' }] }, /unknown key 'smtp\.tls'/],
  ['events', { ...template, notify: [{ type: 'log', events: ['started'] }] }, /events must be a non-empty list of provisioned, failed/],
  ['no template', {}, /steps\.configure needs the final cohortd config: steps\.configure\.template .* or set steps\.configure\.enabled: false/],
  ['both templates', { steps: { configure: { template: 'x: 1', template_file: '/x' } } }, /give steps\.configure\.template or steps\.configure\.template_file, not both/],
  ['template name', { steps: { configure: { template: 'identity: {{identiy}}' } } }, /key 'steps\.configure\.template': unknown name 'identiy' in \{\{identiy\}\} \(known: identity, certname/],
  ['template filter', { steps: { configure: { template: 'a: {{identity|yaml}}' } } }, /unknown filter '\|yaml'/],
  ['sign without gencsr', { steps: { ...template.steps, gencsr: { enabled: false } } }, /steps\.sign needs steps\.gencsr \(enable it, or set steps\.sign\.enabled: false\)/],
  ['install without sign', { steps: { ...template.steps, sign: { enabled: false } } }, /steps\.install_cert needs steps\.sign/],
  ['clean without master', { steps: { ...template.steps, choose_master: { enabled: false } } }, /steps\.set_master needs steps\.choose_master/],
];
for (const [what, values, message] of refused) {
  test(`refused, naming the key: ${what}`, () => {
    assert.throws(() => pipelineFromValues(values, 'config pipeline.yaml'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'CONFIG');
      assert.match(err.message, /^config pipeline\.yaml: /);
      assert.match(err.message, message);
      return true;
    });
  });
}

test('a file: YAML errors with the line, template_file relative to the file, the token from the environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-pipeline-'));
  try {
    writeFileSync(join(dir, 'final.yaml.tmpl'), 'identity: {{identity}}\ncollectives: [{{collective}}]\n');
    const file = join(dir, 'pipeline.yaml');
    writeFileSync(file, 'workers: 2\nsteps:\n  configure:\n    template_file: final.yaml.tmpl\n');
    const p = loadPipeline(file, { COHORT_PROVISIONING_TOKEN: 's3cret' });
    assert.equal(p.file, file);
    assert.equal(p.config.workers, 2);
    assert.equal(p.config.provisioning.token, 's3cret');
    assert.equal(p.template, 'identity: {{identity}}\ncollectives: [{{collective}}]\n');
    writeFileSync(file, 'steps:\n  configure:\n    template_file: missing.tmpl\n');
    assert.throws(() => loadPipeline(file), /key 'steps\.configure\.template_file': cannot read .*missing\.tmpl/);
    writeFileSync(file, 'workers: [\n');
    assert.throws(() => loadPipeline(file), /pipeline\.yaml: not valid YAML: .* at line \d+, column \d+/);
    assert.throws(() => loadPipeline(join(dir, 'nope.yaml')), /nope\.yaml: cannot read the file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('examples/provisioning: the pipeline loads; its template, the bootstrap config and cloud-init\'s make configs cohortd accepts', async () => {
  const { loadServerConfig } = await import('@cohort/agents');
  const { finalConfig } = await import('../../packages/provisioner/src/index.ts');
  const examples = new URL('../../examples/provisioning/', import.meta.url).pathname;
  const p = loadPipeline(join(examples, 'pipeline.yaml'));
  assert.deepEqual(p.steps, ['lock', 'choose_master', 'set_master', 'clean', 'gencsr', 'sign', 'install_cert', 'puppet_bootstrap', 'puppet_final', 'configure', 'restart', 'verify']);
  assert.deepEqual(p.config.notify.map((n) => n.type), ['log', 'webhook', 'email']);
  const master = { identity: 'puppet-de1', host: 'puppet-de1.example.net', ip: '10.2.0.1', port: 8140, reason: 'region=eu' };
  const text = finalConfig({ identity: 'web7.example.net', pipeline: p, data: { master, certname: 'web7.example.net', ssl_dir: '/var/lib/cohort/ssl' } }, { region: 'eu-central-1' });
  const dir = mkdtempSync(join(tmpdir(), 'cohort-final-'));
  try {
    writeFileSync(join(dir, 'final.yaml'), text);
    const final = loadServerConfig({ file: join(dir, 'final.yaml') }).config;
    assert.equal(final.identity, 'web7.example.net');
    assert.deepEqual(final.collectives, ['cohort']);
    assert.equal(final.nats.tls.cert, '/var/lib/cohort/ssl/certs/web7.example.net.pem');
    const bootstrap = loadServerConfig({ file: join(examples, 'bootstrap.yaml') }).config;
    assert.equal(bootstrap.provisioning.enabled, true);
    // Signed by the provisioner, over TLS: no shared secret in the image.
    assert.deepEqual([bootstrap.security.mode, bootstrap.security.trusted_keys_dir, bootstrap.provisioning.provisioners, bootstrap.provisioning.token], ['signed', '/etc/cohort/provisioners', ['provisioner=eu-1'], null]);
    assert.equal(bootstrap.nats.tls.ca, '/etc/cohort/bus-ca.pem');
    assert.match(bootstrap.nats.servers[0] ?? '', /^tls:\/\//);
    // cloud-init: the config it writes, with the lines its script appends, is a bootstrap config cohortd loads; the script parses.
    const cloudInit = yaml.load(readFileSync(join(examples, 'cloud-init.yaml'), 'utf8')) as { write_files: Array<{ path: string; content: string }>; runcmd: string[] };
    const written = cloudInit.write_files.find((f) => f.path === '/etc/cohort/cohortd.yaml')!.content;
    writeFileSync(join(dir, 'cohortd.yaml'), `${written}identity: ip-10-0-0-7.eu-west-1.compute.internal\nfacts: [${join(dir, 'facts.yaml')}]\n`);
    const fresh = loadServerConfig({ file: join(dir, 'cohortd.yaml') }).config;
    assert.deepEqual([fresh.identity, fresh.provisioning.enabled, fresh.security.mode, fresh.provisioning.provisioners, fresh.nats.tls.ca], ['ip-10-0-0-7.eu-west-1.compute.internal', true, 'signed', ['provisioner=eu-1'], '/etc/cohort/bus-ca.pem']);
    assert.ok(cloudInit.write_files.some((f) => f.path === '/etc/cohort/provisioners/provisioner=eu-1.pub'), 'the image carries the provisioner public key');
    execFileSync('sh', ['-n'], { input: cloudInit.runcmd.join('\n') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
