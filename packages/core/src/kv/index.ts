/**
 * The key-value store (issue 18, `cohort kv` and node-side templates): bucket
 * and key names, limits. Names only; no I/O (the bus modules talk to NATS).
 */

/** The default key-value bucket of a collective: `cohort_kv_<collective>`. */
export function defaultKvBucket(collective: string): string {
  return `cohort_kv_${collective}`;
}

/** Bucket names JetStream accepts (the stream is `KV_<bucket>`). */
export const kvBucketPattern = /^[A-Za-z0-9_-]{1,64}$/;

/** Keys JetStream key-value accepts: letters, digits and `- _ / = .`, no leading or trailing dot. */
export const kvKeyPattern = /^[-/=.\w]+$/;

/** Largest value `cohort kv put` stores (1 MiB; the NATS server's max_payload must allow it). */
export const maxKvValueBytes = 1024 * 1024;

/** Why `key` is not a usable key, or undefined. `wildcards` allows `*` and `>` (watch filters). */
export function kvKeyProblem(key: string, wildcards = false): string | undefined {
  if (key === '') return 'a key cannot be empty';
  if (key.length > 1024) return `key is ${key.length} characters long (at most 1024)`;
  if (key.startsWith('.') || key.endsWith('.') || key.includes('..')) return `key '${key}' has a leading, trailing or double dot`;
  const tokens = key.split('.');
  for (const t of tokens) {
    if (wildcards && (t === '*' || t === '>')) continue;
    if (!kvKeyPattern.test(t)) return `key '${key}' may hold only letters, digits and - _ / = .${wildcards ? ' (and the wildcards * and > as whole dot-separated parts)' : ''}`;
  }
  if (wildcards && tokens.slice(0, -1).includes('>')) return `key '${key}': '>' may only come last`;
  return undefined;
}

/** Why `bucket` is not a usable bucket name, or undefined. */
export function kvBucketProblem(bucket: string): string | undefined {
  return kvBucketPattern.test(bucket) ? undefined : `bucket '${bucket}' may hold only letters, digits, _ and - (at most 64)`;
}
