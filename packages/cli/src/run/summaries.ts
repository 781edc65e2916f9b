import type { DdlAction } from '@cohort/core';
import { errorMessage } from '@cohort/core';
import { summarize, type AggregateSummary, type SummarizableReply } from '@cohort/client';
import type { CliIo } from '../io.js';

/**
 * The action's aggregate summaries. Replies were already received, so a broken
 * aggregate entry is a warning on stderr, not a failure of the command.
 */
export function safeSummaries(action: DdlAction, replies: Iterable<SummarizableReply>, io: CliIo): AggregateSummary[] {
  try {
    return summarize(action, replies);
  } catch (err) {
    io.stderr.write(`cohort: warning: cannot summarise ${action.action} replies: ${errorMessage(err)}\n`);
    return [];
  }
}
