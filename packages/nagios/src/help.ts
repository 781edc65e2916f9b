import { defaultCheckTimeout } from './options.js';

/** `check_cohort_nrpe --help`. */
export const checkHelp = `Usage: check_cohort_nrpe [filters] [--nats URL] [options] COMMAND

Nagios plugin: runs the NRPE command COMMAND (command[COMMAND]=... in nrpe.cfg
or nrpe.d on the nodes) through Cohort's nrpe agent on every matching node and
reports one aggregated result:

  COMMAND: OK: a WARNING: b CRITICAL: c UNKNOWN: d|total=N ok=a warning=b critical=c unknown=d checktime=Xs
  CRITICAL: host: plugin output      (one line per non-OK host: CRITICAL, WARNING, then UNKNOWN)

Discovery filters (as for cohort; repeatable, all must match):
  -F, --wf, --with-fact EXPR     fact filter, e.g. role=web, cpus>=4
  -C, --wc, --with-class NAME    node has this class (/regex/ allowed)
  -I, --wi, --with-identity ID   node identity (/regex/ allowed); several are ORed
  -A, --wa, --with-agent NAME    node runs this agent
  -W, --with "EXPRS"             space-separated fact expressions and classes
  -S, --select EXPR              compound expression: (role=web and country=de) or db
  -T, --target COLLECTIVE        collective to address

Options:
  -a, --args ARGS                $ARGn$ arguments, separated by ! (nodes must allow them)
  --nats URL                     NATS server(s), repeatable or comma-separated (env COHORT_NATS)
  --config FILE                  cohort client config (env COHORT_CONFIG; default ~/.config/cohort/client.yaml)
  --ddl-dir DIR                  extra directory with agent DDLs
  -t, --timeout SECONDS          hard deadline for the whole check (default ${defaultCheckTimeout}); when it passes
                                 the plugin prints UNKNOWN and exits 3, whatever it was waiting for
  --dt, --discovery-timeout S    seconds to wait for nodes to answer discovery (default 2)
  --expect N                     N nodes must answer; fewer is UNKNOWN (missing ones count as UNKNOWN)

Thresholds (a count of hosts or a percentage of all hosts counted; either one of a pair is enough):
  --critical-count N, --critical-percent P
        CRITICAL only when this many hosts are CRITICAL (default: 1 host). CRITICAL hosts
        below the threshold count towards WARNING instead.
  --unknown-count N, --unknown-percent P
        UNKNOWN only when this many hosts are UNKNOWN or did not answer (default: 1 host)
  --warning-count N, --warning-percent P
        WARNING only when this many hosts are WARNING (or CRITICAL below its threshold) (default: 1 host)

Cached mode (no request to the fleet, answers in milliseconds):
  check_cohort_nrpe --cached [filters] [--issuer FILE] CHECK
        Judges the check states the nodes keep on the bus (cohort checks) for check CHECK
        instead of running an NRPE command: same thresholds, output and exit codes. Every
        state is verified against the trusted node keys (--issuer FILE, repeatable, plus
        issuers / node_keys_dir in the client config); one that does not verify counts
        UNKNOWN. A state whose last run is older than twice its interval is stale and counts
        UNKNOWN (a node that stopped reporting cannot hide behind its last OK); a check not
        run yet counts UNKNOWN, one in maintenance OK. Nodes named with plain -I must hold
        a state. Example: check_cohort_nrpe --cached -W role=web --critical-percent 20 load

Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. Without thresholds: 2 if any host is
CRITICAL, else the worst state seen (UNKNOWN above WARNING). Nothing matched, bad options,
an unreachable NATS server or the deadline passing are UNKNOWN (3).
`;
