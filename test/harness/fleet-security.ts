// Throwaway keys for a fleet in signed mode (the demo; any test that asks for
// `secure: true`): an issuer, an operator key certified as user=operator, and
// one certified node key per node, all inside the fleet's temp dir. Nothing
// here is a real secret: it lives and dies with the fleet.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, issueCertificate, publicKeyHex, writeCertificate, writeKeyPair } from '@cohort/core';

export interface FleetSecurity {
  nodeConfig: Record<string, unknown>;
  clientEnv: Record<string, string>;
  operatorKey: string;
  issuerPublicKey: string;
  securityDir: string;
}

/**
 * Make the keys in `<dir>/security/` (the fleet directory) and node keys in
 * `<dir>/<identity>/`. `policies`: actionpolicy files to write (name -> text);
 * none = no authorization.
 */
export function fleetSecurity(dir: string, identities: string[], options: { policies?: Record<string, string> } = {}): FleetSecurity {
  const securityDir = join(dir, 'security');
  mkdirSync(securityDir, { recursive: true, mode: 0o700 });
  const issuer = generateKeyPair();
  const { publicFile: issuerPublicKey } = writeKeyPair(join(securityDir, 'issuer'), issuer, { overwrite: true });
  const operator = generateKeyPair();
  const { keyFile: operatorKey } = writeKeyPair(join(securityDir, 'operator'), operator, { overwrite: true });
  const day = 86_400_000;
  writeCertificate(
    join(securityDir, 'operator.cert'),
    issueCertificate(issuer.privateKey, { kind: 'caller', subject: 'user=operator', publicKey: publicKeyHex(operator.publicKey), expiresAt: Date.now() + day }),
  );
  for (const identity of identities) {
    const nodeDir = join(dir, identity);
    mkdirSync(nodeDir, { recursive: true });
    const pair = generateKeyPair();
    writeKeyPair(join(nodeDir, 'node'), pair, { overwrite: true });
    writeCertificate(join(nodeDir, 'node.cert'), issueCertificate(issuer.privateKey, { kind: 'node', subject: identity, publicKey: publicKeyHex(pair.publicKey), expiresAt: Date.now() + day }));
  }
  let policyDir: string | null = null;
  if (options.policies) {
    policyDir = join(securityDir, 'policies');
    mkdirSync(policyDir, { recursive: true });
    for (const [name, text] of Object.entries(options.policies)) writeFileSync(join(policyDir, name), text);
  }
  return {
    // Relative paths resolve against each node's own config file: <dir>/<identity>/server.yaml.
    nodeConfig: { mode: 'signed', issuers: [issuerPublicKey], node_key: 'node.key', audit_file: 'audit.log', policy_dir: policyDir },
    clientEnv: { COHORT_KEY: operatorKey },
    operatorKey,
    issuerPublicKey,
    securityDir,
  };
}
