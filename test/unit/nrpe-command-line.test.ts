import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandTokens, parseCommandLine, planCommand } from '../../packages/agents/src/nrpe/command-line.ts';
import { checkArguments } from '../../packages/agents/src/nrpe/execute.ts';

const argv = (line: string, args: string[] = []) => {
  const plan = planCommand(line, args);
  assert.equal(plan.kind, 'exec', JSON.stringify(plan));
  return plan.kind === 'exec' ? plan.argv : [];
};

test('plain words, quotes and escapes follow POSIX shell rules', () => {
  assert.deepEqual(argv('/usr/lib/nagios/plugins/check_load  -w 15,10,5 -c 30,25,20'), ['/usr/lib/nagios/plugins/check_load', '-w', '15,10,5', '-c', '30,25,20']);
  assert.deepEqual(argv(`check_dummy 0 "all fine" 'a "b"' c\\ d "x\\"y\\$" ''`), ['check_dummy', '0', 'all fine', 'a "b"', 'c d', 'x"y$', '']);
  assert.deepEqual(argv('check_http -u "/index.php?x=1&y=2" -w 80%'), ['check_http', '-u', '/index.php?x=1&y=2', '-w', '80%']);
});

test('$ARGn$: quoted stays one argument, unquoted splits on blanks, missing ones are empty', () => {
  assert.deepEqual(argv('check $ARG1$ "$ARG2$" -x$ARG3$', ['-w 5 -c 10', 'two words', '7']), ['check', '-w', '5', '-c', '10', 'two words', '-x7']);
  assert.deepEqual(argv('check $ARG1$ "$ARG2$" end', []), ['check', '', 'end']);
  assert.deepEqual(argv("check '$ARG1$'", ['a b']), ['check', 'a b']);
  assert.deepEqual(argv('check $ARG16$', Array.from({ length: 16 }, (_, i) => `v${i + 1}`)), ['check', 'v16']);
});

test('arguments are data: shell syntax in them is never interpreted', () => {
  const evil = ['x; rm -rf / | $(reboot) `id` > /etc/passwd && *'];
  assert.deepEqual(argv('check_dummy 1 "$ARG1$"', evil), ['check_dummy', '1', evil[0]]);
  assert.deepEqual(argv('check_dummy 1 $ARG1$', evil), ['check_dummy', '1', 'x;', 'rm', '-rf', '/', '|', '$(reboot)', '`id`', '>', '/etc/passwd', '&&', '*']);
});

test('a line needing a shell runs through /bin/sh only without macros', () => {
  for (const [line, feature] of [
    ['check_x | head -1', 'pipe'],
    ['check_x > /tmp/out', 'redirection'],
    ['check_x && true', 'background or &&'],
    ['check_x; true', 'command list'],
    ['check_x $HOME', 'variable'],
    ['check_x "$HOME"', 'variable'],
    ['check_x `id`', 'command substitution'],
    ['check_disk -p /dev/sd*', 'glob'],
    ['check_x ~/file', 'home directory'],
  ] as const) {
    const plan = planCommand(line, []);
    assert.equal(plan.kind, 'shell', line);
    assert.ok(plan.kind === 'shell' && plan.feature.includes(feature), `${line}: ${JSON.stringify(plan)}`);
    assert.deepEqual(plan.kind === 'shell' ? plan.argv : [], ['/bin/sh', '-c', line]);
    const refused = planCommand(`${line} $ARG1$`, ['x']);
    assert.equal(refused.kind, 'refused', line);
    assert.match(refused.kind === 'refused' ? refused.reason : '', /needs a shell .* and takes \$ARGn\$ arguments/);
  }
});

test('unreadable or empty lines are refused', () => {
  assert.match(JSON.stringify(planCommand(`check 'open`, [])), /unterminated single quote at character 7/);
  assert.match(JSON.stringify(planCommand('check "open', [])), /unterminated double quote/);
  assert.equal(planCommand('$ARG1$', []).kind, 'refused');
});

test('parseCommandLine counts macros; $ARG0$ and $ARG17$ are not macros', () => {
  assert.equal(parseCommandLine('c $ARG1$ $ARG1$ "$ARG2$"').macros, 3);
  assert.equal(parseCommandLine('c $ARG0$').macros, 0);
  assert.notEqual(parseCommandLine('c $ARG17$').shellFeature, undefined);
  assert.deepEqual(expandTokens(parseCommandLine('a  b').tokens, []), ['a', 'b']);
});

test('checkArguments: split on !, refused when not allowed, no control characters, at most 16', () => {
  assert.deepEqual(checkArguments(undefined, false), []);
  assert.deepEqual(checkArguments('', false), []);
  assert.deepEqual(checkArguments('1!two words!', true), ['1', 'two words', '']);
  assert.match(String(checkArguments('1', false)), /arguments are not allowed on this node: set dont_blame_nrpe=1 .* nrpe\.allow_arguments: true/);
  assert.match(String(checkArguments('a\nb', true)), /control characters/);
  assert.match(String(checkArguments('a\u0000b', true)), /control characters/);
  assert.match(String(checkArguments(Array(17).fill('x').join('!'), true)), /at most 16 arguments/);
});
