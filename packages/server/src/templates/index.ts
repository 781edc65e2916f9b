import { defaultKvBucket, errorMessage, parseTemplates, registryBucket, TrustStore, type NodeView } from '@cohort/core';
import { type ServerConfig } from '@cohort/agents';
import type { Logger } from '@cohort/core/log';
import type { Bus } from '../bus.js';
import { Catalogue, templateData } from './data.js';
import { loadRenderer } from './render.js';
import { TemplateRunner, type TemplateCounters } from './runner.js';

export { TemplateRunner, type TemplateCounters, type Timers, type RunCommand } from './runner.js';
export { Catalogue, templateData, type TemplateData } from './data.js';
export { createRenderer, loadRenderer, type Render } from './render.js';
export { writeAtomic } from './write.js';

/** Seconds between looks for a bucket that does not exist yet (the key-value bucket before the first `cohort kv put`). */
const retryMs = 2000;

export interface Templates {
  counters(): Record<string, TemplateCounters>;
  /** This node's facts or classes may have changed. */
  refresh(): void;
  stop(): Promise<void>;
}

export interface TemplatesOptions {
  readonly config: ServerConfig;
  readonly bus: Bus;
  readonly view: () => NodeView;
  readonly log: Logger;
}

const decoder = new TextDecoder();

/**
 * Node-side templates (docs/service-discovery.md, "Templates"): follows the
 * registry bucket and the key-value bucket through the bus, keeps the
 * verified catalogue and the keys, and re-renders on every change. Undefined
 * when no template is configured.
 */
export async function createTemplates(options: TemplatesOptions): Promise<Templates | undefined> {
  const { config, bus, log } = options;
  const { templates, errors } = parseTemplates(config.templates);
  for (const e of errors) log.error(`${e}; left out`);
  if (templates.length === 0) return undefined;
  if (!bus.followBucket) {
    log.warn('templates need JetStream (the registry and key-value buckets); none rendered');
    return undefined;
  }
  const collective = config.collectives[0]!;
  const keysDir = config.template_data.node_keys_dir ?? undefined;
  const issuers = config.template_data.issuers ?? config.security.issuers;
  let trust: TrustStore | undefined;
  try {
    trust = keysDir || issuers.length > 0 ? TrustStore.load({ kind: 'node', keysDir: keysDir ?? undefined, issuers }) : undefined;
  } catch (err) {
    log.error(`templates: cannot load the trusted node keys: ${errorMessage(err)}; the catalogue stays empty`);
  }
  if (!trust) log.warn('templates: no trusted issuers or node keys (template_data.issuers, template_data.node_keys_dir, security.issuers): registry records cannot be verified, so templates see no nodes');
  const catalogue = new Catalogue(() => trust);
  const kv = new Map<string, string>();
  let render;
  try {
    render = await loadRenderer();
  } catch (err) {
    log.error(`templates: cannot load the template engine (nunjucks): ${errorMessage(err)}; none rendered`);
    return undefined;
  }
  const runner = new TemplateRunner({
    templates,
    render,
    data: () => templateData(options.view(), collective, catalogue.records(), kv),
    log,
  });
  const ignoredSeen = new Set<string>();
  const stops: Array<() => void> = [];
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let started = false;
  const changed = () => {
    if (started) runner.changed();
  };

  const registry = registryBucket(collective);
  const kvBucket = config.template_data.kv_bucket ?? defaultKvBucket(collective);
  const onError = (err: unknown) => log.warn(`templates: ${errorMessage(err)}`);
  let expiry: NodeJS.Timeout | undefined;
  const follow = async (name: string, onEntry: (key: string, value: Uint8Array | undefined, created: number) => void): Promise<boolean> => {
    const w = await bus.followBucket!(name, (e) => onEntry(e.key, e.value, e.created), onError);
    if ('missing' in w) return false;
    if (stopped) {
      w.stop();
      return true;
    }
    stops.push(() => w.stop());
    if (name === registry && w.maxAgeMs > 0) {
      // Expired records vanish from the bucket without a notice: look every second (a map scan, no I/O).
      expiry = setInterval(() => {
        if (catalogue.expire(w.maxAgeMs)) changed();
      }, 1000);
      expiry.unref();
    }
    return true;
  };
  const onRegistry = (identity: string, value: Uint8Array | undefined, created: number) => {
    const r = catalogue.apply(identity, value, created);
    if (r.ignored && !ignoredSeen.has(identity)) {
      ignoredSeen.add(identity);
      log.warn(`templates: ignored the registry record of ${identity}: ${r.ignored}`);
    }
    // A heartbeat that only refreshed a record needs no render.
    if (r.changed) changed();
  };
  const onKv = (key: string, value: Uint8Array | undefined) => {
    if (value === undefined) kv.delete(key);
    else kv.set(key, decoder.decode(value));
    changed();
  };
  // Buckets that do not exist yet are looked for again until they appear.
  const pending = new Map<string, (key: string, value: Uint8Array | undefined, created: number) => void>([
    [registry, onRegistry],
    [kvBucket, onKv],
  ]);
  const failures = new Set<string>();
  const attach = async (): Promise<void> => {
    for (const [name, onEntry] of [...pending]) {
      try {
        if (await follow(name, onEntry)) {
          pending.delete(name);
          if (started) log.info(`templates: following bucket ${name}`);
        }
      } catch (err) {
        // Said once per distinct reason (a missing permission would otherwise be logged every 2 s).
        const why = `templates: cannot follow bucket ${name}: ${errorMessage(err)}; trying again every ${retryMs / 1000} s`;
        if (!failures.has(why)) log.warn(why);
        failures.add(why);
      }
    }
    if (pending.size > 0 && !stopped) {
      retry = setTimeout(() => void attach().then(changed), retryMs);
      retry.unref();
    }
  };
  await attach();
  if (pending.size > 0) log.info(`templates: bucket(s) ${[...pending.keys()].join(', ')} not there yet; looking again every ${retryMs / 1000} s`);
  started = true;
  log.info(`templates: ${templates.length} template(s) from bucket ${kvBucket} and the registry ${registry}`);
  // The first render runs in the background: a slow command must not hold up the daemon's start.
  void runner.renderAll();
  return {
    counters: () => runner.counters(),
    refresh: () => runner.changed(),
    async stop() {
      stopped = true;
      clearTimeout(retry);
      clearInterval(expiry);
      for (const s of stops.splice(0)) s();
      await runner.stop();
    },
  };
}
