import { writeAtomic } from '../lib/files.js';
import type { OpensslRunner } from './openssl.js';
import type { SslFiles } from './ssl-files.js';

/** Subject fields of a request besides the CN, in the order they are written. */
export const subjectFields = ['C', 'ST', 'L', 'O', 'OU'] as const;
export type SubjectFields = Partial<Record<(typeof subjectFields)[number], string | null | undefined>>;

function escape(value: string): string {
  return value.replace(/[\\/+=]/g, (c) => `\\${c}`);
}

/** An openssl `-subj` string, `/C=de/O=Example/CN=web1`, with `\ / + =` escaped. */
export function subjectString(cn: string, fields: SubjectFields): string {
  const parts = subjectFields.flatMap((f) => {
    const value = fields[f];
    return typeof value === 'string' && value !== '' ? [`/${f}=${escape(value)}`] : [];
  });
  return `${parts.join('')}/CN=${escape(cn)}`;
}

/** Create a certificate signing request for the node's key (`openssl req -new`), store it and return it (PEM). */
export async function generateCsr(openssl: OpensslRunner, files: SslFiles, cn: string, fields: SubjectFields): Promise<string> {
  const csr = await openssl(['req', '-new', '-sha256', '-key', files.key, '-subj', subjectString(cn, fields)]);
  await writeAtomic(files.csr, csr);
  return csr;
}
