// The ajv run-time helpers that precompiled config validators call, for
// packages that precompile validators of their own config sections
// (`@cohort/core/config-compile`) without depending on ajv themselves.
// Static imports, so bundlers see them (as in src/generated/validators.ts).
import ucs2lengthModule from 'ajv/dist/runtime/ucs2length.js';
import equalModule from 'ajv/dist/runtime/equal.js';

/** ajv's `ucs2length` module (string lengths in code points): `.default` is the function. */
export const ucs2length: unknown = ucs2lengthModule;
/** ajv's `equal` module (deep equality for uniqueItems): `.default` is the function. */
export const equal: unknown = equalModule;
