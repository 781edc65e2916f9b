import { statSync } from 'node:fs';
import { errorMessage } from '@cohort/core';
import { readUsers, type WebUser } from './users.js';

/** Users file, re-read when it changes (useradd, passwd, userdel act without a restart). */
export class UsersFile {
  #stamp = '';
  #users = new Map<string, WebUser>();
  constructor(readonly file: string, private readonly log: { error(m: string): void }) {}
  get(name: string): WebUser | undefined {
    let stamp = 'missing';
    try {
      const st = statSync(this.file);
      stamp = `${st.mtimeMs}:${st.size}`;
    } catch {
      /* missing: no users */
    }
    if (stamp !== this.#stamp) {
      try {
        this.#users = stamp === 'missing' ? new Map() : readUsers(this.file);
        this.#stamp = stamp;
      } catch (err) {
        // Keep the last good list: a half-edited file must not log everybody out.
        this.log.error(errorMessage(err));
      }
    }
    return this.#users.get(name);
  }
}

