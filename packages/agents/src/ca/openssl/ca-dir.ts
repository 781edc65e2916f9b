import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError } from '../../errors.js';
import { readIfExists, writeAtomic } from '../../lib/files.js';
import type { Openssl } from './openssl.js';

/** Where the openssl CA keeps its files. */
export interface CaPaths {
  readonly dir: string;
  /** CA private key, mode 0600. */
  readonly key: string;
  /** Self-signed CA certificate. */
  readonly cert: string;
  /** JSON index of issued and revoked certificates (see index-file.ts). */
  readonly index: string;
  /** Issued certificates, `<certname>.pem`. */
  readonly issued: string;
  /** Revoked certificates, `<serial>.pem`. */
  readonly revoked: string;
  /** Scratch files (openssl extension configs); cleaned after each use. */
  readonly tmp: string;
}

/** The file layout of an openssl CA directory. */
export function caPaths(dir: string): CaPaths {
  return {
    dir,
    key: join(dir, 'ca.key'),
    cert: join(dir, 'ca.crt'),
    index: join(dir, 'index.json'),
    issued: join(dir, 'issued'),
    revoked: join(dir, 'revoked'),
    tmp: join(dir, 'tmp'),
  };
}

/** What a new CA is made with. */
export interface CaInit {
  /** Create the CA when there is none (ca.init). */
  readonly init: boolean;
  /** Names the CA in its subject: `Cohort CA <identity>`. */
  readonly identity: string;
  /** Lifetime of the CA certificate in days. */
  readonly days: number;
}

/**
 * Run `use` with an openssl config file written to the CA's tmp directory,
 * removed afterwards whatever happens.
 */
export async function withConfigFile<T>(paths: CaPaths, text: string, use: (file: string) => Promise<T>): Promise<T> {
  await mkdir(paths.tmp, { recursive: true, mode: 0o700 });
  const file = join(paths.tmp, `openssl-${process.pid}-${randomBytes(6).toString('hex')}.cnf`);
  await writeFile(file, text, { mode: 0o600 });
  try {
    return await use(file);
  } finally {
    await rm(file, { force: true });
  }
}

/** A random positive 128-bit certificate serial number, hex (RFC 5280 allows up to 20 octets). */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x10; // positive, and no leading zero octet
  return bytes.toString('hex').toUpperCase();
}

function caConfig(identity: string): string {
  return [
    '[req]',
    'distinguished_name = dn',
    'prompt = no',
    'x509_extensions = v3_ca',
    '[dn]',
    `CN = Cohort CA ${identity}`,
    'O = Cohort',
    '[v3_ca]',
    'basicConstraints = critical,CA:TRUE',
    'keyUsage = critical,keyCertSign,cRLSign',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid:always',
    '',
  ].join('\n');
}

/**
 * Make sure `paths.dir` holds a CA and return its certificate PEM. A missing
 * CA is created (EC P-256 key written 0600, self-signed certificate) when
 * `init` allows; the certificate is written last, so a directory with a key
 * but no certificate is an interrupted creation and is redone.
 */
export async function ensureCa(openssl: Openssl, paths: CaPaths, init: CaInit): Promise<string> {
  const existing = await readIfExists(paths.cert);
  if (existing !== undefined) {
    if ((await readIfExists(paths.key)) === undefined) {
      throw new AgentError(`the CA directory ${paths.dir} has ca.crt but no ca.key; restore the key or move the directory away to start a new CA`, 1);
    }
    return existing;
  }
  if (!init.init) {
    throw new AgentError(`there is no CA in ${paths.dir} (no ca.crt); put ca.key and ca.crt there or set ca.init: true to create one`, 1);
  }
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await chmod(paths.dir, 0o700);
  const key = await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  await writeAtomic(paths.key, key, 0o600);
  const cert = await withConfigFile(paths, caConfig(init.identity), (config) =>
    openssl(['req', '-x509', '-new', '-config', config, '-key', paths.key, '-sha256', '-days', String(init.days), '-set_serial', `0x${randomSerial()}`]),
  );
  await writeAtomic(paths.cert, cert, 0o644);
  return cert;
}
