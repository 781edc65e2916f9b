import type { HandlerSpec } from '../config.js';
import { emailHandler } from './email.js';
import { execHandler } from './exec.js';
import type { Handler } from './types.js';
import { webhookHandler } from './webhook.js';

export type { Handler } from './types.js';
export { emailHandler, composeMail } from './email.js';
export { webhookHandler } from './webhook.js';
export { execHandler } from './exec.js';

/** The handler of one spec. */
export function createHandler(spec: HandlerSpec): Handler {
  switch (spec.type) {
    case 'email':
      return emailHandler(spec);
    case 'webhook':
      return webhookHandler(spec);
    case 'exec':
      return execHandler(spec);
  }
}
