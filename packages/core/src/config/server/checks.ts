import { item } from '../spec.js';

/**
 * `checks:` in the server configuration: checks this node runs, by name
 * (docs/checks.md):
 *
 *   checks:
 *     load: { command: [/usr/lib/nagios/plugins/check_load, -w, $warn$, -c, $crit$], vars: { warn: '4,3,2', crit: '8,6,4' }, interval: 60s }
 *     disk: { nrpe: check_disk, interval: 5m, apply_on: "role=db" }
 *
 * `checks_dir` adds a drop-in directory of YAML files of the same shape.
 * Both are re-read when they change, without a restart. A bad check is
 * logged (naming the check and the setting) and left out; the others run.
 */
export const checksItem = item<Readonly<Record<string, unknown>>>({
  default: {},
  doc: 'checks: name -> { kind, command: [argv] | nrpe: NAME, vars, interval, splay, timeout, apply_on, retries, handlers }; re-read live; a bad check is logged and left out (docs/checks.md)',
  // Only the outer shape: one bad check must not stop the daemon or the other checks (parseCheckDefinitions reports it).
  schema: { type: 'object', propertyNames: { minLength: 1 } },
  expect: 'a map of check names to settings',
});

export const checksDirItem = item<string | null>({
  default: null,
  doc: 'drop-in directory of YAML files of checks (same shape as checks:), picked up when they change',
  schema: { type: ['string', 'null'], minLength: 1 },
  expect: 'a directory path or null',
  path: true,
});
