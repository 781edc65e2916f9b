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
  replay_per_caller: item<number>({
    default: 0.2,
    doc: 'share of replay_cache_size one caller may fill (0 < share <= 1): a caller flooding the cache is refused, the others keep working',
    schema: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    expect: 'a number above 0 and at most 1',
  }),
  max_ttl: item<number>({
    default: 3600,
    doc: 'seconds: a longer request ttl is cut to this (bounds how long a captured request stays valid and how long its id is remembered)',
    schema: { type: 'integer', minimum: 1, maximum: 86_400 },
    expect: 'an integer from 1 to 86400',
  }),
  max_clock_skew: item<number>({
    default: 60,
    doc: 'seconds a request time may lie in the future (client clock ahead); further is refused',
    schema: { type: 'integer', minimum: 0, maximum: 3600 },
    expect: 'an integer from 0 to 3600',
  }),
  fstat_paths: item<readonly string[]>({
    default: ['/etc', '/opt', '/srv', '/usr', '/var', '/home', '/tmp'],
    doc: "directories fstat() in filters may look at (after symlinks are resolved); /proc, /sys and /dev never; others do not match",
    schema: { type: 'array', items: { type: 'string', minLength: 1, pattern: '^/' } },
    expect: 'a list of absolute directory paths',
  }),
  fstat_max_digest_bytes: item<number>({
    default: 64 * 1024 * 1024,
    doc: 'largest regular file fstat() in filters computes an md5 for; bigger files have no md5 (the filter does not match on it)',
    schema: { type: 'integer', minimum: 0 },
    expect: 'a number of bytes (0: never hash)',
  }),
  audit_refusals_per_minute: item<number>({
    default: 60,
    doc: 'refused requests written to the audit log one line each per minute (and at most 5 per caller and reason); the rest are counted in one summary line per caller and reason',
    schema: { type: 'integer', minimum: 1, maximum: 100_000 },
    expect: 'an integer from 1 to 100000',
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
