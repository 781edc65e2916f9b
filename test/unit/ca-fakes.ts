// Helpers for the ca agent's unit tests: key pairs and CSRs made with the real
// openssl CLI in a temp dir, a node with a `ca:` section.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { NodeInfo } from '@cohort/agents';
import { configNode } from './node-fakes.js';

/** A temp dir removed when the test file ends. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A private key (EC P-256 or RSA 2048) written to `dir/name.key`; returns its path. */
export function makeKey(dir: string, name: string, type: 'ec' | 'rsa' = 'ec'): string {
  const file = join(dir, `${name}.key`);
  const alg = type === 'ec' ? ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'];
  execFileSync('openssl', ['genpkey', ...alg, '-out', file], { stdio: 'pipe' });
  return file;
}

/** A PEM CSR for `subject` (e.g. `/CN=node1`) signed by `keyFile`. */
export function makeCsr(keyFile: string, subject: string): string {
  return execFileSync('openssl', ['req', '-new', '-key', keyFile, '-subj', subject], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Run openssl with arguments, returning its stdout (throws with stderr on failure). */
export function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, { encoding: 'utf8', input: input ?? '', stdio: ['pipe', 'pipe', 'pipe'] });
}

/** `openssl verify -CAfile ca cert` of two PEMs written to `dir`; returns openssl's output (throws when it does not verify). */
export function verify(dir: string, caPem: string, certPem: string): string {
  const ca = join(dir, `verify-ca-${process.hrtime.bigint()}.pem`);
  const cert = join(dir, `verify-cert-${process.hrtime.bigint()}.pem`);
  writeFileSync(ca, caPem);
  writeFileSync(cert, certPem);
  return execFileSync('openssl', ['verify', '-CAfile', ca, cert], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A NodeInfo named `identity` whose `ca:` section is `values`, loaded as cohortd loads it (spec defaults for the rest). */
export function caNode(values: Record<string, unknown>, identity = 'ca1'): NodeInfo {
  return configNode({ identity, ca: values });
}

/** A fixture file of captured `puppetserver ca` output. */
export function puppetFixture(name: string): string {
  return readFileSync(join(import.meta.dirname, '..', 'fixtures', 'puppetserver-ca', name), 'utf8');
}
