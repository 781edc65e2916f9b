import { CohortError, errorMessage } from './errors.js';

/**
 * The one message for a bucket a least-privilege NATS user may neither find
 * nor create (docs/security.md): which bucket, and that the NATS admin
 * creates every bucket of the collective once with `cohort bus init`. Every
 * feature that creates its bucket lazily (the registry, check states, mine
 * values and definitions, plugins, the key-value store, the web console's
 * jobs) turns a refused create into this error with bucketCreateError().
 */

/** What to do about a missing bucket or stream a least-privilege NATS user may not create. */
export const busInitHint = 'the NATS admin creates every stream and bucket of the collective once with `cohort bus init` (COHORT_CONFIG=admin.yaml cohort bus init, see examples/secure)';

/** Did the NATS server refuse the operation for lack of permissions? */
export function isPermissionDenied(err: unknown): boolean {
  return /permissions violation|authorization violation/i.test(errorMessage(err));
}

/** Bucket `bucket` is missing (or unreadable) and this NATS user may not create it. */
export class BucketNotCreatableError extends CohortError {
  readonly bucket: string;
  constructor(bucket: string, what: string | undefined, options?: { cause?: unknown }) {
    super(
      'BUCKET_NOT_CREATABLE',
      `the ${what ? `${what} ` : ''}bucket ${bucket} does not exist (or cannot be read) and this NATS user may not create it: ${busInitHint}`,
      options,
    );
    this.bucket = bucket;
  }
}

/**
 * `err` from opening or creating bucket `bucket` (holding `what`, e.g. "mine
 * values"): a BucketNotCreatableError when the server refused it for lack of
 * permissions, otherwise `err` itself. Use as `catch (err) { throw bucketCreateError(err, name, what); }`.
 */
export function bucketCreateError(err: unknown, bucket: string, what?: string): unknown {
  if (err instanceof BucketNotCreatableError || !isPermissionDenied(err)) return err;
  return new BucketNotCreatableError(bucket, what, { cause: err });
}
