import { existsSync, statSync } from 'node:fs';
import { errorMessage, loadSigner, type Signer } from '@cohort/core';
import type { WebUser } from './users.js';

/**
 * Each user's signing key and certificate (the format `cohort keys
 * generate|sign` makes and the CLI uses), loaded on first use and again when
 * the files change. Requests a user starts from the console are signed with
 * this key, so nodes' actionpolicy and audit log see that user's caller id.
 */
export class SignerProblem extends Error {}

export class UserSigners {
  readonly #cache = new Map<string, { stamp: string; signer: Signer }>();

  /** The user's signer; undefined when the user has no key. Throws SignerProblem naming the file when it cannot be used. */
  get(user: WebUser): Signer | undefined {
    if (user.key === undefined) return undefined;
    if (!existsSync(user.key)) throw new SignerProblem(`the signing key of web user ${user.name}, ${user.key}, does not exist (cohort keys generate, then cohort web useradd/passwd --key)`);
    const cert = user.certificate;
    const stamp = [user.key, cert ?? '', statSync(user.key).mtimeMs, cert && existsSync(cert) ? statSync(cert).mtimeMs : ''].join('|');
    const hit = this.#cache.get(user.name);
    if (hit && hit.stamp === stamp) return hit.signer;
    try {
      const signer = loadSigner({ kind: 'caller', keyFile: user.key, certificateFile: cert });
      this.#cache.set(user.name, { stamp, signer });
      return signer;
    } catch (err) {
      throw new SignerProblem(`the signing key of web user ${user.name} cannot be used: ${errorMessage(err)}`);
    }
  }
}
