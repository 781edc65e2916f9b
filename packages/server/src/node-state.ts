import { createDataFunctions, errorMessage, type DataFunction, type Facts, type NodeView } from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import { readClassesFile } from './classes.js';
import { loadFacts, mergeFacts } from './facts.js';
import { watchFiles } from './watch.js';

export interface NodeStateOptions {
  readonly identity: string;
  readonly factsFiles: readonly string[];
  readonly classesFile: string | null;
  /** Facts the daemon itself sets (`cohort.provisioned`), merged over the files' facts. */
  readonly builtinFacts?: Facts;
  readonly log: Logger;
  /** Called after facts and classes reloaded successfully (the registry republishes). */
  readonly onChange?: () => void;
  /** Further data functions (`check`), asked when the built-in ones (fstat, fact) do not know the name. */
  readonly data?: DataFunction;
}

/**
 * What this node is: facts, classes and hosted agents, with the NodeView
 * filters match against (rebuilt only when something changes, never per
 * message). Facts and classes reload on demand or when their files change; a
 * broken file on reload keeps the previous values.
 */
export class NodeState {
  readonly #o: NodeStateOptions;
  #facts: Facts = {};
  #classes: readonly string[] = [];
  /** Classes added by detectors (docs/metrics.md), on top of the classes file's. */
  #detected: readonly string[] = [];
  #agents: readonly string[] = [];
  #view: NodeView;
  #unwatch: (() => void) | undefined;
  /** fstat() and fact() for compound filters and rpcutil get_data. */
  readonly data: DataFunction;

  constructor(options: NodeStateOptions) {
    this.#o = options;
    const builtin = createDataFunctions(() => this.#facts);
    const extra = options.data;
    this.data = extra === undefined ? builtin : (name, arg) => builtin(name, arg) ?? extra(name, arg);
    this.#view = this.#build();
  }

  /** Read facts and classes; throws FactsError naming the file (used at startup). */
  load(): void {
    const facts = mergeFacts(loadFacts(this.#o.factsFiles), this.#o.builtinFacts ?? {});
    let classes: string[] = [];
    if (this.#o.classesFile) {
      const read = readClassesFile(this.#o.classesFile);
      if (read.missing) this.#o.log.warn(`classes file ${this.#o.classesFile} does not exist yet; no classes until it does`);
      classes = read.classes;
    }
    this.#facts = Object.freeze(facts);
    this.#classes = Object.freeze(classes);
    this.#view = this.#build();
  }

  /** Reload facts and classes, logging the outcome; on error keep the previous ones. True when reloaded. */
  reload(why: string): boolean {
    try {
      this.load();
      this.#o.log.info(`reloaded facts and classes (${why})`, { facts: Object.keys(this.#facts).length, classes: this.#classes.length });
      this.#o.onChange?.();
      return true;
    } catch (err) {
      this.#o.log.error(`${errorMessage(err)}; keeping the previous facts and classes`);
      return false;
    }
  }

  /** Reload whenever a facts or classes file changes. */
  watch(): void {
    const files = [...this.#o.factsFiles, ...(this.#o.classesFile ? [this.#o.classesFile] : [])];
    if (files.length === 0 || this.#unwatch) return;
    this.#unwatch = watchFiles(files, (changed) => this.reload(`changed: ${changed.join(', ')}`), this.#o.log);
  }

  close(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
  }

  /** Set the hosted agent names (after the registry is loaded). */
  setAgents(names: readonly string[]): void {
    this.#agents = Object.freeze([...names]);
    this.#view = this.#build();
  }

  facts(): Facts {
    return this.#facts;
  }

  classes(): readonly string[] {
    return this.#view.classes;
  }

  /** Set the classes detectors add; republishes (onChange) when they changed. */
  setDetectedClasses(classes: readonly string[]): void {
    const next = Object.freeze([...new Set(classes)].sort());
    if (next.length === this.#detected.length && next.every((c, k) => c === this.#detected[k])) return;
    this.#detected = next;
    this.#view = this.#build();
    this.#o.onChange?.();
  }

  /** The node as filters see it. */
  view(): NodeView {
    return this.#view;
  }

  #build(): NodeView {
    const classes = this.#detected.length === 0 ? this.#classes : Object.freeze([...new Set([...this.#classes, ...this.#detected])]);
    return { identity: this.#o.identity, facts: this.#facts, classes, agents: this.#agents, data: this.data };
  }
}
