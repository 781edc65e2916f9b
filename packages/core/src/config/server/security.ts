import { item } from '../spec.js';

const pathOrNull = { type: ['string', 'null'], minLength: 1 } as const;

/**
 * `security:` section of the server configuration: who may send requests
 * (signatures and trust), replay protection, authorization and audit.
 * See docs/security.md.
 */
export const securitySection = {
  mode: item<'signed' | 'unsigned'>({
    default: 'signed',
    doc: 'signed: only requests signed by a trusted key run; unsigned: anyone on the bus may run anything (labs only; warned at every start)',
    schema: { enum: ['signed', 'unsigned'] },
    expect: "'signed' or 'unsigned'",
    env: 'COHORT_SECURITY_MODE',
  }),
  trusted_keys_dir: item<string | null>({
    default: null,
    doc: 'directory of trusted caller public keys: alice.pub is trusted as user=alice (name with = is the caller id itself)',
    schema: pathOrNull,
    expect: 'a directory path',
    path: true,
  }),
  issuers: item<readonly string[]>({
    default: [],
    doc: 'issuer public key files: callers with a certificate from one of them are trusted as the certificate says',
    schema: { type: 'array', items: { type: 'string', minLength: 1 } },
    expect: 'a list of file paths',
    path: true,
  }),
  node_key: item<string | null>({
    default: null,
    doc: "this node's Ed25519 private key, used to sign replies; created (with .pub beside it) on first start if missing; null: replies are not signed",
    schema: pathOrNull,
    expect: 'a file path',
    path: true,
  }),
  node_certificate: item<string | null>({
    default: null,
    doc: 'issuer certificate for node_key (default: the .cert file beside node_key, when present)',
    schema: pathOrNull,
    expect: 'a file path',
    path: true,
  }),
  replay_cache_size: item<number>({
    default: 100_000,
    doc: 'request ids remembered within their TTL to refuse replays; when full, new requests are refused',
    schema: { type: 'integer', minimum: 1, maximum: 10_000_000 },
    expect: 'an integer from 1 to 10000000',
  }),
  policy_dir: item<string | null>({
    default: null,
    doc: 'directory of actionpolicy files (<agent>.policy, default.policy, groups); null: no authorization',
    schema: pathOrNull,
    expect: 'a directory path',
    path: true,
  }),
  default_policy: item<'allow' | 'deny'>({
    default: 'deny',
    doc: 'with policy_dir: what applies to an agent without a policy file, and to files without a policy default line',
    schema: { enum: ['allow', 'deny'] },
    expect: "'allow' or 'deny'",
  }),
  audit_file: item<string | null>({
    default: null,
    doc: 'append one JSON line per request here before the action runs; null: no audit log',
    schema: pathOrNull,
    expect: 'a file path',
    path: true,
  }),
} as const;
