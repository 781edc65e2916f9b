import { createSigner, generateKeyPair, issueCertificate, publicKeyHex, readPrivateKey, type Signer } from '@cohort/core';

/**
 * Signers for virtual nodes (cohort-sim --issuer-key): one node key per
 * simulator process, certified by the issuer for each virtual node's
 * identity, so every record verifies for exactly the node it claims.
 */
export function simSigners(issuerKeyFile: string): (identity: string) => Signer {
  const issuer = readPrivateKey(issuerKeyFile);
  const { privateKey } = generateKeyPair();
  const publicKey = publicKeyHex(privateKey);
  return (identity) => createSigner(privateKey, identity, issueCertificate(issuer, { kind: 'node', subject: identity, publicKey, expiresAt: Date.now() + 7 * 86_400_000 }));
}
