import { ConfigError, errorMessage } from '@cohort/core';
import { parseAge, parseBytes, parseMessages, type JobRetention } from '../jobs/retention.js';

/**
 * The `jobs:` section of the client config (keys and types checked by
 * clientConfigSpec): ages, sizes and counts in the operator's units.
 * Throws ConfigError naming the key and the file.
 */
export function jobsSettings(value: Record<string, unknown>, file: string): Partial<JobRetention> {
  const out: Partial<JobRetention> = {};
  try {
    if (value['max_age'] !== undefined) out.maxAgeSeconds = parseAge(value['max_age'], 'jobs.max_age');
    if (value['max_bytes'] !== undefined) out.maxBytes = parseBytes(value['max_bytes'], 'jobs.max_bytes');
    if (value['max_messages'] !== undefined) out.maxMessages = parseMessages(value['max_messages'], 'jobs.max_messages');
  } catch (err) {
    throw new ConfigError(`config file ${file}: ${errorMessage(err)}`, { cause: err });
  }
  return out;
}
