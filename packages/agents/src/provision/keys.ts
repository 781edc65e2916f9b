import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readIfExists, writeAtomic, writeIfChanged } from '../lib/files.js';
import type { OpensslRunner } from './openssl.js';
import type { SslFiles } from './ssl-files.js';

const genpkeyArgs = {
  rsa: ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  ec: ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
} as const;

/**
 * Make sure the node has a private key: reuse the one in the ssl dir, else
 * create one (RSA 2048 or EC P-256) with `openssl genpkey` and store it with
 * mode 0600 (its directory 0700). The key is never returned to a caller.
 * Writes the matching public key beside it; resolves to that public key (PEM).
 */
export async function ensureKey(openssl: OpensslRunner, files: SslFiles, keyType: 'rsa' | 'ec'): Promise<{ publicKey: string; created: boolean }> {
  let created = false;
  if ((await readIfExists(files.key)) === undefined) {
    await mkdir(dirname(files.key), { recursive: true, mode: 0o700 });
    const pem = await openssl(genpkeyArgs[keyType]);
    await writeAtomic(files.key, pem, 0o600);
    created = true;
  }
  const publicKey = await openssl(['pkey', '-in', files.key, '-pubout']);
  await writeIfChanged(files.publicKey, publicKey);
  return { publicKey, created };
}

/** The public key (PEM) of the node's private key. */
export function publicKeyOf(openssl: OpensslRunner, files: SslFiles): Promise<string> {
  return openssl(['pkey', '-in', files.key, '-pubout']);
}
