// Static guards on the page source (packages/web/ui/src): nothing that turns
// text into markup or code, and an index.html without inline script or style
// (the console's CSP allows neither). The browser test checks the same in
// Chromium with hostile facts and outputs; this catches a regression early.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../harness/fleet.js';

const src = join(repoRoot, 'packages/web/ui/src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

test('the page source never builds markup or code from strings', () => {
  const banned = /\b(innerHTML|outerHTML|insertAdjacentHTML|dangerouslySetInnerHTML|document\.write|eval|new Function|setAttribute\(\s*['"](style|on\w+|href|src)['"])/;
  const sources = files(src).filter((f) => /\.(ts|tsx)$/.test(f));
  assert.ok(sources.length > 10, `only ${sources.length} source files found under ${src}`);
  const hits = sources.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .map((line, i) => ({ f, line, i }))
      .filter(({ line }) => !/^\s*(\/\/|\*|\/\*)/.test(line) && banned.test(line))
      .map(({ f, line, i }) => `${f}:${i + 1}: ${line.trim()}`),
  );
  assert.deepEqual(hits, []);
});

test('the only frame is the results template, sandboxed without scripts', () => {
  const frames = files(src)
    .filter((f) => /\.tsx$/.test(f))
    .flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/<iframe\b[^>]*>/g)].map((m) => m[0]));
  assert.equal(frames.length, 1);
  assert.match(frames[0] ?? '', /sandbox=""/);
});

test('index.html loads only same-origin files: no inline script, style or handler', () => {
  const html = readFileSync(join(src, 'index.html'), 'utf8');
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    assert.match(m[1] ?? '', /\bsrc="\/assets\/[\w.-]+\.js"/, 'a script without a same-origin src');
    assert.equal((m[2] ?? '').trim(), '', 'an inline script');
  }
  assert.doesNotMatch(html, /<style\b|\sstyle=|\son\w+=|https?:\/\//i);
});
