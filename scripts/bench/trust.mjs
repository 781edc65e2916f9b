// The throwaway issuer of the benchmarks and the soak (nothing here is a real
// secret: it lives in a temp dir for one run). Registry records are signed, and
// clients use the registry only when they can verify them, so everything that
// registers is certified by this issuer and every client trusts it:
//   - cohort-sim:     --issuer-key (benchIssuer().keyFile) certifies its node keys;
//   - real cohortd:   certifiedNodeKey() writes node.key + node.cert (security.node_key);
//   - Client library: nodeTrust: benchNodeTrust();
//   - the cohort CLI: --issuer benchIssuer().publicFile.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createSigner, generateKeyPair, issueCertificate, publicKeyHex, TrustStore, writeCertificate, writeKeyPair } from '@cohort/core';

/** @type {{ keyFile: string, publicFile: string, privateKey: import('node:crypto').KeyObject } | undefined} */
let issuer;

/** The issuer of this run (made on first use): its private key file, public key file and key. */
export function benchIssuer() {
  if (!issuer) {
    const pair = generateKeyPair();
    const files = writeKeyPair(join(mkdtempSync(join(tmpdir(), 'cohort-bench-issuer-')), 'issuer'), pair);
    issuer = { ...files, privateKey: pair.privateKey };
  }
  return issuer;
}

/** Trusted node keys for clients (Client.connect's nodeTrust): the bench issuer. */
export function benchNodeTrust() {
  return TrustStore.load({ kind: 'node', issuers: [benchIssuer().publicFile] });
}

/**
 * A node key for `identity` in `dir` (node.key, node.pub) with its
 * certificate from the bench issuer beside it (node.cert, valid a day):
 * give the key file as a cohortd's security.node_key and it signs its
 * registry records (and replies) so that trusting clients accept them.
 * Returns the key file.
 */
export function certifiedNodeKey(dir, identity) {
  const pair = generateKeyPair();
  const { keyFile } = writeKeyPair(join(dir, 'node'), pair, { overwrite: true });
  const day = 86_400_000;
  writeCertificate(join(dir, 'node.cert'), issueCertificate(benchIssuer().privateKey, { kind: 'node', subject: identity, publicKey: publicKeyHex(pair.publicKey), expiresAt: Date.now() + day }));
  return keyFile;
}

/**
 * A caller key for `callerid` certified by the bench issuer (valid a day), as
 * a Signer for Client.connect's `signer`: the client sends the certificate
 * with every signed request, and daemons in signed mode trusting the issuer
 * (writeDaemonConfig's `signed`) serve it.
 */
export function callerSigner(callerid = 'user=bench') {
  const pair = generateKeyPair();
  const certificate = issueCertificate(benchIssuer().privateKey, { kind: 'caller', subject: callerid, publicKey: publicKeyHex(pair.publicKey), expiresAt: Date.now() + 86_400_000 });
  return createSigner(pair.privateKey, callerid, certificate);
}

/** Remove the issuer's temp dir (the next benchIssuer() makes a new one). */
export function removeBenchIssuer() {
  if (!issuer) return;
  rmSync(dirname(issuer.keyFile), { recursive: true, force: true });
  issuer = undefined;
}
