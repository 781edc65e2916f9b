/** Certnames by state, as `puppetserver ca list --all` reports them. */
export interface PuppetCaListing {
  readonly requested: string[];
  readonly signed: string[];
  readonly revoked: string[];
}

type State = keyof PuppetCaListing;

const headings: Readonly<Record<string, State>> = {
  'requested certificates:': 'requested',
  'signed certificates:': 'signed',
  'revoked certificates:': 'revoked',
};

function names(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => {
    const name = typeof entry === 'object' && entry !== null ? (entry as { name?: unknown }).name : undefined;
    return typeof name === 'string' && name !== '' ? [name] : [];
  });
}

function sorted(listing: PuppetCaListing): PuppetCaListing {
  return { requested: [...listing.requested].sort(), signed: [...listing.signed].sort(), revoked: [...listing.revoked].sort() };
}

/**
 * Parse `puppetserver ca list --all --format json` output: one JSON object
 * `{"requested":[{name,...}],"signed":[...],"revoked":[...]}` on a line of
 * its own (warnings may surround it). Undefined when there is no such line.
 */
export function parseListJson(output: string): PuppetCaListing | undefined {
  for (const line of output.split('\n').map((l) => l.trim())) {
    if (!line.startsWith('{')) continue;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) continue;
    const d = data as Record<string, unknown>;
    if (!('requested' in d) && !('signed' in d) && !('revoked' in d)) continue;
    return sorted({ requested: names(d['requested']), signed: names(d['signed']), revoked: names(d['revoked']) });
  }
  return undefined;
}

/**
 * Parse the text `puppetserver ca list --all` prints (versions without
 * `--format`): sections headed `Requested Certificates:`, `Signed
 * Certificates:`, `Revoked Certificates:`, each entry an indented line
 * starting with the certname (`    node1.example   (SHA256)  AB:CD:...`), or
 * `No certificates to list`. Undefined when the text has none of these.
 */
export function parseListText(output: string): PuppetCaListing | undefined {
  const found: Record<State, string[]> = { requested: [], signed: [], revoked: [] };
  let state: State | undefined;
  let recognised = false;
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (/^no certificates to list$/i.test(line)) {
      recognised = true;
      continue;
    }
    const heading = headings[line.toLowerCase()];
    if (heading !== undefined) {
      state = heading;
      recognised = true;
      continue;
    }
    if (/^[A-Z][A-Za-z ]*:$/.test(line)) {
      state = undefined; // another section (e.g. "Missing Certificates:")
      continue;
    }
    if (state === undefined || !/^(\s|[+-]\s)/.test(raw)) continue;
    // Older releases marked entries "+ name" / "- name" and quoted the name.
    const name = line.replace(/^[+-]\s+/, '').split(/\s+/, 1)[0]?.replace(/^"(.*)"$/, '$1');
    if (name !== undefined && name !== '') found[state].push(name);
  }
  return recognised ? sorted(found) : undefined;
}

/** Parse list output in either format (JSON first). */
export function parseList(output: string): PuppetCaListing | undefined {
  return parseListJson(output) ?? parseListText(output);
}
