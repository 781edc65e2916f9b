/** Cohort's version, shared by the daemon, the CLI and the protocol's `daemon_stats`. */
export const version = '0.1.0';
