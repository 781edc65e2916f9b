// Master/CA choice by fact criteria, and the {{name}} templates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTemplate, chooseMaster, renderTemplate, templateNames, type MasterCandidate, type MasterOptions } from '../../packages/provisioner/src/index.ts';

const masters: MasterCandidate[] = [
  { identity: 'puppet-us1', facts: { region: 'us-east-1', country: 'us', ipaddress: '10.1.0.1', fqdn: 'puppet-us1.example.net' } },
  { identity: 'puppet-de1', facts: { region: 'eu-central-1', country: 'de', ipaddress: '10.2.0.1', fqdn: 'puppet-de1.example.net' } },
  { identity: 'puppet-de2', facts: { region: 'eu-central-1', country: 'de', ipaddress: '10.2.0.2' } },
  { identity: 'puppet-fr1', facts: { region: 'eu-west-3', country: 'fr' } },
];
const options: MasterOptions = { criteria: ['region', 'country'], fallback: 'first', hostFact: 'fqdn', ipFact: 'ipaddress', port: 8140 };

test('the first criterion that matches wins: region before country', () => {
  const m = chooseMaster({ identity: 'web1', facts: { region: 'us-east-1', country: 'de' } }, masters, options);
  assert.ok(!('error' in m));
  assert.equal(m.identity, 'puppet-us1');
  assert.equal(m.host, 'puppet-us1.example.net');
  assert.equal(m.ip, '10.1.0.1');
  assert.equal(m.port, 8140);
  assert.equal(m.reason, 'region=us-east-1');
});

test('no region match: country decides; a missing host fact falls back to the identity', () => {
  const m = chooseMaster({ identity: 'web2', facts: { region: 'eu-south-1', country: 'fr' } }, masters, options);
  assert.ok(!('error' in m));
  assert.deepEqual([m.identity, m.host, m.ip, m.reason], ['puppet-fr1', 'puppet-fr1', undefined, 'country=fr']);
});

test('equal candidates are spread over nodes, and the same node always gets the same one', () => {
  const chosen = new Map<string, number>();
  for (let i = 0; i < 200; i++) {
    const node = { identity: `node${i}`, facts: { region: 'eu-central-1' } };
    const a = chooseMaster(node, masters, options);
    const b = chooseMaster(node, [...masters].reverse(), options);
    assert.ok(!('error' in a) && !('error' in b));
    assert.equal(a.identity, b.identity, 'the order masters were found in does not matter');
    chosen.set(a.identity, (chosen.get(a.identity) ?? 0) + 1);
  }
  assert.deepEqual([...chosen.keys()].sort(), ['puppet-de1', 'puppet-de2']);
  assert.ok((chosen.get('puppet-de1') ?? 0) > 50 && (chosen.get('puppet-de2') ?? 0) > 50, JSON.stringify([...chosen]));
});

test('nested facts in criteria; numbers compare as text', () => {
  const ms = [{ identity: 'm1', facts: { dc: { id: 7 } } }, { identity: 'm2', facts: { dc: { id: 8 } } }];
  const m = chooseMaster({ identity: 'n', facts: { dc: { id: '8' } } }, ms, { ...options, criteria: ['dc.id'] });
  assert.ok(!('error' in m));
  assert.equal(m.identity, 'm2');
  assert.equal(m.reason, 'dc.id=8');
});

test('fallback: first takes any master; fail explains what was tried; none at all is an error', () => {
  const node = { identity: 'lonely', facts: { region: 'ap-south-1' } };
  const any = chooseMaster(node, masters, options);
  assert.ok(!('error' in any));
  assert.equal(any.reason, 'fallback');
  assert.ok(masters.some((m) => m.identity === any.identity));
  const none = chooseMaster(node, masters, { ...options, fallback: 'fail' });
  assert.deepEqual(none, { error: 'no master matches the node on region=ap-south-1, country=(none) and fallback is fail' });
  const empty = chooseMaster(node, [], options);
  assert.ok('error' in empty);
  assert.match(empty.error, /no master\/CA node found/);
});

test('templates: values, dotted facts, |json, names listed, missing names refused', () => {
  const vars = { identity: 'web1', facts: { region: 'eu-west-1', tags: ['a', 'b'], note: 'has: colon "q"' }, master: 'puppet1' };
  assert.equal(renderTemplate('identity: {{identity}}\nm: {{ master }}', vars), 'identity: web1\nm: puppet1');
  assert.equal(renderTemplate('r: {{facts.region}} t: {{facts.tags}}', vars), 'r: eu-west-1 t: ["a","b"]');
  assert.equal(renderTemplate('n: {{facts.note|json}}', vars), 'n: "has: colon \\"q\\""');
  assert.deepEqual(templateNames('{{a}} {{b.c|json}} {{a}}'), ['a', 'b.c']);
  assert.throws(() => renderTemplate('x: {{facts.zone}}', vars, { what: 'steps.configure.template' }), /steps\.configure\.template: \{\{facts\.zone\}\} has no value for this node/);
  assert.equal(renderTemplate('x: {{facts.zone}}!', vars, { lenient: true }), 'x: !');
});

test('template check: known roots, filters, stray braces', () => {
  const roots = ['identity', 'facts'];
  assert.equal(checkTemplate('{{identity}} {{facts.a.b|json}}', roots), undefined);
  assert.match(checkTemplate('{{master}}', roots) ?? '', /unknown name 'master' in \{\{master\}\} \(known: identity, facts\)/);
  assert.match(checkTemplate('{{identity|upper}}', roots) ?? '', /unknown filter '\|upper'/);
  assert.match(checkTemplate('a: {{ 1bad }}', roots) ?? '', /'\{\{' at offset 3 does not start a valid \{\{name\}\} placeholder/);
});
