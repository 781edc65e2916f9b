import { isCallerReplySubject, type RequestMessage } from '@cohort/core';
import { DropReason } from '../stats.js';
import { Drop } from './outcome.js';

/**
 * Stage (right after verification, before anything may reply): the reply
 * must go to the caller's own reply subject for this request (or one of its
 * async job subjects). The node publishes replies with its own bus
 * credentials, so any other `reply_to` (the registry bucket, the JetStream
 * API) is refused, even for requests the policy would deny.
 */
export function replyToStage(request: RequestMessage): Drop | undefined {
  if (isCallerReplySubject(request.collective, request.callerid, request.id, request.reply_to)) return undefined;
  return new Drop(
    DropReason.ForeignReplyTo,
    `request ${request.id} (${request.agent}#${request.action}) from ${request.callerid}@${request.sender} refused: reply_to '${request.reply_to}' is not this caller's reply subject for the request`,
    request,
  );
}
