// The page's result renderers and stream handling (packages/web/ui/src/model):
// display policy, output rows, aggregate summaries (from the client library's
// real aggregators), per-frame batching of streamed replies, the filter
// builder (checked with core's -W parser) and the statistics data shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildFilter as cliFilter, builtinDdlDir, loadDdlFile, type DdlAction } from '@cohort/core';
import { summarize } from '@cohort/client';
import { outputRows, shownByPolicy, statusLabel, tally, valueText } from '../../packages/web/ui/src/model/display.ts';
import { buildFilter } from '../../packages/web/ui/src/model/filter.ts';
import { FrameBatcher, ReplyStore } from '../../packages/web/ui/src/model/replies.ts';
import { shortNumber, toPlotData } from '../../packages/web/ui/src/model/stats.ts';
import { summaryView, summaryViews } from '../../packages/web/ui/src/model/summary.ts';
import type { Reply } from '../../packages/web/ui/src/model/types.ts';

const nrpe = loadDdlFile(join(builtinDdlDir(), 'nrpe.json'));
const runcommand = nrpe.actions.find((a) => a.action === 'runcommand') as DdlAction;
const rpcutil = loadDdlFile(join(builtinDdlDir(), 'rpcutil.json'));
const ping = rpcutil.actions.find((a) => a.action === 'ping') as DdlAction;

test('display policy: failed shows only failures, ok only successes, always (and none) everything', () => {
  const ok = { statuscode: 0 };
  const aborted = { statuscode: 1 };
  assert.equal(runcommand.display, 'failed');
  assert.equal(shownByPolicy(runcommand.display, ok), false);
  assert.equal(shownByPolicy(runcommand.display, aborted), true);
  assert.equal(shownByPolicy('ok', ok), true);
  assert.equal(shownByPolicy('ok', aborted), false);
  assert.equal(shownByPolicy('always', aborted), true);
  assert.equal(shownByPolicy(undefined, ok), true);
  assert.equal(statusLabel(1), 'Request Aborted');
  assert.equal(statusLabel(9), 'status 9');
});

test('output rows follow the DDL outputs (display_as labels), then undeclared keys; values stay text', () => {
  const hostile = '<img src=x onerror=window.__pwned=1>';
  const rows = outputRows(runcommand, { perfdata: '', output: hostile, exitcode: 2, extra: { a: [1] } });
  const declared = Object.keys(runcommand.output);
  assert.deepEqual(
    rows.map((r) => r.key),
    [...declared.filter((k) => ['perfdata', 'output', 'exitcode'].includes(k)), 'extra'],
  );
  const out = rows.find((r) => r.key === 'output');
  assert.equal(out?.label, runcommand.output['output']?.display_as);
  assert.equal(out?.text, hostile, 'hostile output is carried as the same text, to be set as a text node');
  assert.equal(rows.find((r) => r.key === 'extra')?.text, '{\n  "a": [\n    1\n  ]\n}');
  assert.deepEqual(outputRows(ping, 'plain'), [{ key: '', label: 'data', text: 'plain' }]);
  assert.deepEqual(outputRows(ping, null), []);
  assert.equal(valueText(false), 'false');
});

test("nrpe's nagios_states summary from the client's aggregator renders as four state rows with their counts", () => {
  const replies = [0, 0, 1, 2, 3, 7].map((exitcode, i) => ({ statuscode: exitcode === 0 ? 0 : 1, data: { exitcode, output: `n${i}`, perfdata: '' } }));
  const summaries = summarize(runcommand, replies);
  const [view] = summaryViews(JSON.parse(JSON.stringify(summaries)));
  assert.ok(view);
  assert.match(view.title, /^Summary of /);
  assert.deepEqual(
    view.rows.map((r) => [r.label, r.value, r.state]),
    [
      ['OK', '2', 'OK'],
      ['WARNING', '1', 'WARNING'],
      ['CRITICAL', '1', 'CRITICAL'],
      ['UNKNOWN', '2', 'UNKNOWN'],
    ],
  );
});

test('summary renderer: a value summary shows its text lines; junk entries are skipped', () => {
  const puppetral = loadDdlFile(join(builtinDdlDir(), 'puppetral.json'));
  const search = puppetral.actions.find((a) => a.action === 'search') as DdlAction;
  const [s] = summarize(search, [{ statuscode: 0, data: { count: 2 } }, { statuscode: 0, data: { count: 3 } }]);
  assert.ok(s);
  const view = summaryView(JSON.parse(JSON.stringify(s)));
  assert.deepEqual(view.lines, ['Resources found: 5']);
  assert.deepEqual(summaryViews([null, 3, 'x']), []);
  assert.deepEqual(summaryViews(undefined), []);
});

test('replies are keyed by node: a replayed reply replaces its row, arrival order is kept', () => {
  const store = new ReplyStore();
  const r = (identity: string, statuscode: number): Reply => ({ identity, statuscode, statusmsg: '', data: {} });
  assert.equal(store.add([r('a', 0), r('b', 1)]), 2);
  assert.equal(store.add([r('a', 1), r('c', 0)]), 1);
  assert.deepEqual(
    store.list().map((x) => [x.identity, x.statuscode]),
    [
      ['a', 1],
      ['b', 1],
      ['c', 0],
    ],
  );
  assert.deepEqual(store.failed(), ['a', 'b']);
  assert.deepEqual(tally(store.list()), { ok: 1, failed: 2, total: 3 });
});

test('1,000 streamed replies reach the page in one delivery per frame, none lost', () => {
  const frames: Array<() => void> = [];
  const deliveries: Reply[][] = [];
  const store = new ReplyStore();
  const batcher = new FrameBatcher<Reply>(
    (items) => {
      deliveries.push(items);
      store.add(items);
    },
    (f) => frames.push(f),
  );
  for (let i = 0; i < 700; i++) batcher.push({ identity: `n${i}`, statuscode: 0, statusmsg: '', data: {} });
  assert.equal(frames.length, 1, 'one frame scheduled for 700 replies');
  frames.shift()?.();
  for (let i = 700; i < 1000; i++) batcher.push({ identity: `n${i}`, statuscode: i % 10 === 0 ? 1 : 0, statusmsg: '', data: {} });
  batcher.flush(); // the stream's done event delivers what is queued at once
  frames.shift()?.(); // the frame scheduled meanwhile finds nothing left
  assert.equal(frames.length, 0, 'nothing left to schedule');
  assert.deepEqual(
    deliveries.map((d) => d.length),
    [700, 300],
  );
  assert.equal(store.size, 1000);
  assert.equal(store.failed().length, 30);
});

test('a burst larger than one frame should build is spread over frames, in order', () => {
  const frames: Array<() => void> = [];
  const deliveries: number[][] = [];
  const batcher = new FrameBatcher<number>((items) => deliveries.push(items), (f) => frames.push(f), 250);
  for (let i = 0; i < 600; i++) batcher.push(i);
  while (frames.length > 0) frames.shift()?.();
  assert.deepEqual(deliveries.map((d) => d.length), [250, 250, 100]);
  assert.deepEqual(deliveries.flat(), Array.from({ length: 600 }, (_, i) => i));
});

test('the filter builder writes -W text that the CLI parses to the same conditions', () => {
  const text = buildFilter({
    facts: [
      { fact: 'os.family', op: '==', value: 'debian' },
      { fact: 'cpus', op: '>=', value: '4' },
      { fact: 'role', op: '=~', value: '^web' },
      { fact: 'half', op: '==', value: '' },
      { fact: 'with space', op: '==', value: 'x' },
    ],
    classes: ['role::web', '', ' ntp '],
  });
  assert.equal(text, 'os.family==debian cpus>=4 role=/^web/ role::web ntp');
  const parsed = cliFilter({ with: [text] });
  assert.deepEqual(
    parsed.fact.map((f) => [f.fact, f.operator, f.value]),
    [
      ['os.family', '==', 'debian'],
      ['cpus', '>=', '4'],
      ['role', '=~', '^web'],
    ],
  );
  assert.deepEqual(parsed.cf_class, ['role::web', 'ntp']);
  assert.equal(buildFilter({ facts: [], classes: [] }), '');
});

test('statistics: Graphite series become uPlot columns on one time axis, gaps as null', () => {
  const data = toPlotData([
    { target: 'a', points: [[10, 1], [20, null], [30, 3]] },
    { target: 'b', points: [[20, 5], [40, Number.NaN]] },
  ]);
  assert.deepEqual(data, [
    [10, 20, 30, 40],
    [1, null, 3, null],
    [null, 5, null, null],
  ]);
});

test('results template: values are escaped, sections repeat per reply, hostile values stay text', async () => {
  const { renderTemplate, escapeHtml } = await import('../../packages/web/ui/src/model/template.ts');
  const view = {
    agent: 'nrpe',
    replies: [
      { identity: 'web1', ok: true, data: { output: 'OK - fine' } },
      { identity: 'db1', ok: false, data: { output: '<img src=x onerror=alert(1)>' } },
    ],
    none: [],
  };
  const tpl = '<h1>{{agent}}</h1><ul>{{#replies}}<li class="{{#ok}}ok{{/ok}}{{^ok}}bad{{/ok}}">{{identity}}: {{data.output}} {{{data.output}}}</li>{{/replies}}</ul>{{^none}}<p>empty</p>{{/none}}{{missing.deep}}';
  assert.equal(
    renderTemplate(tpl, view),
    '<h1>nrpe</h1><ul><li class="ok">web1: OK - fine OK - fine</li><li class="bad">db1: &lt;img src&#61;x onerror&#61;alert(1)&gt; &lt;img src&#61;x onerror&#61;alert(1)&gt;</li></ul><p>empty</p>',
  );
  assert.equal(escapeHtml(`"'\`&`), '&quot;&#39;&#96;&amp;');
  assert.throws(() => renderTemplate('{{#a}}x', {}), /\{\{#a\}\} is never closed/);
  assert.throws(() => renderTemplate('x{{/a}}', {}), /closes no open section/);
  // Nested sections of the same name close at the right place.
  assert.equal(renderTemplate('{{#a}}[{{#a}}in{{/a}}]{{/a}}', { a: true }), '[in]');
});

test("the job's stored replies fill only the gaps the stream left: shown rows keep their objects", () => {
  const store = new ReplyStore();
  const streamed: Reply = { identity: 'a', statuscode: 0, statusmsg: '', data: {} };
  store.add([streamed]);
  const version = store.version;
  assert.equal(store.addMissing([{ ...streamed }]), 0);
  assert.equal(store.version, version, 'nothing new, no re-render');
  assert.equal(store.list()[0], streamed, 'the streamed object is kept');
  assert.equal(store.addMissing([{ ...streamed }, { identity: 'b', statuscode: 1, statusmsg: 'x', data: {} }]), 1);
  assert.deepEqual(store.list().map((r) => r.identity), ['a', 'b']);
});

test('chart axis labels stay short: SI prefixes, a few digits', () => {
  assert.deepEqual(
    [0, 0.5, 12.345, 999, 1000, 1234567, 24e9, -2500, null].map(shortNumber),
    ['0', '0.5', '12.3', '999', '1k', '1.23M', '24G', '-2.5k', ''],
  );
});
