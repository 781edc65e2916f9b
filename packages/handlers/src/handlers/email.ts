import { renderTemplate, smtpMailer, type EmailNotifierSpec, type Mail, type Mailer } from '@cohort/provisioner';
import type { EmailHandlerSpec } from '../config.js';
import { defaultBody, defaultSubject, templateVariables, type Notification } from '../notification.js';
import type { Handler } from './types.js';

/** The mail for one notification (subject on one line). */
export function composeMail(spec: EmailHandlerSpec, n: Notification): Mail {
  const vars = templateVariables(n, spec.name);
  return {
    from: spec.from,
    to: [...spec.to],
    subject: renderTemplate(spec.subject ?? defaultSubject, vars, { lenient: true }).replace(/\s+/g, ' ').trim(),
    text: renderTemplate(spec.body ?? defaultBody, vars, { lenient: true }),
  };
}

/**
 * `type: email`: one mail per notification over SMTP (the provisioner's
 * nodemailer transport, loaded on the first mail). The message is sent once
 * the SMTP server accepted it (250 after DATA). The connection is kept
 * open between mails (pooled).
 */
export function emailHandler(spec: EmailHandlerSpec, mailer: (spec: EmailNotifierSpec) => Promise<Mailer> = (s) => smtpMailer(s, { pool: true })): Handler {
  let transport: Promise<Mailer> | undefined;
  const notifierSpec: EmailNotifierSpec = { type: 'email', smtp: spec.smtp, from: spec.from, to: spec.to, timeout: Math.max(1, Math.round(spec.timeoutMs / 1000)) };
  return {
    name: spec.name,
    describe: `email ${spec.to.join(',')} via ${spec.smtp.host}:${spec.smtp.port ?? 587}`,
    async send(n, signal) {
      transport ??= mailer(notifierSpec);
      const m = await transport.catch((err: unknown) => {
        transport = undefined;
        throw err;
      });
      const sent = m.send(composeMail(spec, n));
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(new Error(`no answer from the SMTP server within ${spec.timeoutMs / 1000} s`));
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        sent.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
      });
    },
    close() {
      void transport?.then((m) => m.close()).catch(() => undefined);
    },
  };
}
