import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { errorMessage, yamlErrorText, type FactValue, type Facts } from '@cohort/core';
import { FactsError } from './errors.js';

function isMapping(v: unknown): v is Facts {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Read one facts file: JSON for `.json`, otherwise YAML (core schema: no
 * dates or other non-JSON types). It must hold a mapping. Throws FactsError
 * naming the file.
 */
export function readFactsFile(file: string): Facts {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FactsError(file, `cannot read it: ${errorMessage(err)}`, { cause: err });
  }
  let value: unknown;
  try {
    value = file.endsWith('.json') ? JSON.parse(text) : yaml.load(text, { filename: file, schema: yaml.CORE_SCHEMA });
  } catch (err) {
    throw new FactsError(file, `not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${yamlErrorText(err)}`, { cause: err });
  }
  if (value === undefined || value === null) throw new FactsError(file, 'is empty; write {} for a file with no facts');
  if (!isMapping(value)) throw new FactsError(file, `must hold a mapping of fact names to values, not ${Array.isArray(value) ? 'a list' : typeof value}`);
  return value;
}

/** Deep merge: nested mappings merge key by key; any other value (lists too) from `over` replaces. */
export function mergeFacts(base: Facts, over: Facts): Facts {
  const out: Facts = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev: FactValue | undefined = out[key];
    out[key] = isMapping(prev) && isMapping(value) ? mergeFacts(prev, value) : value;
  }
  return out;
}

/** Read and deep-merge facts files in order (later files win). Throws FactsError naming the first bad file. */
export function loadFacts(files: readonly string[]): Facts {
  return files.reduce<Facts>((facts, file) => mergeFacts(facts, readFactsFile(file)), {});
}
