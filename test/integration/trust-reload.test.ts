// Finding 11 of the security review: a trusted key overwritten in place (same
// file name, so the keys directory's mtime does not change) must stop being
// trusted. A real cohortd in signed mode trusts user=alice through
// keys/alice.pub; the file is overwritten in place with another key; requests
// signed with the old key are then refused (no reply, audited as refused),
// requests signed with the new key answered, by the same process (no restart).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import {
  createSigner,
  encodeRequest,
  generateKeyPair,
  newRequestId,
  nodeSubject,
  ProtocolTag,
  publicKeyPem,
  replySubject,
  type AuditRecord,
  type KeyPair,
  type RequestMessage,
} from '@cohort/core';
import { startFleet, startNatsServer, type Fleet, type NatsServer } from '../harness/index.js';

let nats: NatsServer;
let fleet: Fleet;
let bus: NatsConnection;
const root = mkdtempSync(join(tmpdir(), 'cohort-trust-reload-'));
const keysDir = join(root, 'keys');
const auditFile = join(root, 'audit.log');

before(async () => {
  mkdirSync(keysDir);
  nats = await startNatsServer();
  bus = await connect({ servers: nats.url });
});
after(async () => {
  await bus?.close();
  await fleet?.stop();
  await nats?.stop();
  rmSync(root, { recursive: true, force: true });
});

function ping(): RequestMessage {
  const id = newRequestId();
  return {
    protocol: ProtocolTag.Request,
    id,
    sender: 'alice-laptop',
    callerid: 'user=alice',
    collective: 'cohort',
    agent: 'rpcutil',
    action: 'ping',
    data: {},
    filter: { fact: [], cf_class: [], agent: [], identity: [], compound: [] },
    ttl: 60,
    time: Date.now(),
    reply_to: replySubject('cohort', 'user=alice', id),
  };
}

/** Send one ping signed with `pair`; true when trust1 answered within `ms`. */
async function answered(pair: KeyPair, ms = 1500): Promise<{ answered: boolean; id: string }> {
  const request = ping();
  let got = false;
  const sub = bus.subscribe(request.reply_to, { callback: () => (got = true) });
  await bus.flush();
  bus.publish(nodeSubject('cohort', 'trust1'), encodeRequest(request, createSigner(pair.privateKey, 'user=alice')));
  const deadline = Date.now() + ms;
  while (!got && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  sub.unsubscribe();
  return { answered: got, id: request.id };
}

function audit(): AuditRecord[] {
  if (!existsSync(auditFile)) return [];
  return readFileSync(auditFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord);
}

describe('trusted keys reload by content', () => {
  test('a trusted key overwritten in place: the old key is refused, the new one accepted, same process', async () => {
    const oldPair = generateKeyPair();
    const newPair = generateKeyPair();
    const file = join(keysDir, 'alice.pub');
    writeFileSync(file, publicKeyPem(oldPair.publicKey));
    fleet = await startFleet({
      natsUrl: nats.url,
      monitorPort: nats.monitorPort,
      nodes: [{ identity: 'trust1', facts: {}, classes: [] }],
      logLevel: 'info',
      config: { security: { mode: 'signed', trusted_keys_dir: keysDir, audit_file: auditFile } },
    });
    const node = fleet.nodes.get('trust1')!;
    const pid = node.process.pid;
    assert.equal((await answered(oldPair)).answered, true, `the old key works before the change\n${node.log()}`);
    assert.equal((await answered(newPair, 500)).answered, false, 'the new key is not trusted yet');

    writeFileSync(file, publicKeyPem(newPair.publicKey)); // in place: same inode, same name
    // Bounded wait for the kernel's notification (generous: the machine is shared), then both directions hold.
    const deadline = Date.now() + 30_000;
    let refused: { answered: boolean; id: string } | undefined;
    while (Date.now() < deadline) {
      const r = await answered(oldPair, 700);
      if (!r.answered) {
        refused = r;
        break;
      }
    }
    assert.ok(refused, `the old key was still trusted 30 s after its file was overwritten\n${node.log().slice(-3000)}`);
    assert.equal((await answered(newPair)).answered, true, `the new key is accepted\n${node.log().slice(-3000)}`);
    assert.equal((await answered(oldPair)).answered, false, 'the old key stays refused');
    assert.equal(node.process.pid, pid);
    assert.equal(node.process.exitCode, null, 'the daemon did not restart');
    assert.match(node.log(), /reloaded trust: 1 trusted key\(s\)/);
    const line = audit().find((a) => a.request_id === refused!.id);
    assert.equal(line?.outcome, 'refused');
    assert.match(line?.reason ?? '', /unknown key/);
  });
});
