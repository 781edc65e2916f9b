import { X509Certificate } from 'node:crypto';
import { randomSerial, withConfigFile, type CaPaths } from './ca-dir.js';
import type { Openssl } from './openssl.js';

/** A certificate fresh from the CA. */
export interface Issued {
  readonly pem: string;
  readonly serial: string;
  readonly notAfter: Date;
}

/**
 * The extensions of every certificate the CA issues: an end-entity
 * certificate usable as a TLS client and server certificate for the name
 * (e.g. the node's certificate for the NATS bus), whatever the CSR asked for
 * (its requested extensions are not copied).
 */
export function nodeExtensions(certname: string): string {
  return [
    '[v3_node]',
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage = serverAuth,clientAuth',
    `subjectAltName = DNS:${certname}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid,issuer',
    '',
  ].join('\n');
}

/**
 * Sign `csrPem` (already checked: CN = certname) with the CA in `paths` for
 * `days` days, with a random serial, via `openssl x509 -req`.
 */
export async function issueCertificate(openssl: Openssl, paths: CaPaths, csrPem: string, certname: string, days: number): Promise<Issued> {
  const serial = randomSerial();
  const pem = await withConfigFile(paths, nodeExtensions(certname), (extfile) =>
    openssl(
      ['x509', '-req', '-CA', paths.cert, '-CAkey', paths.key, '-set_serial', `0x${serial}`, '-days', String(days), '-sha256', '-extfile', extfile, '-extensions', 'v3_node'],
      { input: csrPem },
    ),
  );
  const cert = new X509Certificate(pem);
  return { pem, serial: cert.serialNumber.toUpperCase(), notAfter: new Date(cert.validTo) };
}
