import { ConfigError, didYouMean, errorMessage } from '@cohort/core';
import { parseAge, parseBytes, parseMessages, type JobRetention } from '../jobs/retention.js';

/** Keys of the client config's `jobs:` section. */
export const jobsConfigKeys = ['max_age', 'max_bytes', 'max_messages'] as const;

/** Parse the `jobs:` section of the client config. Throws ConfigError naming the key and the file. */
export function parseJobsSection(value: unknown, file: string): Partial<JobRetention> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`config file ${file}: 'jobs' must be a mapping with ${jobsConfigKeys.join(', ')}`);
  }
  const out: Partial<JobRetention> = {};
  for (const [key, v] of Object.entries(value)) {
    const what = `jobs.${key}`;
    try {
      if (key === 'max_age') out.maxAgeSeconds = parseAge(v, what);
      else if (key === 'max_bytes') out.maxBytes = parseBytes(v, what);
      else if (key === 'max_messages') out.maxMessages = parseMessages(v, what);
      else {
        const guess = didYouMean(key, [...jobsConfigKeys]);
        throw new ConfigError(`unknown key '${what}'${guess ? ` (did you mean 'jobs.${guess}'?)` : ''}; valid keys: ${jobsConfigKeys.map((k) => `jobs.${k}`).join(', ')}`);
      }
    } catch (err) {
      throw new ConfigError(`config file ${file}: ${errorMessage(err)}`, { cause: err });
    }
  }
  return out;
}
