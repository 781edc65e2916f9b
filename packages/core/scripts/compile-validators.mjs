#!/usr/bin/env node
// Build step: compiles the protocol and DDL JSON Schemas into plain validation
// functions with ajv's standalone mode, written to src/generated/validators.ts.
// At run time nothing has to compile a schema, so a CLI call that decodes
// replies or loads DDLs does not pay ajv's compile time (~70 ms) every run.
// Run with tsx (it imports the TypeScript schema module): node --import tsx scripts/compile-validators.mjs
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { certificateBodySchema, certificateSchema, filterSchema, replySchema, requestSchema, secureReplySchema, secureRequestSchema } from '../src/protocol/schemas.ts';
import { lifecycleSchema, registrationSchema } from '../src/protocol/registration-schemas.ts';
import { layerSchema } from '../src/config/schema.ts';

const root = new URL('../', import.meta.url);
const ddlSchemaFile = new URL('../../ddl/schema/agent-ddl-schema-v1.json', root);
const out = new URL('src/generated/validators.ts', root);

// The daemon config spec module uses the validator generated here; on a fresh
// clone give it an empty module to import until the real one is written.
mkdirSync(new URL('src/generated/', root), { recursive: true });
if (!existsSync(out)) writeFileSync(out, '// placeholder: replaced by scripts/compile-validators.mjs\nexport {};\n');
const { daemonConfigSpec } = await import('../src/config/server/index.ts');
const { clientConfigSpec } = await import('../src/config/client/index.ts');

const ajv = new Ajv({ code: { source: true, esm: true }, strict: false, allErrors: false });
ajv.removeKeyword('id'); // the upstream DDL schema names its id with draft-04's `id`
ajv.addSchema(filterSchema).addSchema(requestSchema).addSchema(replySchema);
ajv.addSchema(certificateSchema).addSchema(certificateBodySchema).addSchema(secureRequestSchema).addSchema(secureReplySchema);
ajv.addSchema(registrationSchema).addSchema(lifecycleSchema);
ajv.addSchema(JSON.parse(readFileSync(ddlSchemaFile, 'utf8')), 'cohort:agent-ddl');

// The DDL document is validated with allErrors so a failing input can be
// attributed to the branch its `type` selects; compile it with its own instance.
const ddlAjv = new Ajv({ code: { source: true, esm: true }, strict: false, allErrors: true });
ddlAjv.removeKeyword('id');
ddlAjv.addSchema(JSON.parse(readFileSync(ddlSchemaFile, 'utf8')), 'cohort:agent-ddl');

const protocolCode = standalone.default(ajv, {
  validateRequest: 'cohort:request:1',
  validateReply: 'cohort:reply:1',
  validateSecureRequest: 'cohort:secure-request:1',
  validateSecureReply: 'cohort:secure-reply:1',
  validateCertificate: 'cohort:certificate:1',
  validateCertificateBody: 'cohort:certificate-body:1',
  validateRegistration: 'cohort:registration:1',
  validateLifecycle: 'cohort:lifecycle:1',
});
// cohortd's config layers (its own sections; the built-in agents' sections are precompiled by @cohort/agents):
// compiling this schema at start-up cost ~100 ms and ~7 MB of RSS for as long as the daemon ran.
const configAjv = new Ajv({ code: { source: true, esm: true }, allErrors: false, strict: true, allowUnionTypes: true });
configAjv.addSchema(layerSchema(daemonConfigSpec), 'cohort:daemon-config-layer');
const configCode = standalone.default(configAjv, { validateDaemonConfigLayer: 'cohort:daemon-config-layer' });
// The client's config file (cohort): compiling it at every CLI start cost ~100-300 ms, loading ajv another ~80-250 ms.
const clientConfigAjv = new Ajv({ code: { source: true, esm: true }, allErrors: false, strict: true, allowUnionTypes: true });
clientConfigAjv.addSchema(layerSchema(clientConfigSpec), 'cohort:client-config-layer');
const clientConfigCode = standalone.default(clientConfigAjv, { validateClientConfigLayer: 'cohort:client-config-layer' });

const ddlCode = standalone.default(ddlAjv, {
  validateDdlDocument: 'cohort:agent-ddl',
  validateDdlStringInput: 'cohort:agent-ddl#/definitions/string_action_input',
  validateDdlListInput: 'cohort:agent-ddl#/definitions/list_action_input',
  validateDdlOtherInput: 'cohort:agent-ddl#/definitions/other_action_input',
});

// Each standalone module is self-contained; wrap them in functions so their
// internal names (validate10, schema11, ...) cannot collide.
function wrap(name, code) {
  const exports = [...code.matchAll(/export const (\w+) = (\w+);/g)].map((m) => [m[1], m[2]]);
  const body = code.replace(/"use strict";/, '').replace(/export const (\w+) = (\w+);/g, '');
  return `const ${name} = (() => {${body}\nreturn { ${exports.map(([e, f]) => `${e}: ${f}`).join(', ')} };\n})();\n` +
    exports.map(([e]) => `/** Precompiled from the JSON Schema at build time. */\nexport const ${e}: CompiledValidator = ${name}.${e};\n`).join('');
}

// Standalone code reaches ajv's small runtime helpers with require(); turn those
// into static imports so bundlers and ESM loaders see them.
const runtimes = new Map();
// Helpers replaced by our own with the same results: string lengths
// (minLength/maxLength) without a JavaScript loop over every character
// (src/protocol/string-length.ts; a daemon checks every request's fields).
const ownRuntimes = new Map([['ajv/dist/runtime/ucs2length', { from: '../protocol/string-length.js', name: 'ucs2length' }]]);
const ownUsed = new Set();
function staticImports(code) {
  return code
    .replace(/require\("(ajv\/dist\/runtime\/[\w-]+)"\)\.default/g, (m, mod) => {
      const own = ownRuntimes.get(mod);
      if (!own) return m;
      ownUsed.add(mod);
      return own.name;
    })
    .replace(/require\("(ajv\/dist\/runtime\/[\w-]+)"\)/g, (_m, mod) => {
      if (!runtimes.has(mod)) runtimes.set(mod, `runtime${runtimes.size}`);
      return runtimes.get(mod);
    });
}
// minLength/maxLength compare a string's length in code points, which lies
// between half its UTF-16 length and its UTF-16 length: `ucs2length(s) > n`
// can only hold when `s.length > n`, and `ucs2length(s) < n` only when
// `s.length < 2n`. Asking `s.length` first gives the same answers and spares
// nearly every count (a cohortd checks a dozen strings of every request).
function lengthsFirst(code) {
  for (const [, fn] of code.matchAll(/const (func\d+) = ucs2length\b/g)) {
    code = code
      .replace(new RegExp(`\\b${fn}\\((\\w+)\\) > (\\d+)`, 'g'), (_m, s, n) => `(${s}.length > ${n} && ${fn}(${s}) > ${n})`)
      .replace(new RegExp(`\\b${fn}\\((\\w+)\\) < (\\d+)`, 'g'), (_m, s, n) => `(${s}.length < ${2 * Number(n)} && ${fn}(${s}) < ${n})`);
  }
  if (/\bfunc\d+\(\w+\) [<>]=? \d+/.test(code.replace(/\(\w+\.length [<>] \d+ && func\d+\(\w+\) [<>] \d+\)/g, ''))) throw new Error('compile-validators: a string length check this script does not rewrite (see lengthsFirst)');
  return code;
}
const protocolBody = wrap('protocol', lengthsFirst(staticImports(protocolCode)));
const ddlBody = wrap('ddl', lengthsFirst(staticImports(ddlCode)));
const configBody = wrap('serverConfig', lengthsFirst(staticImports(configCode)));
const clientConfigBody = wrap('clientConfig', lengthsFirst(staticImports(clientConfigCode)));

const text = `// @ts-nocheck
// GENERATED by packages/core/scripts/compile-validators.mjs from the JSON Schemas in
// packages/core/src/protocol/schemas.ts and ddl/schema/agent-ddl-schema-v1.json. Do not edit.
import type { ErrorObject } from 'ajv';
${[...runtimes].map(([mod, name]) => `import ${name} from '${mod}.js';`).join('\n')}
${[...ownUsed].map((mod) => `import { ${ownRuntimes.get(mod).name} } from '${ownRuntimes.get(mod).from}';`).join('\n')}

/** A schema validation function; on failure \`errors\` holds ajv's error objects. */
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

${protocolBody}
${ddlBody}
${configBody}
${clientConfigBody}`;

mkdirSync(new URL('src/generated/', root), { recursive: true });
if (!existsSync(out) || readFileSync(out, 'utf8') !== text) writeFileSync(out, text);
