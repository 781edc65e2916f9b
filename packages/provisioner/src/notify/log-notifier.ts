import type { ProvisionerLog } from '../log.js';
import type { LogNotifierSpec } from '../pipeline-notify.js';
import type { Notifier } from './notifier.js';

/** `type: log`: one line per event in the provisioner's log. */
export function logNotifier(spec: LogNotifierSpec, log: ProvisionerLog): Notifier {
  return {
    name: 'log',
    events: spec.events ?? ['provisioned', 'failed'],
    async send(e) {
      if (e.event === 'provisioned') {
        log.info(`provisioned ${e.identity}: master ${e.master ?? '-'}, certificate ${e.fingerprint ?? '-'}, after ${e.attempts} attempt(s)`, { event: e.event, identity: e.identity });
      } else {
        log.error(`provisioning ${e.identity} failed at ${e.step ?? '?'} after ${e.attempts} attempt(s): ${e.error ?? ''}; retried after ${e.retry_after ?? '-'}`, { event: e.event, identity: e.identity });
      }
    },
  };
}
