// esbuild plugin for the bundles that carry nats.js: the daemon's
// (packages/server/scripts/bundle.mjs, and the Debian package's,
// scripts/package/bundle.mjs) and the `cohort` CLI's
// (packages/cli/scripts/bundle.mjs, which the package's bundle reuses).
// nats.js' Node build loads Node built-in modules at start that a process on
// a plain `nats://` URL never uses: about 1.1 MB of every idle daemon's RSS
// (docs/performance.md, "Idle RSS: nats.js' built-in modules"), and a few ms
// of every CLI start (each built-in compiled at start):
// - `tls` and `dns` (node_transport.js), needed only for a TLS connection
//   and for resolving cluster host names: required on first use instead;
// - webcrypto: `typeof globalThis.crypto` (src/mod.js) runs Node's lazy
//   global getter, which loads webcrypto, and nuid.js then takes its random
//   bytes from `crypto.getRandomValues`: the check asks `'crypto' in
//   globalThis` instead (no getter runs) and nuid fills its bytes with
//   node:crypto's `randomFillSync`, the same source of random bytes;
// - web streams: `typeof globalThis.ReadableStream` (src/mod.js), likewise;
// - perf_hooks: js-sha256.js reads `global.performance` when it is
//   evaluated (for a `process.hrtime` stand-in nobody calls): now read when
//   that is called.
// Each patch is an exact replacement of nats.js' text; the build fails if
// one no longer matches (a new nats.js version), so it cannot silently lapse.

/** nats.js file (path under nats/lib/) → [text, replacement] pairs. */
export const natsPatches = {
  'src/node_transport.js': [
    ['const tls_1 = require("tls");', 'let tls_1_;\nconst tls_1 = { get connect() { return (tls_1_ ??= require("tls")).connect; }, get TLSSocket() { return (tls_1_ ??= require("tls")).TLSSocket; } };'],
    // Only a socket made by tls.connect above can be a TLSSocket: without tls loaded, none is.
    ['return this.socket instanceof tls_1.TLSSocket;', 'return tls_1_ !== undefined && this.socket instanceof tls_1_.TLSSocket;'],
    ['const dns = require("dns");', 'let dns_;\nconst dns = { resolve4: (...a) => (dns_ ??= require("dns")).resolve4(...a), resolve6: (...a) => (dns_ ??= require("dns")).resolve6(...a) };'],
  ],
  'src/mod.js': [
    ['if (typeof globalThis.crypto === "undefined") {', 'if (!("crypto" in globalThis)) {'],
    ['if (typeof globalThis.ReadableStream === "undefined") {', 'if (!("ReadableStream" in globalThis)) {'],
  ],
  'nats-base-client/nuid.js': [
    [
      'if ((_a = globalThis === null || globalThis === void 0 ? void 0 : globalThis.crypto) === null || _a === void 0 ? void 0 : _a.getRandomValues) {\n        globalThis.crypto.getRandomValues(a);',
      'if (true) {\n        require("crypto").randomFillSync(a);',
    ],
  ],
  'nats-base-client/js-sha256.js': [['var m = e.performance || {}, O = m.now', 'var m = { now: function () { return (e.performance || Date).now(); } }, O = m.now']],
};

/** Apply natsPatches[file] to `text`; throws if a text to replace is not there exactly once. */
export function patchNats(file, text) {
  let out = text;
  for (const [from, to] of natsPatches[file]) {
    const at = out.indexOf(from);
    if (at < 0 || out.indexOf(from, at + 1) >= 0) throw new Error(`nats-lazy-builtins: '${from.split('\n')[0]}' is not in nats/lib/${file} exactly once (a new nats.js? see scripts/build/nats-lazy-builtins.mjs)`);
    out = out.slice(0, at) + to + out.slice(at + from.length);
  }
  return out;
}

/** The esbuild plugin (put it before plugins with an onLoad for every .js file). */
export const natsLazyBuiltins = {
  name: 'nats-lazy-builtins',
  setup(b) {
    const seen = new Set();
    b.onLoad({ filter: /[/\\]nats[/\\]lib[/\\](src|nats-base-client)[/\\][\w-]+\.js$/ }, async (args) => {
      const m = /[/\\]nats[/\\]lib[/\\]((?:src|nats-base-client)[/\\][\w-]+\.js)$/.exec(args.path);
      const file = m[1].replaceAll('\\', '/');
      if (!(file in natsPatches)) return undefined;
      seen.add(file);
      const { readFile } = await import('node:fs/promises');
      return { contents: patchNats(file, await readFile(args.path, 'utf8')), loader: 'js' };
    });
    b.onEnd((result) => {
      if (result.errors.length > 0) return;
      const missing = Object.keys(natsPatches).filter((f) => !seen.has(f));
      if (missing.length > 0) return { errors: [{ text: `nats-lazy-builtins: nats/lib/${missing.join(', ')} not bundled (a new nats.js layout?)` }] };
      return undefined;
    });
  },
};
