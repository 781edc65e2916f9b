import * as generated from '../../generated/validators.js';
import { natsSection } from '../nats.js';
import { item, type ConfigOf } from '../spec.js';
import { usePrecompiledValidator } from '../validate.js';
import { ageSeconds, durationSeconds, messageCount, sizeBytes } from '../units.js';

const got = (v: unknown): string => `(got ${JSON.stringify(v)})`;

/** An item check: the value must convert with `parse`; the reason completes "key 'x' ...". */
function convertsWith(parse: (v: unknown) => number | undefined, expect: string, positive = false): (v: unknown) => string | undefined {
  return (v) => {
    const n = parse(v);
    if (n === undefined) return `must be ${expect} ${got(v)}`;
    return positive && n <= 0 ? `must be above 0 ${got(v)}` : undefined;
  };
}

/** A duration as the client file takes it: a bare number (in the item's unit) or text like `500ms`, `2s`, `1m`. */
const durationSchema = { type: ['number', 'string'], minLength: 1 } as const;
const fileOrNull = { type: ['string', 'null'], minLength: 1 } as const;

/** `jobs:` retention of the async job stream (`cohort rpc --async`). Defaults in seconds, bytes and messages. */
const jobsSection = {
  max_age: item<number | string>({
    default: 24 * 3600,
    doc: 'how long replies and job records are kept: seconds or e.g. 30m, 24h, 7d',
    schema: durationSchema,
    expect: 'an age: seconds or e.g. 30m, 24h, 7d',
    check: convertsWith(ageSeconds, 'an age: seconds or e.g. 30m, 24h, 7d (at least 1 s)'),
  }),
  max_bytes: item<number | string>({
    default: 256 * 1024 * 1024,
    doc: 'bytes the job stream may hold: bytes or e.g. 512KiB, 256MiB, 1GiB',
    schema: durationSchema,
    expect: 'a size: bytes or e.g. 512KiB, 256MiB',
    check: convertsWith(sizeBytes, 'a size: bytes or e.g. 512KiB, 256MiB, 1GiB (at least 1 KiB)'),
  }),
  max_messages: item<number | string>({
    default: 100_000,
    doc: 'messages (replies plus one record per job) the job stream may hold',
    schema: durationSchema,
    expect: 'a whole number of messages',
    check: convertsWith(messageCount, 'a whole number of messages, at least 1'),
  }),
} as const;

/** `kv:` defaults of `cohort kv` (history and replicas apply when a put creates the bucket). */
const kvSection = {
  bucket: item<string | null>({
    default: null,
    doc: 'bucket name; default cohort_kv_<collective>',
    schema: { type: ['string', 'null'], pattern: '^[A-Za-z0-9_-]{1,64}$' },
    expect: 'a bucket name (letters, digits, _ and -)',
  }),
  history: item<number>({
    default: 10,
    doc: 'values kept per key',
    schema: { type: 'integer', minimum: 1, maximum: 64 },
    expect: 'a whole number from 1 to 64',
  }),
  replicas: item<number>({
    default: 1,
    doc: 'copies of the bucket across the NATS cluster',
    schema: { type: 'integer', minimum: 1, maximum: 5 },
    expect: 'a whole number from 1 to 5',
  }),
} as const;

/**
 * Everything `cohort` (the client) reads from its config file
 * (`--config`, `$COHORT_CONFIG` or `~/.config/cohort/client.yaml`). The
 * `nats:` section is the server's own declaration. The client's file format
 * adds a few conveniences applied before validation (packages/client/src/config):
 * `nats:` may be one URL string, server entries may be comma separated,
 * `ddl_dirs`/`issuers` may be one string, durations may carry units and
 * paths may start with `~/`.
 */
export const clientConfigSpec = {
  nats: natsSection,
  collective: item<string>({
    default: 'cohort',
    doc: 'collective to address (-T overrides)',
    schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+$' },
    expect: 'a collective name (letters, digits, _ and -)',
    flag: '-T',
  }),
  callerid: item<string | null>({
    default: null,
    doc: 'caller id sent with requests, kind=value; default user=<login>',
    schema: { type: ['string', 'null'], pattern: '^\\w+=[\\w.@-]+$' },
    expect: 'of the form kind=value, e.g. user=alice',
  }),
  discovery_timeout: item<number | string>({
    default: 2,
    doc: 'discovery timeout, seconds or e.g. 1500ms',
    schema: durationSchema,
    expect: 'a number or a duration like 500ms',
    flag: '--discovery-timeout',
    check: convertsWith((v) => durationSeconds(v, 's'), 'seconds or a duration like 1500ms', true),
  }),
  discovery_window: item<number | string>({
    default: 300,
    doc: 'end discovery this long after the last new answer, milliseconds or e.g. 0.5s',
    schema: durationSchema,
    expect: 'a number or a duration like 500ms',
    flag: '--discovery-window',
    check: convertsWith((v) => durationSeconds(v, 'ms'), 'milliseconds or a duration like 0.5s'),
  }),
  ddl_dirs: item<readonly string[]>({
    default: [],
    doc: 'extra directories searched for agent DDLs (relative paths are relative to the config file)',
    schema: { type: 'array', items: { type: 'string', minLength: 1 } },
    expect: 'a list of directory paths',
    path: true,
  }),
  key: item<string | null>({
    default: null,
    doc: 'private key that signs requests (default ~/.config/cohort/<login>.key when present); the caller id is bound to it',
    schema: fileOrNull,
    expect: 'a file path',
    env: 'COHORT_KEY',
    flag: '--key',
    path: true,
  }),
  certificate: item<string | null>({
    default: null,
    doc: 'issuer certificate for key; default: the .cert file beside the key',
    schema: fileOrNull,
    expect: 'a file path',
    path: true,
  }),
  issuers: item<readonly string[]>({
    default: [],
    doc: 'issuer public key files whose node certificates are trusted when verifying replies',
    schema: { type: 'array', items: { type: 'string', minLength: 1 } },
    expect: 'a list of issuer public key files',
    path: true,
  }),
  node_keys_dir: item<string | null>({
    default: null,
    doc: 'directory of trusted node public keys (<identity>.pub) for verifying replies',
    schema: fileOrNull,
    expect: 'a directory path',
    path: true,
  }),
  verify_replies: item<boolean>({
    default: false,
    doc: 'verify the signature of every reply',
    schema: { type: 'boolean' },
    expect: 'true or false',
    flag: '--verify-replies',
  }),
  jobs: jobsSection,
  kv: kvSection,
} as const;

// Precompiled by scripts/compile-validators.mjs from this very spec (absent only while that script runs),
// so the CLI never loads or runs ajv's compiler to read its config file.
if (generated.validateClientConfigLayer) usePrecompiledValidator(clientConfigSpec, generated.validateClientConfigLayer);

/** The client config file's settings as declared (before the client's own conversions). */
export type ClientConfigSettings = ConfigOf<typeof clientConfigSpec>;
