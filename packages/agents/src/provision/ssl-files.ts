import { join } from 'node:path';

/** Where the node's key and certificates live: Puppet's ssldir layout, so Puppet can use the same directory. */
export interface SslFiles {
  readonly key: string;
  readonly publicKey: string;
  readonly csr: string;
  readonly cert: string;
  readonly ca: string;
}

/** The files of `certname` in `sslDir` (private_keys/, public_keys/, certificate_requests/, certs/). */
export function sslFiles(sslDir: string, certname: string): SslFiles {
  return {
    key: join(sslDir, 'private_keys', `${certname}.pem`),
    publicKey: join(sslDir, 'public_keys', `${certname}.pem`),
    csr: join(sslDir, 'certificate_requests', `${certname}.pem`),
    cert: join(sslDir, 'certs', `${certname}.pem`),
    ca: join(sslDir, 'certs', 'ca.pem'),
  };
}
