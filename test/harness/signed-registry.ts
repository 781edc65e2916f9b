// Signed registry records written by the test itself, as a node would write
// them (issue 18's contract: `address` and `services` in the record), with
// node keys certified by a throwaway issuer. For readers of the registry
// (cohort dns) tested before or without real nodes filling these fields.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSigner,
  generateKeyPair,
  issueCertificate,
  publicKeyHex,
  publicKeyPem,
  RegistryTag,
  sealDeregistration,
  sealRegistration,
  TrustStore,
  type RegistrationMessage,
  type ServiceEntry,
  type Signer,
} from '@cohort/core';

/** A throwaway issuer: its public key file (for --issuer), a trust store, and certified node signers. */
export class TestIssuer {
  readonly #pair = generateKeyPair();
  readonly publicFile: string;
  readonly #signers = new Map<string, Signer>();

  constructor(dir = mkdtempSync(join(tmpdir(), 'cohort-test-issuer-'))) {
    this.publicFile = join(dir, 'issuer.pub');
    writeFileSync(this.publicFile, publicKeyPem(this.#pair.publicKey));
  }

  trust(): TrustStore {
    return TrustStore.load({ kind: 'node', issuers: [this.publicFile] });
  }

  /** The (cached) signer of `identity`, certified for a day. */
  signer(identity: string): Signer {
    let s = this.#signers.get(identity);
    if (!s) {
      const pair = generateKeyPair();
      s = createSigner(pair.privateKey, identity, issueCertificate(this.#pair.privateKey, { kind: 'node', subject: identity, publicKey: publicKeyHex(pair.publicKey), expiresAt: Date.now() + 86_400_000 }));
      this.#signers.set(identity, s);
    }
    return s;
  }

  /** The record sealed by its node. */
  seal(record: RegistrationMessage): Uint8Array {
    return sealRegistration(record, this.signer(record.identity));
  }

  /** A node's clean-shutdown tombstone, sealed by the node. */
  deregistration(identity: string): Uint8Array {
    return sealDeregistration({ identity, started_at: 1 }, this.signer(identity), Date.now());
  }
}

/** A service as the contract carries it (passing unless told). */
export function service(name: string, port: number, tags: string[] = [], health: ServiceEntry['health'] = 'passing'): ServiceEntry {
  return { name, port, tags, health, health_source: 'none', since: Date.now() };
}

/** A registry record with an address and services. */
export function registration(identity: string, o: { address?: string; services?: ServiceEntry[]; classes?: string[]; interval?: number; collective?: string; time?: number } = {}): RegistrationMessage {
  const time = o.time ?? Date.now();
  return {
    protocol: RegistryTag.Registration,
    identity,
    collectives: [o.collective ?? 'cohort'],
    facts: {},
    classes: o.classes ?? [],
    agents: ['rpcutil'],
    version: 'test',
    started_at: time,
    time,
    interval: o.interval ?? 60,
    ...(o.address !== undefined ? { address: o.address } : {}),
    ...(o.services !== undefined ? { services: o.services } : {}),
  };
}
