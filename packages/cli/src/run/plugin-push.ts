import { resolve } from 'node:path';
import { errorMessage, packDirectory, PluginPackError, UsageError } from '@cohort/core';
import { plugins } from '@cohort/client';
import { str, bool, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { stringifyJson } from '../render/json.js';
import { openSession } from '../session.js';
import { manifestTrust, pluginNameArg, pluginStore, requireSigner, rolloutOf } from './plugin-common.js';
import { validatePluginDir } from './plugin-validate.js';

function rolloutText(r: { batch: number; settle: number } | null | undefined): string {
  return r ? `; staged: at most ${r.batch} node(s) at once, ${r.settle} s apart` : '';
}

/** `cohort plugin push DIR [--batch N] [--settle S]`. */
export async function runPluginPush(argv: Args, io: CliIo): Promise<Outcome> {
  const dir = resolve(str(argv, 'dir') ?? '.');
  const rollout = rolloutOf(argv);
  let packed: ReturnType<typeof packDirectory>;
  try {
    packed = packDirectory(dir);
    validatePluginDir(dir, packed);
  } catch (err) {
    if (err instanceof PluginPackError) throw new UsageError(err.message, { cause: err });
    throw err;
  }
  const { name, version, state } = packed.meta;
  if (bool(argv, 'dry-run')) {
    io.stdout.write(`${name} ${version} (${state}): ${packed.header.files.length} file(s), ${packed.bytes.byteLength} bytes, sha256 ${packed.digest}\n`);
    for (const f of packed.header.files) io.stdout.write(`  ${f.mode.toString(8)} ${String(f.size).padStart(8)}  ${f.path}\n`);
    return { kind: 'done' };
  }
  const session = await openSession(argv, io);
  const signer = requireSigner(session, 'a plugin push');
  const trust = manifestTrust(argv, session);
  const bus = await session.openBus();
  try {
    const store = await pluginStore(bus, session.collective, true);
    const result = await plugins.pushPlugin(store, packed, signer, trust, { rollout: rollout ?? null }).catch((err: unknown) => {
      throw new UsageError(errorMessage(err), { cause: err });
    });
    if (session.json) io.stdout.write(stringifyJson(result.manifest, io.stdout.isTTY));
    else
      io.stdout.write(
        `pushed ${name} ${version} (${state}${result.replaced ? `, was ${result.replaced}` : ''}) to collective ${session.collective}, signed by ${signer.subject}, sha256 ${packed.digest.slice(0, 16)}${rolloutText(rollout)}\n` +
          'nodes with plugin_sync that trust you and allow you plugin#push install it within seconds: cohort plugin ls\n',
      );
  } finally {
    await bus.close();
  }
  return { kind: 'done' };
}

/** `cohort plugin rollback NAME`. */
export async function runPluginRollback(argv: Args, io: CliIo): Promise<Outcome> {
  const name = pluginNameArg(argv);
  const rollout = rolloutOf(argv);
  const session = await openSession(argv, io);
  const signer = requireSigner(session, 'a plugin rollback');
  const trust = manifestTrust(argv, session);
  const bus = await session.openBus();
  try {
    const store = await pluginStore(bus, session.collective, false);
    const r = await plugins.rollbackPlugin(store, name, signer, trust, rollout ? { rollout } : {}).catch((err: unknown) => {
      throw new UsageError(errorMessage(err), { cause: err });
    });
    io.stdout.write(`rolled ${name} back${r.from ? ` from ${r.from}` : ''} to ${r.manifest.release?.version ?? '?'}, signed by ${signer.subject}${rolloutText(r.manifest.rollout)}\n`);
  } finally {
    await bus.close();
  }
  return { kind: 'done' };
}

/** `cohort plugin rm NAME`. */
export async function runPluginRm(argv: Args, io: CliIo): Promise<Outcome> {
  const name = pluginNameArg(argv);
  const session = await openSession(argv, io);
  const signer = requireSigner(session, 'a plugin removal');
  const trust = manifestTrust(argv, session);
  const bus = await session.openBus();
  try {
    const store = await pluginStore(bus, session.collective, false);
    const r = await plugins.removePlugin(store, name, signer, trust).catch((err: unknown) => {
      throw new UsageError(errorMessage(err), { cause: err });
    });
    io.stdout.write(`removed ${name}${r.removed ? ` ${r.removed}` : ''} from collective ${session.collective}: nodes unload it and delete its files (cohort plugin rollback ${name} brings it back)\n`);
  } finally {
    await bus.close();
  }
  return { kind: 'done' };
}
