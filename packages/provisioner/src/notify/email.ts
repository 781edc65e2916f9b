import type { EmailNotifierSpec } from '../pipeline-notify.js';
import { renderTemplate } from '../template.js';
import type { ProvisionEvent } from './event.js';
import type { Notifier } from './notifier.js';

/**
 * `type: email`: a mail per event over SMTP, subject and body from templates
 * with the event's fields ({{identity}}, {{event}}, {{master}}, {{error}},
 * {{facts.region}} ...). nodemailer is loaded on the first mail, so only
 * pipelines with an email notifier ever load it.
 */

export const defaultSubject = '[cohort] {{identity}} {{event}}';
export const defaultBody = [
  '{{identity}}: {{event}} by provisioner {{provisioner}} at {{time}}.',
  '',
  'Master:      {{master}} (CA {{ca}})',
  'Certificate: {{certname}} {{fingerprint}}',
  'Steps done:  {{steps}}',
  'Attempts:    {{attempts}}',
  'Failed step: {{step}}',
  'Error:       {{error}}',
  'Retry after: {{retry_after}}',
  '',
].join('\n');

/** One mail. */
export interface Mail {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

/** Sends mails (nodemailer over SMTP; tests may pass another). */
export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

/** The mail for one event. */
export function composeMail(spec: EmailNotifierSpec, event: ProvisionEvent): Mail {
  const vars = { ...event, steps: event.steps.join(', ') };
  return {
    from: spec.from,
    to: typeof spec.to === 'string' ? [spec.to] : [...spec.to],
    subject: renderTemplate(spec.subject ?? defaultSubject, vars, { lenient: true }).replace(/\s+/g, ' ').trim(),
    text: renderTemplate(spec.body ?? defaultBody, vars, { lenient: true }),
  };
}

/**
 * A mailer over SMTP with nodemailer (imported now, not before). `pool`:
 * keep the SMTP connection open between mails (a new one per mail costs
 * ~100 ms; the handler service sends many).
 */
export async function smtpMailer(spec: EmailNotifierSpec, options: { pool?: boolean } = {}): Promise<Mailer> {
  const { default: nodemailer } = await import('nodemailer');
  const s = spec.smtp;
  const timeoutMs = (spec.timeout ?? 30) * 1000;
  const transport = nodemailer.createTransport({
    host: s.host,
    port: s.port ?? 587,
    secure: s.secure ?? false,
    ignoreTLS: s.ignore_tls ?? false,
    ...(s.user !== undefined ? { auth: { user: s.user, pass: s.password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    ...(options.pool ? { pool: true, maxConnections: 1 } : {}),
  });
  return {
    async send(mail) {
      await transport.sendMail({ from: mail.from, to: mail.to, subject: mail.subject, text: mail.text });
    },
    close: () => transport.close(),
  };
}

/** The email notifier; `mailer` builds the transport on first use (default: SMTP with nodemailer). */
export function emailNotifier(spec: EmailNotifierSpec, mailer: (spec: EmailNotifierSpec) => Promise<Mailer> = smtpMailer): Notifier & { close(): void } {
  let transport: Promise<Mailer> | undefined;
  return {
    name: `email ${typeof spec.to === 'string' ? spec.to : spec.to.join(',')} via ${spec.smtp.host}:${spec.smtp.port ?? 587}`,
    events: spec.events ?? ['provisioned', 'failed'],
    async send(event) {
      transport ??= mailer(spec);
      const m = await transport.catch((err: unknown) => {
        transport = undefined;
        throw err;
      });
      await m.send(composeMail(spec, event));
    },
    close() {
      void transport?.then((m) => m.close()).catch(() => undefined);
    },
  };
}
