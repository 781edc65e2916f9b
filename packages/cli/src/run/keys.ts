import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  certificateProblem,
  generateKeyPair,
  issueCertificate,
  keyId,
  openCertificate,
  publicKeyHex,
  readCertificate,
  readPrivateKey,
  readPublicKeyHex,
  subjectForKeyFile,
  subjectProblem,
  UsageError,
  writeCertificate,
  writeKeyPair,
  type CertificateBody,
} from '@cohort/core';
import { bool, str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { stringifyJson } from '../render/json.js';

const done: Outcome = { kind: 'done' };

/** `cohort keys generate NAME [--dir DIR] [--force]` */
export async function runKeysGenerate(argv: Args, io: CliIo): Promise<Outcome> {
  const name = str(argv, 'name') ?? '';
  if (!/^[\w.\-@=]+$/.test(name)) throw new UsageError(`key name '${name}' may use only letters, digits and _ . - @ =`);
  const subject = subjectForKeyFile('caller', name);
  const problem = subjectProblem('caller', subject);
  if (problem) throw new UsageError(`key name '${name}': ${problem}`);
  const dir = str(argv, 'dir') ?? join(io.homedir, '.config', 'cohort');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pair = generateKeyPair();
  const { keyFile, publicFile } = writeKeyPair(join(dir, name), pair, { overwrite: bool(argv, 'force') });
  const publicKey = publicKeyHex(pair.publicKey);
  if (bool(argv, 'json')) {
    io.stdout.write(stringifyJson({ key: keyFile, public: publicFile, public_key: publicKey, callerid: subject }, io.stdout.isTTY));
    return done;
  }
  io.stdout.write(
    [
      `wrote ${keyFile} (private: keep it secret) and ${publicFile}`,
      `public key: ${publicKey}`,
      `signs as:   ${subject}`,
      `Nodes trust it once ${basename(publicFile)} is in their security.trusted_keys_dir, or once it is certified:`,
      `  cohort keys sign --issuer ISSUER.key ${publicFile}`,
      '',
    ].join('\n'),
  );
  return done;
}

/** `cohort keys sign --issuer ISSUER.key [--caller ID | --node IDENTITY] [--days N] NAME.pub` */
export async function runKeysSign(argv: Args, io: CliIo): Promise<Outcome> {
  const publicFile = str(argv, 'public-key') ?? '';
  const issuerFile = str(argv, 'issuer') ?? '';
  const node = str(argv, 'node');
  const caller = str(argv, 'caller');
  if (node !== undefined && caller !== undefined) throw new UsageError('give --caller or --node, not both: a key is certified either for a caller or for a node');
  const days = argv['days'] === undefined ? 365 : Number(argv['days']);
  if (!Number.isFinite(days) || days < 0) throw new UsageError(`--days '${String(argv['days'])}' must be a number of days (0: never expires)`);
  const kind = node !== undefined ? 'node' : 'caller';
  const subject = node ?? caller ?? subjectForKeyFile('caller', publicFile);
  const issuer = readPrivateKey(issuerFile);
  const publicKey = readPublicKeyHex(publicFile);
  const now = Date.now();
  const doc = issueCertificate(issuer, { kind, subject, publicKey, issuedAt: now, expiresAt: days === 0 ? null : now + Math.round(days * 86_400_000) });
  const out = str(argv, 'output') ?? `${publicFile.replace(/\.pub$/, '')}.cert`;
  writeCertificate(out, doc);
  io.stdout.write(
    [
      `wrote ${out}: ${kind} ${subject}, key ${keyId(publicKey)}, issuer ${keyId(publicKeyHex(issuer))}, ${days === 0 ? 'never expires' : `valid ${days} day(s)`}`,
      kind === 'caller'
        ? `Keep it beside the private key (NAME.cert next to NAME.key): the client sends it with every request. Nodes need the issuer's .pub in security.issuers.`
        : `Set security.node_certificate to it on ${subject} (or put it beside the node key); clients verify replies with --verify-replies --issuer ISSUER.pub.`,
      '',
    ].join('\n'),
  );
  return done;
}

function describeCertificate(body: CertificateBody, now: number): string[] {
  const problem = certificateProblem(body, body.kind, now);
  return [
    `certificate for ${body.kind} ${body.subject}`,
    `  key:     ${body.public_key} (${keyId(body.public_key)})`,
    `  issuer:  ${body.issuer} (${keyId(body.issuer)})`,
    `  issued:  ${new Date(body.issued_at).toISOString()}`,
    `  expires: ${body.expires_at === null ? 'never' : new Date(body.expires_at).toISOString()}`,
    `  status:  ${problem ?? 'valid (signature checks out against its issuer; nodes must also trust that issuer)'}`,
  ];
}

/** `cohort keys show FILE`: a key's public key and id, or a certificate's contents. */
export async function runKeysShow(argv: Args, io: CliIo): Promise<Outcome> {
  const file = str(argv, 'file') ?? '';
  const json = bool(argv, 'json');
  if (file.endsWith('.cert')) {
    const body = openCertificate(readCertificate(file));
    if (typeof body === 'string') throw new UsageError(`${file}: ${body}`);
    io.stdout.write(json ? stringifyJson(body, io.stdout.isTTY) : `${describeCertificate(body, Date.now()).join('\n')}\n`);
    return done;
  }
  const publicKey = file.endsWith('.key') ? publicKeyHex(readPrivateKey(file)) : readPublicKeyHex(file);
  const info = { file, public_key: publicKey, id: keyId(publicKey), trusted_as: subjectForKeyFile('caller', file.replace(/\.key$/, '.pub')) };
  io.stdout.write(json ? stringifyJson(info, io.stdout.isTTY) : `${file}\n  public key: ${publicKey}\n  id:         ${info.id}\n  as a trusted key file it means: ${info.trusted_as}\n`);
  return done;
}
