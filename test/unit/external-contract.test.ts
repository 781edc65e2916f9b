// The external-agent contract's pure parts: the environment, activation
// replies, action replies checked against the DDL outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DdlAction } from '@cohort/core';
import {
  activationProtocol,
  defaultPath,
  externalEnv,
  outputProblems,
  parseActivationReply,
  parseRpcReply,
  rpcProtocol,
} from '../../packages/server/src/external/index.ts';

const action: DdlAction = {
  action: 'count',
  description: 'count',
  input: {},
  output: {
    words: { description: 'w', display_as: 'W', type: 'integer', default: 0 },
    ratio: { description: 'r', display_as: 'R', type: 'float' },
    name: { description: 'n', display_as: 'N', type: 'string' },
    tags: { description: 't', display_as: 'T', type: 'array' },
    meta: { description: 'm', display_as: 'M', type: 'hash' },
    ok: { description: 'o', display_as: 'O', type: 'boolean' },
    anything: { description: 'a', display_as: 'A' },
  },
};
const free: DdlAction = { action: 'get', description: 'g', input: {}, output: {} };
const files = { request: '/t/request.json', reply: '/t/reply.json', config: '/t/config.json', facts: '/t/facts.json' };

test('the environment is exactly PATH and the five COHORT_EXTERNAL_* variables', () => {
  assert.deepEqual(externalEnv(files, rpcProtocol, '/usr/bin:/bin'), {
    PATH: '/usr/bin:/bin',
    COHORT_EXTERNAL_REQUEST: '/t/request.json',
    COHORT_EXTERNAL_REPLY: '/t/reply.json',
    COHORT_EXTERNAL_PROTOCOL: 'cohort.external.v1.rpc_request',
    COHORT_EXTERNAL_CONFIG: '/t/config.json',
    COHORT_EXTERNAL_FACTS: '/t/facts.json',
  });
  assert.equal(externalEnv(files, activationProtocol, undefined).PATH, defaultPath);
  assert.equal(externalEnv(files, activationProtocol, '').PATH, defaultPath);
  assert.equal(externalEnv(files, activationProtocol, undefined).COHORT_EXTERNAL_PROTOCOL, 'cohort.external.v1.activation_request');
});

test('activation: true loads; false gives the reason; anything else names what is wrong', () => {
  assert.equal(parseActivationReply('{"activate": true}'), true);
  assert.equal(parseActivationReply('{"activate": false, "reason": " no nginx here "}'), 'the agent declined to activate: no nginx here');
  assert.equal(parseActivationReply('{"activate": false}'), 'the agent declined to activate (no reason given)');
  assert.match(parseActivationReply('{"activate": "yes"}') as string, /must be \{"activate": true\} .* \(got \{"activate":"yes"\}\)/);
  assert.match(parseActivationReply('true') as string, /must be \{"activate": true\}/);
  assert.equal(parseActivationReply(''), 'activation check: the reply file is empty');
  assert.match(parseActivationReply('{activate') as string, /^activation check: the reply file is not JSON/);
});

test('a good reply: data kept, statusmsg defaulted, missing statuscode is 0', () => {
  assert.deepEqual(parseRpcReply('{"statuscode":0,"statusmsg":"fine","data":{"words":3,"ratio":0.5,"name":"x","tags":[1],"meta":{"a":1},"ok":true,"anything":[{}]}}', action), {
    status: 0,
    message: 'fine',
    data: { words: 3, ratio: 0.5, name: 'x', tags: [1], meta: { a: 1 }, ok: true, anything: [{}] },
  });
  assert.deepEqual(parseRpcReply('{"data":{"words":2}}', action), { status: 0, message: 'OK', data: { words: 2 } });
  assert.deepEqual(parseRpcReply('{"statuscode":0}', action), { status: 0, message: 'OK', data: {} });
  assert.deepEqual(parseRpcReply('{"statuscode":0,"data":{"words":null}}', action), { status: 0, message: 'OK', data: { words: null } }, 'null is "no value"');
});

test('a failure reply keeps its status, message and (checked) data', () => {
  assert.deepEqual(parseRpcReply('{"statuscode":4,"statusmsg":"bad pattern","data":{"words":1}}', action), { status: 4, message: 'bad pattern', data: { words: 1 } });
  assert.deepEqual(parseRpcReply('{"statuscode":1}', action), { status: 1, message: 'the agent reported status 1', data: {} });
});

test('outputs of the wrong type or not in the DDL are refused, naming the output', () => {
  const problem = (text: string) => {
    const r = parseRpcReply(text, action);
    assert.ok('problem' in r, `expected a problem for ${text}`);
    return r.problem;
  };
  assert.equal(problem('{"data":{"words":"three"}}'), `output 'words' must be an integer (DDL type integer) but is "three"`);
  assert.equal(problem('{"data":{"words":1.5}}'), `output 'words' must be an integer (DDL type integer) but is 1.5`);
  assert.match(problem('{"data":{"ratio":"0.5"}}'), /output 'ratio' must be a number/);
  assert.match(problem('{"data":{"name":5}}'), /output 'name' must be a string/);
  assert.match(problem('{"data":{"tags":"a,b"}}'), /output 'tags' must be an array/);
  assert.match(problem('{"data":{"meta":[1]}}'), /output 'meta' must be an object/);
  assert.match(problem('{"data":{"ok":"true"}}'), /output 'ok' must be a boolean/);
  assert.equal(problem('{"data":{"wordz":1}}'), `output 'wordz' is not declared in the DDL (declared: words, ratio, name, tags, meta, ok, anything)`);
  assert.match(problem('{"data":{"wordz":1,"words":"x"}}'), /'wordz' is not declared.*; output 'words' must be an integer/);
});

test('malformed replies name what is wrong', () => {
  const problem = (text: string) => {
    const r = parseRpcReply(text, action);
    return 'problem' in r ? r.problem : assert.fail(`expected a problem for ${text}`);
  };
  assert.equal(problem(''), 'the reply file is empty');
  assert.match(problem('{"statuscode":'), /^the reply file is not JSON/);
  assert.match(problem('[1]'), /^the reply must be an object \{statuscode, statusmsg, data\} \(got \[1\]\)/);
  assert.equal(problem('{"statuscode":7}'), 'statuscode must be an integer from 0 to 5 (got 7)');
  assert.equal(problem('{"statuscode":"0"}'), 'statuscode must be an integer from 0 to 5 (got "0")');
  assert.equal(problem('{"statusmsg":3}'), 'statusmsg must be a string (got 3)');
  assert.equal(problem('{"data":[1,2]}'), 'data must be an object of outputs (got [1,2])');
});

test('an action declaring no outputs accepts any object', () => {
  assert.deepEqual(outputProblems(free, { whatever: 'x', n: 1 }), []);
  assert.deepEqual(parseRpcReply('{"data":{"whatever":"x"}}', free), { status: 0, message: 'OK', data: { whatever: 'x' } });
});
