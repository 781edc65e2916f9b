import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outputText, parsePluginOutput } from '../../packages/agents/src/nrpe/parse-output.ts';
import { resultOf } from '../../packages/agents/src/nrpe/execute.ts';
import type { PluginRun } from '../../packages/agents/src/nrpe/spawn-plugin.ts';
import { pluginState, stateName, worstState } from '../../packages/agents/src/nrpe/states.ts';

test('first line: text and perfdata split at |', () => {
  assert.deepEqual(parsePluginOutput('OK - load average: 0.1, 0.2, 0.3|load1=0.1;15;30;0 load5=0.2;10;25;0\n'), {
    text: 'OK - load average: 0.1, 0.2, 0.3',
    long: [],
    perfdata: 'load1=0.1;15;30;0 load5=0.2;10;25;0',
  });
  assert.deepEqual(parsePluginOutput('DISK OK\n'), { text: 'DISK OK', long: [], perfdata: '' });
  assert.deepEqual(parsePluginOutput(''), { text: '', long: [], perfdata: '' });
});

test('long output lines, then further perfdata after | in a later line (Nagios plugin API example)', () => {
  const stdout = [
    'DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968',
    '/ 15272 MB (77%);',
    '/boot 68 MB (69%);',
    '/home 69357 MB (27%);',
    '/var/log 819 MB (84%); | /boot=68MB;88;93;0;98',
    '/home=69357MB;253404;253409;0;253414 ',
    '/var/log=818MB;970;975;0;980',
    '',
  ].join('\r\n');
  const parsed = parsePluginOutput(stdout);
  assert.equal(parsed.text, 'DISK OK - free space: / 3326 MB (56%);');
  assert.deepEqual(parsed.long, ['/ 15272 MB (77%);', '/boot 68 MB (69%);', '/home 69357 MB (27%);', '/var/log 819 MB (84%);']);
  assert.equal(parsed.perfdata, '/=2643MB;5948;5958;0;5968 /boot=68MB;88;93;0;98 /home=69357MB;253404;253409;0;253414 /var/log=818MB;970;975;0;980');
  assert.equal(outputText(parsed), ['DISK OK - free space: / 3326 MB (56%);', ...parsed.long].join('\n'));
});

test('plugin state: 0..3 as they are; other codes and signals are UNKNOWN with a reason', () => {
  for (const code of [0, 1, 2, 3]) assert.deepEqual(pluginState({ code, signal: null }), { exitcode: code });
  assert.deepEqual(pluginState({ code: 4, signal: null }), { exitcode: 3, problem: 'plugin exited with code 4, which is not a Nagios state (0-3)' });
  assert.match(pluginState({ code: 127, signal: null }).problem ?? '', /code 127 \(command not found\)/);
  assert.deepEqual(pluginState({ code: null, signal: 'SIGSEGV' }), { exitcode: 3, problem: 'plugin was killed by signal SIGSEGV' });
  assert.deepEqual([0, 1, 2, 3, 4, -1].map(stateName), ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN', 'UNKNOWN', 'UNKNOWN']);
});

test('worst state orders OK < WARNING < UNKNOWN < CRITICAL', () => {
  assert.equal(worstState([]), 0);
  assert.equal(worstState([0, 1, 0]), 1);
  assert.equal(worstState([1, 3, 0]), 3);
  assert.equal(worstState([3, 2, 1]), 2);
});

const run = (over: Partial<PluginRun>): PluginRun => ({ stdout: '', stderr: '', code: 0, signal: null, timedOut: false, aborted: false, error: undefined, ...over });

test('resultOf maps runs to results: timeouts, start failures, odd exits, empty stdout', () => {
  assert.deepEqual(resultOf(run({ stdout: 'WARNING - x|a=1\n', code: 1 }), 'c', 5), { exitcode: 1, output: 'WARNING - x', perfdata: 'a=1' });
  assert.deepEqual(resultOf(run({ timedOut: true, code: null, signal: 'SIGKILL' }), 'check_hang', 2.5), { exitcode: 3, output: 'plugin timed out after 2.5 s (check_hang)', perfdata: '' });
  const enoent = Object.assign(new Error('spawn /x ENOENT'), { code: 'ENOENT' });
  assert.deepEqual(resultOf(run({ error: enoent, code: null }), 'c', 5), { exitcode: 3, output: "cannot run the plugin of 'c': no such file", perfdata: '' });
  assert.equal(resultOf(run({ stdout: 'hmm\n', code: 9 }), 'c', 5).output, 'plugin exited with code 9, which is not a Nagios state (0-3): hmm');
  assert.equal(resultOf(run({ stderr: 'boom\nmore', code: 2 }), 'c', 5).output, '(no output on stdout) stderr: boom');
  assert.equal(resultOf(run({ code: 0 }), 'c', 5).output, '(no output on stdout)');
  assert.match(resultOf(run({ aborted: true, code: null }), 'c', 5).output, /aborted/);
});
