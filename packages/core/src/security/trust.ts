import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { errorMessage } from '../errors.js';
import type { CertificateBody, CertificateDocument } from '../protocol/types.js';
import { certificateBody, certificateProblem, subjectProblem } from './certificate.js';
import { SecurityError } from './errors.js';
import { keyId, readPublicKeyHex } from './keys.js';
import { verifyText, verifyTextAsync } from './signing.js';
import type { SignatureFile } from './signature-file.js';
import { VerifiedSignatures } from './verified-signatures.js';

/** Who a trust store vouches for: callers (nodes checking requests) or nodes (clients checking replies). */
export type TrustKind = 'caller' | 'node';

/** A signer the store trusts, and how. */
export interface TrustedSigner {
  /** The caller id (callers) or identity (nodes) the key is bound to. */
  readonly subject: string;
  /** `key`: listed in the trusted keys directory; `certificate`: certified by a trusted issuer. */
  readonly via: 'key' | 'certificate';
  /** The signer's public key, hex. */
  readonly key: string;
}

/** Where trust comes from. */
export interface TrustSources {
  kind: TrustKind;
  /** Directory of `<name>.pub` files; each binds its key to a subject named by the file. */
  keysDir?: string | null | undefined;
  /** Issuer public key files: keys they certify are trusted for the certificate's subject. */
  issuers?: readonly string[] | undefined;
  /** Further trusted issuer keys, hex (e.g. the issuer of the client's own certificate). */
  extraIssuers?: readonly string[] | undefined;
}

/**
 * The subject a trusted key file binds its key to. For callers `alice.pub`
 * means `user=alice`, and a name with `=` is the caller id itself
 * (`deploy=ci.pub` → `deploy=ci`); for nodes the name is the identity.
 */
export function subjectForKeyFile(kind: TrustKind, file: string): string {
  const name = basename(file).replace(/\.pub$/, '');
  return kind === 'caller' && !name.includes('=') ? `user=${name}` : name;
}

/**
 * Trusted public keys and issuers. Lookups are cheap: keys are a map, and a
 * certificate's signature is checked once and remembered (its validity
 * period is checked on every use).
 */
export class TrustStore {
  readonly kind: TrustKind;
  readonly #keys: ReadonlyMap<string, string>;
  readonly #issuers: ReadonlySet<string>;
  readonly #certificates = new Map<string, { text: string; body: CertificateBody }>();
  #signatures: VerifiedSignatures | undefined;
  /** Problems found while loading (unusable files), for the log. */
  readonly warnings: readonly string[];

  constructor(kind: TrustKind, keys: ReadonlyMap<string, string>, issuers: ReadonlySet<string>, warnings: readonly string[] = []) {
    this.kind = kind;
    this.#keys = keys;
    this.#issuers = issuers;
    this.warnings = warnings;
  }

  /** Read a keys directory and issuer files. Throws SecurityError when a configured path cannot be read. */
  static load(sources: TrustSources): TrustStore {
    const keys = new Map<string, string>();
    const warnings: string[] = [];
    if (sources.keysDir) {
      let names: string[];
      try {
        names = readdirSync(sources.keysDir).filter((n) => n.endsWith('.pub')).sort();
      } catch (err) {
        throw new SecurityError(`cannot read the trusted keys directory ${sources.keysDir}: ${errorMessage(err)}`, { cause: err });
      }
      for (const name of names) {
        const file = join(sources.keysDir, name);
        const subject = subjectForKeyFile(sources.kind, file);
        const problem = subjectProblem(sources.kind, subject);
        if (problem) {
          warnings.push(`ignoring trusted key ${file}: ${problem}`);
          continue;
        }
        let hex: string;
        try {
          hex = readPublicKeyHex(file);
        } catch (err) {
          warnings.push(`ignoring trusted key: ${errorMessage(err)}`);
          continue;
        }
        const earlier = keys.get(hex);
        if (earlier !== undefined) warnings.push(`ignoring trusted key ${file}: the same key is already trusted as ${earlier}`);
        else keys.set(hex, subject);
      }
    }
    const issuers = new Set([...(sources.issuers ?? []).map((f) => readPublicKeyHex(f)), ...(sources.extraIssuers ?? [])]);
    return new TrustStore(sources.kind, keys, issuers, warnings);
  }

  /**
   * Remember the signed records that verified (see VerifiedSignatures), for a
   * long-lived reader that reads the same records again and again (the web
   * console, the mine mirror): a record read before costs a hash instead of
   * an Ed25519 check. Every other check (trusted key, certificate validity,
   * subject, kind, time) is still made on every read. With `file` (the CLI's
   * signatures file, see SignatureFile), the triples that verified in earlier
   * runs count too. Certificates' signatures are remembered the same way.
   * Returns this store.
   */
  rememberSignatures(limit?: number, file?: SignatureFile): this {
    this.#signatures ??= new VerifiedSignatures(limit, file);
    return this;
  }

  /** The remembered signatures (undefined unless {@link rememberSignatures} was called). */
  get signatures(): VerifiedSignatures | undefined {
    return this.#signatures;
  }

  /** Is `signature` a valid signature of `text` by `publicKey`? (From memory when remembering and seen before.) */
  checkSignature(publicKey: string, text: string, signature: string): boolean {
    return this.#signatures ? this.#signatures.verify(publicKey, text, signature) : verifyText(publicKey, text, signature);
  }

  /** {@link checkSignature} in the thread pool. */
  checkSignatureAsync(publicKey: string, text: string, signature: string): Promise<boolean> {
    return this.#signatures ? this.#signatures.verifyAsync(publicKey, text, signature) : verifyTextAsync(publicKey, text, signature);
  }

  /** Number of trusted keys and issuers (both 0: nothing can be verified). */
  get size(): { keys: number; issuers: number } {
    return { keys: this.#keys.size, issuers: this.#issuers.size };
  }

  /**
   * Who signed with `publicKey` (hex), according to this store: through a
   * trusted key file, or through `certificate` from a trusted issuer.
   * Returns a reason string when the signer is not trusted.
   */
  identify(publicKey: string, certificate: CertificateDocument | undefined, now: number): TrustedSigner | string {
    if (certificate) return this.#signerOf(publicKey, this.#certificate(certificate), now);
    return this.#keySigner(publicKey);
  }

  /**
   * {@link identify} with a certificate's signature checked in the thread
   * pool (readers identifying a thousand nodes at once use every core); the
   * same answers, and the same cache of checked certificates.
   */
  async identifyAsync(publicKey: string, certificate: CertificateDocument | undefined, now: number): Promise<TrustedSigner | string> {
    if (certificate) return this.#signerOf(publicKey, await this.#certificateAsync(certificate), now);
    return this.#keySigner(publicKey);
  }

  #signerOf(publicKey: string, body: CertificateBody | string, now: number): TrustedSigner | string {
    if (typeof body === 'string') return body;
    const problem = certificateProblem(body, this.kind, now);
    if (problem) return problem;
    if (body.public_key !== publicKey) return `the certificate for ${body.subject} certifies key ${keyId(body.public_key)}, not the signing key ${keyId(publicKey)}`;
    return { subject: body.subject, via: 'certificate', key: publicKey };
  }

  #keySigner(publicKey: string): TrustedSigner | string {
    const subject = this.#keys.get(publicKey);
    if (subject === undefined) return `unknown key ${keyId(publicKey)}: not in the trusted keys and no certificate from a trusted issuer`;
    return { subject, via: 'key', key: publicKey };
  }

  #who(): string {
    return this.kind === 'caller' ? 'node' : 'client';
  }

  #certificate(doc: CertificateDocument): CertificateBody | string {
    const known = this.#beforeCertificateSignature(doc);
    if (typeof known !== 'object' || known.checked) return typeof known === 'object' ? known.body : known;
    if (!this.checkSignature(known.body.issuer, doc.certificate, doc.signature)) return `the certificate for ${known.body.subject} has a signature that does not verify`;
    return this.#remember(doc, known.body);
  }

  async #certificateAsync(doc: CertificateDocument): Promise<CertificateBody | string> {
    const known = this.#beforeCertificateSignature(doc);
    if (typeof known !== 'object' || known.checked) return typeof known === 'object' ? known.body : known;
    if (!(await this.checkSignatureAsync(known.body.issuer, doc.certificate, doc.signature))) return `the certificate for ${known.body.subject} has a signature that does not verify`;
    return this.#remember(doc, known.body);
  }

  /** A cached (already checked) certificate, or its body still to check, or why it is refused before any signature check. */
  #beforeCertificateSignature(doc: CertificateDocument): { body: CertificateBody; checked: boolean } | string {
    const hit = this.#certificates.get(doc.signature);
    if (hit && hit.text === doc.certificate) return { body: hit.body, checked: true };
    const body = certificateBody(doc);
    if (typeof body === 'string') return body;
    // Check the issuer before spending a signature check on it.
    if (!this.#issuers.has(body.issuer)) return `the certificate for ${body.subject} is signed by issuer ${keyId(body.issuer)}, which this ${this.#who()} does not trust`;
    return { body, checked: false };
  }

  #remember(doc: CertificateDocument, body: CertificateBody): CertificateBody {
    // Only certificates from trusted issuers are kept: room for a large fleet (one per node).
    if (this.#certificates.size >= 65_536) this.#certificates.clear();
    this.#certificates.set(doc.signature, { text: doc.certificate, body });
    return body;
  }
}
