// The web console finds a plugin's results template beside its DDL: the file
// its plugin.yaml names (results_template), else <agent>.results.mustache or
// .results.html; another agent's plugin.yaml, a path out of the directory and
// an oversized file are not served.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findResultsTemplate, maxTemplateBytes } from '../../packages/web/src/templates.ts';

const meta = (name: string, template?: string) => `name: ${name}\ntitle: T\nversion: 1.0.0\nstate: enabled\n${template ? `results_template: ${template}\n` : ''}`;

describe('results templates', () => {
  test("the file plugin.yaml names wins over <agent>.results.*, in the DDL directories' order", () => {
    const root = mkdtempSync(join(tmpdir(), 'cohort-web-tpl-'));
    try {
      const a = join(root, 'a');
      const b = join(root, 'b');
      mkdirSync(a);
      mkdirSync(b);
      writeFileSync(join(a, 'plugin.yaml'), meta('hello', 'results.html'));
      writeFileSync(join(a, 'results.html'), 'from meta');
      writeFileSync(join(a, 'hello.results.mustache'), 'by name');
      writeFileSync(join(b, 'hello.results.html'), 'second dir');
      assert.deepEqual(findResultsTemplate([a, b], 'hello'), { text: 'from meta' });
      assert.deepEqual(findResultsTemplate([b, a], 'hello'), { text: 'second dir' });
      // another agent's meta file does not apply; the conventional name still does
      writeFileSync(join(a, 'plugin.yaml'), meta('other', 'results.html'));
      assert.deepEqual(findResultsTemplate([a], 'hello'), { text: 'by name' });
      // a path out of the directory is ignored
      writeFileSync(join(a, 'plugin.yaml'), meta('hello', '../b/hello.results.html'));
      assert.deepEqual(findResultsTemplate([a], 'hello'), { text: 'by name' });
      // too big: refused with the reason
      writeFileSync(join(b, 'hello.results.html'), 'x'.repeat(maxTemplateBytes + 1));
      assert.match(findResultsTemplate([b], 'hello').problem ?? '', /over the 65536 allowed/);
      assert.deepEqual(findResultsTemplate([b], 'Bad-Name'), {});
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
