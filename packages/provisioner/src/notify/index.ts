import type { ProvisionerLog } from '../log.js';
import type { NotifierSpec } from '../pipeline-notify.js';
import { emailNotifier } from './email.js';
import { logNotifier } from './log-notifier.js';
import type { Notifier } from './notifier.js';
import { webhookNotifier } from './webhook.js';

export { notifyAll, notifyDeadlineMs, type Notifier } from './notifier.js';
export { eventFor, type ProvisionEvent } from './event.js';
export { composeMail, emailNotifier, smtpMailer, defaultBody, defaultSubject, type Mail, type Mailer } from './email.js';
export { webhookNotifier } from './webhook.js';
export { logNotifier } from './log-notifier.js';

/** The notifiers of a pipeline's `notify:` list, and how to close them. */
export function createNotifiers(specs: readonly NotifierSpec[], log: ProvisionerLog): { notifiers: Notifier[]; close(): void } {
  const closers: Array<() => void> = [];
  const notifiers = specs.map((spec): Notifier => {
    switch (spec.type) {
      case 'log':
        return logNotifier(spec, log);
      case 'webhook':
        return webhookNotifier(spec);
      case 'email': {
        const n = emailNotifier(spec);
        closers.push(() => n.close());
        return n;
      }
    }
  });
  return { notifiers, close: () => closers.forEach((c) => c()) };
}
