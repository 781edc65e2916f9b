// Parsing what `puppetserver ca` prints, from output captured from a real
// puppetserver 7.9.5 (Debian bookworm) in test/fixtures/puppetserver-ca/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseList, parseListJson, parseListText } from '../../packages/agents/src/ca/puppet/list-output.ts';
import { meaningfulLines, puppetCaFailure } from '../../packages/agents/src/ca/puppet/diagnose.ts';
import { commonNameOf, rfc2253Parts } from '../../packages/agents/src/ca/csr.ts';
import { puppetFixture } from './ca-fakes.js';

test('list --all (text): a waiting request and the server certificate', () => {
  assert.deepEqual(parseListText(puppetFixture('list-all-requested.txt')), { requested: ['node1.example'], signed: ['localhost'], revoked: [] });
});

test('list --all (text): signed entries with alt names and authorization extensions after tabs', () => {
  assert.deepEqual(parseListText(puppetFixture('list-all-signed.txt')), { requested: [], signed: ['localhost', 'node1.example'], revoked: [] });
});

test('list --all --format json: names by state; the same answer as the text format', () => {
  const json = parseListJson(puppetFixture('list-all-requested.json'));
  assert.deepEqual(json, { requested: ['node1.example'], signed: ['localhost'], revoked: [] });
  assert.deepEqual(json, parseListText(puppetFixture('list-all-requested.txt')));
  assert.deepEqual(parseListJson(puppetFixture('list-all-revoked.json')), { requested: [], signed: ['localhost'], revoked: [] });
});

test('list: JSON is found among warning lines; text is the fallback; other output is not a listing', () => {
  const noisy = `Warning: something deprecated\n${puppetFixture('list-all-requested.json')}\n`;
  assert.deepEqual(parseList(noisy)?.requested, ['node1.example']);
  assert.deepEqual(parseList(puppetFixture('list-all-signed.txt'))?.signed, ['localhost', 'node1.example']);
  assert.deepEqual(parseList('No certificates to list\n'), { requested: [], signed: [], revoked: [] });
  assert.equal(parseList(puppetFixture('down-list.txt')), undefined);
  assert.equal(parseList(''), undefined);
  assert.equal(parseList('{"something":"else"}'), undefined);
});

test('list (text): revoked and missing sections, and the older "+ name" / quoted style', () => {
  const text = [
    'Requested Certificates:',
    '    new.example       (SHA256)  AA:BB',
    'Signed Certificates:',
    '+ "old.example" (SHA256) CC:DD',
    'Revoked Certificates:',
    '    bad.example       (SHA256)  EE:FF',
    'Missing Certificates:',
    '    ghost.example',
  ].join('\n');
  assert.deepEqual(parseListText(text), { requested: ['new.example'], signed: ['old.example'], revoked: ['bad.example'] });
});

test('failures: a stopped server, a missing CA, and anything else keep puppetserver’s words', () => {
  const down = puppetCaFailure('list', { code: 1, stdout: '', stderr: puppetFixture('down-list.txt') });
  assert.equal(down.status, 1);
  assert.match(down.message, /^puppetserver is not running or not reachable \(Failed to open TCP connection to localhost:18199 .*\); start it/);
  const noCa = puppetCaFailure('list', {
    code: 1,
    stdout: '',
    stderr: "/usr/share/rubygems-integration/all/gems/puppetserver-ca-2.4.0/lib/puppetserver/ca/utils/http_client.rb:156:in `add_file': X509_LOOKUP_load_file: system lib (OpenSSL::X509::StoreError)\n\tfrom /usr/share/x.rb:25:in `initialize'\n",
  });
  assert.match(noCa.message, /Puppet's CA is not set up .* puppetserver ca setup/);
  const missing = puppetCaFailure('sign', { code: 1, stdout: puppetFixture('sign-missing.txt'), stderr: '' });
  assert.equal(missing.message, 'puppetserver ca sign failed: Could not find certificate request for nosuch.example');
  assert.deepEqual(meaningfulLines(puppetFixture('clean-signed.txt')), ['Certificate for node1.example has been revoked', 'Cleaned files related to node1.example']);
  assert.match(puppetCaFailure('clean', { code: 3, stdout: '', stderr: '' }).message, /exit code 3, no output/);
});

test('CSR subjects: the one CN of an RFC 2253 name, escapes honoured', () => {
  assert.equal(commonNameOf('subject=CN=node1.example,O=Example'), 'node1.example');
  assert.equal(commonNameOf('subject=O=A\\, B,CN=n2'), 'n2');
  assert.deepEqual(rfc2253Parts('CN=a+OU=b,O=c\\,d'), ['CN=a', 'OU=b', 'O=c\\,d']);
  assert.throws(() => commonNameOf('subject=O=none'), /exactly one CN \(it has 0\)/);
  assert.throws(() => commonNameOf('subject=CN=a,CN=b'), /exactly one CN \(it has 2\)/);
});
