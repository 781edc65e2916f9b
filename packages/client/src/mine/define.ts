import { mineDefinitionsBucket, MineKind, sealDataBytes, type MineDefinition, type Signer } from '@cohort/core';
import { isKvMissing, type MineKvOpener } from './kv.js';

/** Sign `def` with the caller's key and store it in the collective's definitions bucket (replacing one of the same name). */
export async function defineMineFunction(open: MineKvOpener, collective: string, def: MineDefinition, signer: Signer): Promise<void> {
  const kv = await open(mineDefinitionsBucket(collective), true);
  if (isKvMissing(kv)) throw new Error(`cannot store the definition: ${kv.missing}`);
  await kv.put(def.name, sealDataBytes(MineKind.Definition, def, signer));
}

/** Remove a definition; false when there is no definitions bucket. */
export async function undefineMineFunction(open: MineKvOpener, collective: string, name: string): Promise<boolean> {
  const kv = await open(mineDefinitionsBucket(collective), false);
  if (isKvMissing(kv)) return false;
  await kv.delete(name);
  return true;
}
