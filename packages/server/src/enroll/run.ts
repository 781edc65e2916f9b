import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { X509Certificate } from 'node:crypto';
import yaml from 'js-yaml';
import { errorMessage, loadSigner, publicKeyFromHex, publicKeyPem, readPublicKeyHex, UsageError } from '@cohort/core';
import { loadServerConfig } from '@cohort/agents';
import { probeNats } from '../bus/probe.js';
import { enrolledConfig, enrollEnvironment, enrollPaths, mergeEnvironmentFile } from './config.js';
import { diagnoseNatsFailure } from './diagnose.js';
import { describeFlags, enrollFlags, enrollTokenFlags, parseArgsOptions } from './flags.js';
import { makeEnrollToken, openEnrollToken, tokenTimeProblem, type EnrollPayload } from './token.js';

/** What the enroll commands touch besides files: output, environment, clock, stdin. */
export interface EnrollIo {
  out(text: string): void;
  err(text: string): void;
  readonly env: NodeJS.ProcessEnv;
  now(): number;
  readStdin(): string;
}

/** A check that failed: the message says what to fix (exit code 1). */
export class EnrollError extends Error {
  override readonly name = 'EnrollError';
}

const defaultConfig = '/etc/cohort/server.yaml';
const defaultEnvFile = '/etc/default/cohortd';

const enrollHelp = `Usage: cohortd enroll --provisioner-token T [--nats URL] [--config FILE] [options]

Join this machine to a fleet through the provisioning pipeline: writes the
node config in provisioning mode (bus, bus CA, the provisioner's key as the
only trusted caller of the provision agent, signed mode) after checking that
it will work: the token is whole and signed, this machine's clock agrees
with the provisioner's, the bus's certificate is signed by the token's CA and
NATS accepts the bootstrap credentials. Each failure says what to fix.
Then start the daemon: systemctl restart cohortd. The provisioner
(cohort provisioner run) takes the node from there (README "Provisioning").

Options:
${describeFlags(enrollFlags)}

Writes: the config (the old one kept as FILE.pre-enroll), bus-ca.pem next to it,
<trusted_keys_dir>/<provisioner>.pub, and the token's secrets (NATS password,
provisioning token) into --environment-file, mode 0600, never into the config.
Exit codes: 0 enrolled, 1 a check failed (the message says what to fix), 2 usage.`;

const tokenHelp = `Usage: cohortd enroll-token --key PROVISIONER.key --nats URL [--ca FILE] [options]

Print an enrollment token for cohortd enroll --provisioner-token: the bus
URLs, its CA, the bootstrap NATS credentials and the provisioner's public
key, signed by the provisioner's key (the node refuses a token changed on
the way). It holds the bootstrap credentials: hand it out like a password.

Options:
${describeFlags(enrollTokenFlags)}`;

function parse<T>(args: string[], table: Parameters<typeof parseArgsOptions>[0], command: string): T {
  try {
    return parseArgs({ args, options: parseArgsOptions(table), strict: true, allowPositionals: false }).values as T;
  } catch (err) {
    throw new UsageError(`${errorMessage(err)} (see cohortd ${command} --help)`);
  }
}

function list(values: readonly string[] | undefined): string[] | undefined {
  const out = values?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  return out && out.length > 0 ? out : undefined;
}

function seconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} ${value}: a number of seconds above 0`);
  return n;
}

function readTokenText(value: string, io: EnrollIo): string {
  if (value === '-') return io.readStdin();
  if (value.startsWith('@')) {
    try {
      return readFileSync(value.slice(1), 'utf8');
    } catch (err) {
      throw new UsageError(`--provisioner-token ${value}: cannot read the file: ${errorMessage(err)}`);
    }
  }
  return value;
}

/** The CA in the token: a PEM certificate, valid now by this clock. */
function checkCa(pem: string, now: number): void {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    throw new EnrollError(`wrong token: its CA is not a PEM certificate (${errorMessage(err)}); make the token with --ca set to the bus CA's certificate file`);
  }
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  if (now < from) throw new EnrollError(`clock skew: the bus CA certificate is valid from ${new Date(from).toISOString()}, but this machine's clock says ${new Date(now).toISOString()}: set the time (timedatectl set-ntp true) and enroll again`);
  if (now > to) throw new EnrollError(`the bus CA certificate expired at ${new Date(to).toISOString()} (this machine's clock: ${new Date(now).toISOString()}); renew the CA, or set this clock if it is wrong`);
}

function readYaml(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  let doc: unknown;
  try {
    doc = yaml.load(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new EnrollError(`${file} is not valid YAML (${errorMessage(err)}); fix or remove it, then enroll again`);
  }
  if (doc === undefined || doc === null) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new EnrollError(`${file} does not hold a YAML mapping; fix or remove it, then enroll again`);
  return doc as Record<string, unknown>;
}

/** Write `text` to `file` atomically (temp file beside it, then rename), with `mode`. */
function writeAtomic(file: string, text: string, mode: number): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.enroll-${process.pid}`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

interface EnrollValues {
  'provisioner-token'?: string;
  config?: string;
  nats?: string[];
  identity?: string;
  facts?: string[];
  'provisioner-key'?: string;
  'environment-file'?: string;
  timeout?: string;
  'dry-run'?: boolean;
  help?: boolean;
}

/** `cohortd enroll`: check, then write the node's provisioning-mode config. Resolves to the exit code. */
export async function runEnroll(args: string[], io: EnrollIo): Promise<number> {
  const v = parse<EnrollValues>(args, enrollFlags, 'enroll');
  if (v.help) {
    io.out(`${enrollHelp}\n`);
    return 0;
  }
  if (!v['provisioner-token']) throw new UsageError('--provisioner-token T is required (see cohortd enroll --help)');
  const configFile = v.config ?? (io.env['COHORTD_CONFIG'] || defaultConfig);
  const envFile = v['environment-file'] ?? defaultEnvFile;
  const timeoutMs = seconds(v.timeout, 'timeout', 10) * 1000;
  const nats = list(v.nats);
  const facts = list(v.facts)?.map((f) => resolve(f));
  let expectedKey: string | undefined;
  if (v['provisioner-key']) {
    try {
      expectedKey = readPublicKeyHex(v['provisioner-key']);
    } catch (err) {
      throw new UsageError(`--provisioner-key ${v['provisioner-key']}: ${errorMessage(err)}`);
    }
  }

  // 1. The token: whole, signed, by the expected key. 2. The clock against the provisioner's.
  const p: EnrollPayload = (() => {
    try {
      return openEnrollToken(readTokenText(v['provisioner-token'], io), expectedKey);
    } catch (err) {
      throw new EnrollError(errorMessage(err));
    }
  })();
  const current = readYaml(configFile);
  const now = io.now();
  const stage = mkdtempSync(join(tmpdir(), 'cohortd-enroll-'));
  try {
    const paths = enrollPaths(configFile, current, p.provisioner);
    const secrets = enrollEnvironment(p);
    // 3. The config as it will be, loaded by cohortd's own loader (with the secrets as the unit will pass them).
    const stagedPaths = { ...paths, ca: join(stage, 'bus-ca.pem') };
    const staged = join(stage, 'server.yaml');
    writeFileSync(staged, yaml.dump(enrolledConfig(current, p, stagedPaths, { ...(nats ? { nats } : {}), ...(v.identity ? { identity: v.identity } : {}), ...(facts ? { facts } : {}) })));
    if (p.ca !== undefined) writeFileSync(stagedPaths.ca, p.ca);
    let config;
    try {
      config = loadServerConfig({ file: staged, env: secrets }).config;
    } catch (err) {
      throw new EnrollError(`the enrolled config would not load: ${errorMessage(err).replaceAll(staged, configFile)}; fix ${configFile} (or move it away) and enroll again`);
    }
    const skew = tokenTimeProblem(p, now, config.security.max_clock_skew * 1000);
    if (skew) throw new EnrollError(skew);
    if (p.ca !== undefined) checkCa(p.ca, now);
    // 4. The bus: reachable, TLS with the token's CA, the bootstrap credentials accepted.
    const failure = await probeNats(config, timeoutMs);
    if (failure) throw new EnrollError(diagnoseNatsFailure(failure, config.nats.servers, p.ca !== undefined));

    const text = yaml.dump(enrolledConfig(current, p, paths, { ...(nats ? { nats } : {}), ...(v.identity ? { identity: v.identity } : {}), ...(facts ? { facts } : {}) }));
    if (v['dry-run']) {
      io.out(`# cohortd enroll --dry-run: every check passed; ${configFile} would be:\n${text}`);
      return 0;
    }
    // 5. Write: public material, secrets (0600), then the config (the old one kept).
    if (p.ca !== undefined) writeAtomic(paths.ca, p.ca, 0o644);
    writeAtomic(paths.provisionerKey, publicKeyPem(publicKeyFromHex(p.public_key)), 0o644);
    if (Object.keys(secrets).length > 0) writeAtomic(envFile, mergeEnvironmentFile(existsSync(envFile) ? readFileSync(envFile, 'utf8') : '', secrets), 0o600);
    const hadConfig = existsSync(paths.config);
    if (hadConfig) copyFileSync(paths.config, `${paths.config}.pre-enroll`);
    writeAtomic(paths.config, text, 0o644);
    io.out(
      [
        `enrolled: ${paths.config} runs this node in provisioning mode on ${config.nats.servers.join(', ')}`,
        `  trusted provisioner: ${p.provisioner} (${paths.provisionerKey})${p.ca !== undefined ? `; bus CA: ${paths.ca}` : ''}${Object.keys(secrets).length > 0 ? `; secrets: ${envFile}` : ''}`,
        `  token valid until ${new Date(p.expires).toISOString()}${hadConfig ? `; the old config is ${paths.config}.pre-enroll` : ''}`,
        'next: systemctl restart cohortd (the provisioner takes the node from there: cohort provisioner status)',
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

interface TokenValues {
  key?: string;
  nats?: string[];
  ca?: string;
  'nats-user'?: string;
  'nats-password'?: string;
  token?: string;
  ttl?: string;
  help?: boolean;
}

/** `cohortd enroll-token`: print a signed enrollment token. */
export function runEnrollToken(args: string[], io: EnrollIo): number {
  const v = parse<TokenValues>(args, enrollTokenFlags, 'enroll-token');
  if (v.help) {
    io.out(`${tokenHelp}\n`);
    return 0;
  }
  if (!v.key) throw new UsageError('--key PROVISIONER.key is required: the provisioner\'s private key signs the token (see cohortd enroll-token --help)');
  const nats = list(v.nats);
  if (!nats) throw new UsageError('--nats URL is required: where fresh nodes connect (see cohortd enroll-token --help)');
  let signer;
  try {
    signer = loadSigner({ keyFile: v.key, kind: 'caller' });
  } catch (err) {
    throw new UsageError(`--key ${v.key}: ${errorMessage(err)}`);
  }
  let ca: string | undefined;
  if (v.ca) {
    try {
      ca = readFileSync(v.ca, 'utf8');
      new X509Certificate(ca);
    } catch (err) {
      throw new UsageError(`--ca ${v.ca}: not a readable PEM certificate (${errorMessage(err)})`);
    }
  }
  const password = v['nats-password'] ?? (io.env['COHORT_NATS_PASSWORD'] || undefined);
  const token = v.token ?? (io.env['COHORT_PROVISIONING_TOKEN'] || undefined);
  const now = io.now();
  const ttl = seconds(v.ttl, 'ttl', 7 * 86_400);
  io.out(
    `${makeEnrollToken(signer, {
      nats,
      ...(ca !== undefined ? { ca } : {}),
      ...(v['nats-user'] !== undefined ? { nats_user: v['nats-user'] } : {}),
      ...(password !== undefined ? { nats_password: password } : {}),
      ...(token !== undefined ? { token } : {}),
      issued: now,
      expires: now + ttl * 1000,
    })}\n`,
  );
  return 0;
}
