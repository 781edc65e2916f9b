// The CLI's file of signatures that verified (SignatureFile): a second run
// skips the Ed25519 checks of what the first verified, and nothing is
// verified less: every trust decision is still made, a changed or forged
// record is checked (and refused) every time, and a file anyone else could
// have written is never read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSigner,
  generateKeyPair,
  issueCertificate,
  publicKeyHex,
  readData,
  readDataAsync,
  sealDataBytes,
  signatureDigest,
  SignatureFile,
  TrustStore,
} from '@cohort/core';

const now = 1_800_000_000_000;
const issuer = generateKeyPair();
const otherIssuer = generateKeyPair();

/** A certified node and one record it sealed. */
function node(name: string, expiresAt = now + 3_600_000) {
  const pair = generateKeyPair();
  const cert = issueCertificate(issuer.privateKey, { kind: 'node', subject: name, publicKey: publicKeyHex(pair.privateKey), issuedAt: now - 1000, expiresAt });
  const signer = createSigner(pair.privateKey, name, cert);
  return { name, signer, record: sealDataBytes('registration', { name }, signer, now) };
}

const nodes = ['web1', 'web2', 'web3'].map((n) => node(n));
const issuers = (...keys: ReturnType<typeof generateKeyPair>[]) => new Set(keys.map((k) => publicKeyHex(k.publicKey)));

/** One CLI run: a new trust store reading through the file at `file`, saved at the end. */
async function run(file: string, records: { name: string; record: Uint8Array }[], trustedIssuers = issuers(issuer), at = now) {
  const sigs = SignatureFile.open(file);
  const trust = new TrustStore('node', new Map(), trustedIssuers).rememberSignatures(undefined, sigs);
  const answers = [];
  for (const [i, r] of records.entries()) {
    const read = i % 2 === 0 ? readData : readDataAsync;
    const v = await read<{ name: string }>(r.record, trust, { kind: 'registration', subject: r.name, now: at });
    answers.push(typeof v === 'string' ? v : v.value.name);
  }
  sigs.save();
  return { answers, checks: trust.signatures!.checks, fileHits: sigs.hits, size: sigs.size };
}

function cacheDir(): string {
  const d = join(mkdtempSync(join(tmpdir(), 'cohort-sigcache-')), 'cohort');
  return d;
}

test('a second run checks no signature the first one verified: certificates and records', async () => {
  const file = join(cacheDir(), 'verified-signatures');
  const first = await run(file, nodes);
  assert.deepEqual(first.answers, ['web1', 'web2', 'web3']);
  assert.equal(first.checks, 6, 'a certificate and a record per node');
  assert.equal(first.fileHits, 0);
  const st = statSync(file);
  assert.equal(st.mode & 0o777, 0o600);
  assert.equal(statSync(join(file, '..')).mode & 0o777, 0o700);
  assert.equal(st.size, SignatureFile.header.length + 6 * 32);
  const second = await run(file, nodes);
  assert.deepEqual(second.answers, ['web1', 'web2', 'web3']);
  assert.deepEqual({ checks: second.checks, fileHits: second.fileHits }, { checks: 0, fileHits: 6 });
  // A node that wrote a new record since: only that record is checked.
  const web2b = { name: 'web2', record: sealDataBytes('registration', { name: 'web2' }, nodes[1]!.signer, now + 1) };
  const third = await run(file, [nodes[0]!, web2b, nodes[2]!]);
  assert.deepEqual(third.answers, ['web1', 'web2', 'web3']);
  assert.equal(third.checks, 1);
  assert.equal(statSync(file).size, SignatureFile.header.length + 7 * 32);
});

test('with a warm file every trust decision is still made, and a changed or forged record is refused', async () => {
  const file = join(cacheDir(), 'verified-signatures');
  await run(file, nodes);
  // The issuer is no longer trusted: nothing verifies, whatever the file holds.
  const distrusted = await run(file, nodes, issuers(otherIssuer));
  for (const a of distrusted.answers) assert.match(a, /does not trust/);
  // The certificate has expired since.
  const later = await run(file, nodes, issuers(issuer), now + 7_200_000);
  for (const a of later.answers) assert.match(a, /expired/);
  // Altered after signing, and a forged signature over the remembered text: checked, refused, every run.
  const envelope = JSON.parse(new TextDecoder().decode(nodes[0]!.record)) as { data: string; signature: string };
  const altered = new TextEncoder().encode(JSON.stringify({ ...envelope, data: envelope.data.replace('{"name":"web1"}', '{"name":"webX"}') }));
  assert.notEqual(JSON.parse(new TextDecoder().decode(altered)).data, envelope.data);
  const flipped = envelope.signature.startsWith('0') ? `1${envelope.signature.slice(1)}` : `0${envelope.signature.slice(1)}`;
  const forged = new TextEncoder().encode(JSON.stringify({ ...envelope, signature: flipped }));
  for (let round = 0; round < 2; round++) {
    const bad = await run(file, [{ name: 'web1', record: altered }, { name: 'web1', record: forged }]);
    for (const a of bad.answers) assert.match(a, /signature does not verify/);
  }
  // A record for another subject is refused before any signature is looked up.
  const wrongSubject = await run(file, [{ name: 'web2', record: nodes[0]!.record }]);
  assert.match(wrongSubject.answers[0]!, /web2/);
});

test('a file in a directory others can write to, or not owned by us, is neither read nor written', async () => {
  const dir = cacheDir();
  const file = join(dir, 'verified-signatures');
  await run(file, nodes);
  chmodSync(dir, 0o777);
  const open = await run(file, nodes);
  assert.equal(open.fileHits, 0, 'not read from a world-writable directory');
  assert.equal(open.checks, 6);
  chmodSync(dir, 0o700);
  chmodSync(file, 0o666);
  const loose = await run(file, nodes);
  assert.equal(loose.fileHits, 0, 'not read when others can write the file');
});

test('a foreign, truncated or corrupt file counts as empty, and the next save replaces it', async () => {
  const dir = cacheDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'verified-signatures');
  for (const junk of [Buffer.from('not ours\n'), Buffer.concat([SignatureFile.header, Buffer.alloc(31)]), Buffer.alloc(0)]) {
    writeFileSync(file, junk, { mode: 0o600 });
    const r = await run(file, nodes);
    assert.deepEqual(r.answers, ['web1', 'web2', 'web3']);
    assert.deepEqual({ checks: r.checks, fileHits: r.fileHits }, { checks: 6, fileHits: 0 });
    assert.ok(readFileSync(file).subarray(0, SignatureFile.header.length).equals(SignatureFile.header));
    assert.equal(readFileSync(file).length, SignatureFile.header.length + 6 * 32);
  }
  // Random digests that happen to be stored never stand for a triple that was not verified.
  writeFileSync(file, Buffer.concat([SignatureFile.header, ...Array.from({ length: 100 }, (_, i) => Buffer.alloc(32, i))]), { mode: 0o600 });
  assert.equal((await run(file, nodes)).checks, 6);
});

test('above its limit the file keeps what this run used and added', () => {
  const file = join(cacheDir(), 'verified-signatures');
  const d = (i: number) => signatureDigest('k', `text ${i}`, 's');
  const a = SignatureFile.open(file, 4);
  for (let i = 0; i < 4; i++) a.add(d(i));
  a.save();
  const b = SignatureFile.open(file, 4);
  assert.equal(b.size, 4);
  assert.ok(b.has(d(3)));
  b.add(d(10));
  b.add(d(11));
  b.save();
  const c = SignatureFile.open(file, 4);
  assert.equal(c.size, 4);
  for (const i of [3, 10, 11]) assert.ok(c.has(d(i)), `digest ${i} kept`);
  // Not more than the limit is added in one run either.
  const e = SignatureFile.open(join(cacheDir(), 'verified-signatures'), 2);
  for (let i = 0; i < 5; i++) e.add(d(i));
  assert.equal(e.size, 2);
});

test('the digest tells apart triples that concatenate the same', () => {
  assert.notDeepEqual(signatureDigest('ab', 'text', 'cd'), signatureDigest('a', 'text', 'bcd'));
  assert.notDeepEqual(signatureDigest('k', 'xy', 'sig'), signatureDigest('k', 'y', 'sigx'));
  assert.deepEqual(signatureDigest('k', 't', 's'), signatureDigest('k', 't', 's'));
});

test('saving merges a run’s digests into the sorted file: every digest findable, the bytes sorted, the limit kept', () => {
  const d = (i: number) => signatureDigest('k', `merge ${i}`, 's');
  const sortedBytes = (file: string) => {
    const body = readFileSync(file).subarray(SignatureFile.header.length);
    const digests = Array.from({ length: body.length / 32 }, (_, i) => body.subarray(i * 32, (i + 1) * 32));
    return { digests, sorted: digests.every((x, i) => i === 0 || Buffer.compare(digests[i - 1]!, x) < 0) };
  };
  const file = join(cacheDir(), 'verified-signatures');
  // Runs of random sizes, some at the front, the middle and the end of the hash order: under the limit, then over.
  let next = 0;
  const all: number[] = [];
  for (const [limit, adds] of [[1000, 300], [1000, 1], [1000, 250], [1000, 7], [600, 40], [600, 0], [600, 599]] as const) {
    const f = SignatureFile.open(file, limit);
    const used = all.filter((_, i) => i % 7 === 0).filter((i) => f.has(d(i)));
    const mine: number[] = [];
    for (let k = 0; k < adds; k++) {
      mine.push(next);
      f.add(d(next++));
    }
    all.push(...mine);
    f.save();
    const { digests, sorted } = sortedBytes(file);
    assert.ok(sorted, `limit ${limit}, ${adds} added: the file is sorted`);
    assert.equal(digests.length, Math.min(limit, all.length), 'as many as the limit allows');
    const g = SignatureFile.open(file, limit);
    for (const i of mine) assert.ok(g.has(d(i)), `added ${i} is found`);
    // What this run used stays while there is room for it beside what it added.
    if (mine.length + used.length <= limit) for (const i of used) assert.ok(g.has(d(i)), `used ${i} is kept`);
    const found = all.filter((i) => g.has(d(i))).length;
    assert.equal(found, digests.length, 'every digest in the file is found by its search');
  }
});
