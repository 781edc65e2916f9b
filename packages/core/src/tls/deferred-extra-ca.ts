// NODE_EXTRA_CA_CERTS, loaded on the first TLS connection instead of at start.
//
// Node reads and parses the NODE_EXTRA_CA_CERTS file when the process starts,
// before any JavaScript runs: with a system bundle
// (/etc/ssl/certs/ca-certificates.crt, as corporate machines often set) that
// is ~90 ms and ~2 MB on every start of `cohort`, `cohortd` and
// check_cohort_nrpe, most of which never open a TLS connection. So their
// launchers (packages/*/bin/<program>, the Debian package's /usr/bin/*) move
// the variable to COHORT_NODE_EXTRA_CA_CERTS, and the program, first thing,
// calls deferExtraCaCerts() (loading this module only when that variable is
// set), which keeps the variable's documented meaning:
//  - NODE_EXTRA_CA_CERTS is back in process.env (and the moved name gone), so
//    child processes (NRPE commands, external agents, Puppet, mine commands)
//    see exactly what the user set;
//  - every TLS connection this process opens with tls.connect (nats.js,
//    https, fetch, nodemailer all do) that brings no `ca` and no
//    `secureContext` of its own trusts Node's root certificates plus the
//    certificates in the file, read once, on the first such connection;
//  - a file that cannot be read (or a certificate in it that does not parse)
//    gets Node's own warning, once, and the root certificates alone (the
//    certificates before a bad one still count, as in Node).
//
// Cost, paid only by a process that opens a TLS connection: reading the file
// and dropping the certificates Node already has (a system bundle is mostly
// Node's own roots), then, per connection context, adding the rest (~10 ms
// for Debian's bundle). docs/performance.md (issue 14) has the numbers.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import tlsModule from 'node:tls';
import type { SecureContext, SecureContextOptions, TLSSocket } from 'node:tls';

/** Where the launchers move NODE_EXTRA_CA_CERTS (the programs test for it before loading this module). */
export const movedExtraCaVariable = 'COHORT_NODE_EXTRA_CA_CERTS';

/** What tls.connect's options may carry that shapes its secure context (Node's createSecureContext reads these). */
const contextOptions = [
  'ca', 'cert', 'key', 'pfx', 'passphrase', 'ciphers', 'ecdhCurve', 'dhparam', 'crl', 'secureProtocol', 'secureOptions',
  'sessionIdContext', 'ticketKeys', 'sessionTimeout', 'minVersion', 'maxVersion', 'honorCipherOrder', 'sigalgs',
  'clientCertEngine', 'privateKeyEngine', 'privateKeyIdentifier', 'secureContext',
] as const;

/** The certificates of an extra-CA file as Node would add them, and Node's warning when it would print one. */
export interface ExtraCaCerts {
  /** PEM certificates not already among the root certificates, in file order. */
  readonly certs: string[];
  /** `Warning: Ignoring extra certs from \`FILE\`, load failed: ...` (Node's words), or undefined. */
  readonly warning?: string;
}

const base64Of = (pem: string): string => pem.replace(/-----[^-\n]*-----|\s/g, '');
const warning = (file: string, reason: string): string => `Warning: Ignoring extra certs from \`${file}\`, load failed: ${reason}`;

/**
 * The certificates in `text` (the contents of `file`) that `roots` lack, as
 * Node reads the file: PEM `CERTIFICATE` (or `X509 CERTIFICATE`) blocks in
 * order, other blocks and text skipped, stopping at the first block that does
 * not parse (with OpenSSL's reason in Node's warning; the ones before it stay).
 */
export function parseExtraCaCerts(file: string, text: string, roots: readonly string[]): ExtraCaCerts {
  const known = new Set(roots.map(base64Of));
  const certs: string[] = [];
  // A block runs to its END line, or (none) to the end of the text, which then fails to parse as in Node.
  for (const [block] of text.matchAll(/-----BEGIN (?:X509 )?CERTIFICATE-----[\s\S]*?(?:-----END (?:X509 )?CERTIFICATE-----|$)/g)) {
    const pem = `${block.replace(/-----(BEGIN|END) X509 CERTIFICATE-----/g, '-----$1 CERTIFICATE-----')}\n`;
    const body = base64Of(pem);
    if (known.has(body)) continue;
    try {
      new X509Certificate(pem);
    } catch (err) {
      return { certs, warning: warning(file, err instanceof Error ? err.message : String(err)) };
    }
    known.add(body);
    certs.push(pem);
  }
  return { certs };
}

/**
 * OpenSSL's words for a failed open, as Node prints them (`error:80000002:system
 * library::No such file or directory` for ENOENT), from Node's fs error.
 */
export function systemErrorReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  const errno = typeof e?.errno === 'number' ? Math.abs(e.errno) : 0;
  // Node's message is "ENOENT: no such file or directory, open '/x'"; strerror's is capitalized.
  const text = /^[A-Z0-9]+: ([^,]+)/.exec(e?.message ?? '')?.[1] ?? String(err);
  return `error:${((0x80000000 | errno) >>> 0).toString(16).toUpperCase()}:system library::${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** Read `file` and parse it as Node does (a directory counts as a file without certificates, as in Node). */
export function readExtraCaCerts(file: string, roots: readonly string[], read: (file: string) => string = (f) => readFileSync(f, 'latin1')): ExtraCaCerts {
  let text: string;
  try {
    text = read(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException | undefined)?.code === 'EISDIR') return { certs: [] };
    return { certs: [], warning: warning(file, systemErrorReason(err)) };
  }
  return parseExtraCaCerts(file, text, roots);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * tls.connect's arguments with a `secureContext` added when the call brings
 * no `ca` and no `secureContext` of its own (as Node, a falsy one counts as
 * none) and `contextFor` makes one from the call's options (undefined: leave
 * the call as it is). Handles connect(options[, cb]),
 * connect(port[, host][, options][, cb]) and connect(path[, options][, cb]):
 * Node takes the options from the first, else the second, else the third
 * argument when it is an object. The caller's object is not changed.
 */
export function withSecureContext(args: readonly unknown[], contextFor: (options: Record<string, unknown>) => SecureContext | undefined): unknown[] {
  const at = [0, 1, 2].find((i) => isObject(args[i]));
  const options = at === undefined ? {} : (args[at] as Record<string, unknown>);
  if (options['ca'] || options['secureContext']) return [...args];
  const secureContext = contextFor(options);
  if (secureContext === undefined) return [...args];
  const merged = { ...options, secureContext };
  if (at !== undefined) return args.map((a, i) => (i === at ? merged : a));
  // No options object: it goes after the port and host (or the path), before the callback.
  let insertAt = 0;
  while (insertAt < Math.min(args.length, 2) && typeof args[insertAt] !== 'function') insertAt++;
  return [...args.slice(0, insertAt), merged, ...args.slice(insertAt)];
}

type TlsApi = Pick<typeof tlsModule, 'connect' | 'createSecureContext' | 'rootCertificates' | 'DEFAULT_CIPHERS' | 'DEFAULT_MIN_VERSION' | 'DEFAULT_MAX_VERSION'>;

/** What deferExtraCaCerts works on: the process's environment, node:tls, the file and stderr by default; fakes in tests. */
export interface DeferExtraCaDeps {
  env?: NodeJS.ProcessEnv;
  tls?: TlsApi;
  read?: (file: string) => string;
  warn?: (text: string) => void;
}

/**
 * Put NODE_EXTRA_CA_CERTS back from COHORT_NODE_EXTRA_CA_CERTS and make
 * tls.connect trust the file's certificates on the calls that bring no CA of
 * their own (see the top of this file); the file is read on the first such
 * call. Does nothing when the moved variable is absent or empty. Returns the
 * file, or undefined.
 */
export function deferExtraCaCerts(deps: DeferExtraCaDeps = {}): string | undefined {
  const env = deps.env ?? process.env;
  const file = env[movedExtraCaVariable];
  if (file === undefined) return undefined;
  delete env[movedExtraCaVariable];
  if (file === '') return undefined;
  env['NODE_EXTRA_CA_CERTS'] = file;
  const tls = deps.tls ?? tlsModule;
  const warn = deps.warn ?? ((text: string) => void process.stderr.write(`${text}\n`));
  const original = tls.connect as (...args: unknown[]) => TLSSocket;
  let extra: string[] | undefined;
  // One context shared by the calls that shape none of it (the common case); made again if tls's defaults change.
  let shared: { key: string; context: SecureContext } | undefined;

  const contextFor = (options: Record<string, unknown>): SecureContext | undefined => {
    if (extra === undefined) {
      const loaded = readExtraCaCerts(file, tls.rootCertificates, deps.read);
      if (loaded.warning !== undefined) warn(loaded.warning);
      extra = loaded.certs;
    }
    if (extra.length === 0) return undefined;
    const plain = contextOptions.every((k) => options[k] === undefined);
    const key = `${tls.DEFAULT_CIPHERS}|${tls.DEFAULT_MIN_VERSION}|${tls.DEFAULT_MAX_VERSION}`;
    if (plain && shared?.key === key) return shared.context;
    // As tls.connect makes it (its default ciphers, then the call's options), with the extra certificates on top of the root store.
    const context = tls.createSecureContext({ ciphers: tls.DEFAULT_CIPHERS, ...options } as SecureContextOptions);
    const native = (context as SecureContext & { context: { addCACert(pem: string): void } }).context;
    for (const pem of extra) native.addCACert(pem);
    if (plain) shared = { key, context };
    return context;
  };

  (tls as { connect: unknown }).connect = function connect(...args: unknown[]): TLSSocket {
    return original(...withSecureContext(args, contextFor));
  };
  // So that `import { connect } from 'node:tls'` gets the wrapper too.
  if (deps.tls === undefined) syncBuiltinESMExports();
  return file;
}
