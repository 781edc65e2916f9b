import { isSubjectSafe, UsageError } from '@cohort/core';

/**
 * Parse a `--nodes` list: one identity per line (`#` comments and blank lines
 * ignored), or JSON: the output of `cohort rpc --json` (`replies[].sender`),
 * `cohort find --json` (an array of strings, or `{ nodes: [...] }`), or an
 * array of objects with `sender` (or `identity`), or JSON lines (`cohort rpc
 * --jsonl`: one object per line, those with `sender` count, the final
 * `{"stats": ...}` line is skipped). Duplicates are dropped,
 * order is kept. Throws UsageError naming `source` when the content is unusable.
 */
export function parseNodesList(text: string, source = 'the nodes list'): string[] {
  const trimmed = text.trim();
  const ids = trimmed.startsWith('[') || trimmed.startsWith('{') ? fromJson(trimmed, source) : fromLines(text);
  const seen = new Set<string>();
  for (const id of ids) {
    if (!isSubjectSafe(id)) throw new UsageError(`${source}: '${id}' is not a valid node identity (letters, digits, _ - : . @ only)`);
    seen.add(id);
  }
  return [...seen];
}

function fromLines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const hash = line.indexOf('#');
    const id = (hash >= 0 ? line.slice(0, hash) : line).trim();
    if (id) out.push(id);
  }
  return out;
}

function fromJson(text: string, source: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (text.startsWith('{') && text.includes('\n')) return fromJsonLines(text, source);
    throw new UsageError(`${source} looks like JSON but does not parse: ${(err as Error).message}`);
  }
  if (isRecord(value)) {
    if (Array.isArray(value['replies'])) return fromArray(value['replies'], source);
    if (Array.isArray(value['nodes'])) return fromArray(value['nodes'], source);
    // cohort rpc --jsonl that kept no reply: only its stats line.
    if (isRecord(value['stats'])) return [];
    throw new UsageError(`${source}: expected a JSON array of identities, or an object with "replies" (cohort rpc --json) or "nodes"`);
  }
  if (Array.isArray(value)) return fromArray(value, source);
  throw new UsageError(`${source}: expected a JSON array of identities`);
}

/** `cohort rpc --jsonl`: every line an object; replies have `sender`, the stats line has none. */
function fromJsonLines(text: string, source: string): string[] {
  const out: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new UsageError(`${source} line ${i + 1} is not JSON (expected JSON lines, as cohort rpc --jsonl prints): ${(err as Error).message}`);
    }
    if (!isRecord(value)) throw new UsageError(`${source} line ${i + 1}: expected a JSON object per line`);
    const id = value['sender'] ?? value['identity'];
    if (typeof id === 'string') out.push(id.trim());
    else if (!('stats' in value)) throw new UsageError(`${source} line ${i + 1}: an object without "sender" (nor the final "stats")`);
  });
  return out;
}

function fromArray(items: unknown[], source: string): string[] {
  return items.map((item, i) => {
    if (typeof item === 'string') return item.trim();
    if (isRecord(item)) {
      const id = item['sender'] ?? item['identity'];
      if (typeof id === 'string') return id.trim();
    }
    throw new UsageError(`${source}: item ${i} is neither an identity string nor an object with "sender"`);
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
