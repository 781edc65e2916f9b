import { describeConfig } from '@cohort/core';
import { serverConfigSpec } from '@cohort/agents';
import { daemonFlags, type DaemonFlag } from './flags.js';

/** Parsed cohortd flags (as yargs returns them). */
export interface DaemonFlags {
  config?: string | undefined;
  identity?: string | undefined;
  nats?: string[] | undefined;
  facts?: string[] | undefined;
  classes?: string | undefined;
  collective?: string[] | undefined;
  'plugin-dir'?: string[] | undefined;
  'log-level'?: string | undefined;
  'log-format'?: string | undefined;
  'log-file'?: string | undefined;
}

/** Repeatable flags also accept comma lists: `--nats a,b --nats c`. */
function list(values: readonly string[] | undefined): string[] | undefined {
  return values?.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/**
 * The settings given as flags, nested like the config file, so they are
 * validated by the same schema (errors then say `command line: key ...`).
 */
export function flagsToSettings(flags: DaemonFlags): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(daemonFlags) as Array<[keyof DaemonFlags, DaemonFlag]>) {
    const value = flags[name];
    if (value === undefined || flag.setting === undefined) continue;
    const path = flag.setting.split('.');
    let at = out;
    for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
    at[path.at(-1)!] = flag.multiple ? list(value as string[]) : value;
  }
  return out;
}

/** The part of `cohortd --help` after the flags: file format, every setting, environment, signals, exit codes. */
export function helpEpilogue(): string {
  return [
    'Configuration file (YAML; --config FILE or $COHORTD_CONFIG), for example:',
    '  identity: web1.example.net',
    '  collectives: [cohort, dc1]',
    '  nats:',
    '    servers: [nats://nats1:4222, nats://nats2:4222]',
    '  facts: [/etc/cohort/facts.yaml, /etc/cohort/facts.d/local.json]',
    '  classes_file: /var/lib/puppet/state/classes.txt',
    '  plugin_dirs: [/etc/cohort/agents]',
    '  logging: { level: info, format: text }',
    'Relative paths in the file are relative to the file. Unknown keys are refused.',
    '',
    'Settings (defaults < config file < environment < flags):',
    ...describeConfig(serverConfigSpec),
    '',
    "Environment: COHORTD_CONFIG (config file; never the client's COHORT_CONFIG), COHORT_IDENTITY, COHORT_NATS (comma-separated URLs), COHORT_LOG_LEVEL, COHORT_SECURITY_MODE (signed|unsigned), COHORT_NATS_USER, COHORT_NATS_PASSWORD, COHORT_NATS_TOKEN (better than secrets in the file).",
    'Security (docs/security.md): by default only requests signed by a trusted key run (security.trusted_keys_dir, security.issuers); security.policy_dir turns on actionpolicy authorization, security.audit_file the audit log.',
    'Signals: SIGHUP reloads facts and classes (so does editing their files); SIGTERM/SIGINT shut down gracefully.',
    'Exit codes: 0 clean shutdown, 1 runtime failure, 2 bad configuration or usage.',
    'Join a fleet through the provisioning pipeline: cohortd enroll --provisioner-token T (cohortd enroll --help; tokens: cohortd enroll-token --help).',
  ].join('\n');
}
