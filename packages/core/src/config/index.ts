/**
 * Configuration (STUB: owned by the server work). Defaults as data, then file, env, flags.
 */
export {};
