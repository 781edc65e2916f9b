/**
 * Security: Ed25519 keys and signatures, issuer certificates, trust stores,
 * signed request/reply envelopes, the replay cache, actionpolicy
 * authorization, audit records and NATS connection settings. See docs/security.md.
 */
export { SecurityError } from './errors.js';
export {
  generateKeyPair,
  publicKeyHex,
  publicKeyFromHex,
  keyId,
  privateKeyPem,
  publicKeyPem,
  readPrivateKey,
  readPublicKeyHex,
  publicKeyFileFor,
  certificateFileFor,
  writeKeyPair,
  type KeyPair,
} from './keys.js';
export { signText, verifyText, verifyTextAsync } from './signing.js';
export { ed25519, useLibsodium, loadLibsodiumEd25519, opensslEd25519, type Ed25519, type Ed25519Backend, type Ed25519Choice } from './ed25519.js';
export { VerifiedSignatures, defaultVerifiedSignaturesLimit, signatureDigest } from './verified-signatures.js';
export { SignatureFile, signatureFilePath } from './signature-file.js';
export {
  certificateTag,
  issueCertificate,
  parseCertificateDocument,
  readCertificate,
  writeCertificate,
  certificateBody,
  openCertificate,
  certificateProblem,
  subjectProblem,
  type CertificateRequest,
} from './certificate.js';
export { TrustStore, subjectForKeyFile, type TrustKind, type TrustedSigner, type TrustSources } from './trust.js';
export {
  createSigner,
  sealRequest,
  sealReply,
  encodeSealedReply,
  encodeRequest,
  openRequest,
  openReply,
  verifyRequest,
  verifyReply,
  type Signer,
  type OpenedRequest,
  type OpenedReply,
} from './envelope.js';
export { loadSigner, type SignerSource } from './signer.js';
export { ReplayCache, ReplayVerdict } from './replay.js';
export { Refreshing, stampOf } from './refreshing.js';
export { AuditOutcome, auditRecord, auditLine, digestOf, boundedValue, type AuditRecord, type AuditSummary, type Digest } from './audit.js';
export { resolveBusAuth, type BusAuth, type BusAuthSettings } from './bus-auth.js';
export { parsePolicy, parseGroups, PolicyError } from './policy/parse.js';
export { evaluatePolicy, ruleMatches, type PolicySubject, type PolicyMatch } from './policy/evaluate.js';
export { PolicyStore, type PolicyStoreOptions } from './policy/store.js';
export type { Policy, PolicyRule, PolicyEffect, PolicyGroups, PolicyDecision, CallerPattern } from './policy/types.js';
export { redactSecrets, redacted } from './redact.js';
export {
  signedDataTag,
  defaultMaxSignedDataBytes,
  sealData,
  sealDataBytes,
  isSignedData,
  openData,
  verifyData,
  verifyDataAsync,
  readData,
  readDataAsync,
  type SignedDataBody,
  type SignedDataEnvelope,
  type OpenedData,
  type VerifiedData,
  type DataExpectation,
} from './signed-data.js';
