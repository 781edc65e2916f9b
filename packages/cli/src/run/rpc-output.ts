import { evaluateReplyFilter, UsageError, type DdlAction } from '@cohort/core';
import type { Reply, RpcStats } from '@cohort/client';
import { bool, str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import { startProgress, type Progress } from '../progress.js';
import { renderFooter, renderSummaries } from '../render/footer.js';
import { jsonReply, rpcJson, stringifyJson } from '../render/json.js';
import { displayMode, renderReply, shouldShow, type DisplayMode } from '../render/reply.js';
import { pipeTableWidth, renderReplyTable } from '../render/table.js';
import type { Session } from '../session.js';
import type { ReplyFilterArg } from './reply-filter.js';
import { safeSummaries } from './summaries.js';

/** How `cohort rpc` prints: text (default), --json, --jsonl, --table or --senders. */
export type RpcOutputMode = 'text' | 'json' | 'jsonl' | 'table' | 'senders';

/** The output flag given (at most one; UsageError naming both otherwise). */
export function rpcOutputMode(argv: Args): RpcOutputMode {
  const given = (['json', 'jsonl', 'table', 'senders'] as const).filter((m) => bool(argv, m));
  if (given.length > 1) throw new UsageError(`--${given[0]} and --${given[1]} cannot be combined: choose one output format`);
  return given[0] ?? 'text';
}

/** The filter's effect, reported with the stats. */
export interface FilterCounts {
  expression: string;
  /** Replies the expression kept. */
  kept: number;
  /** Replies it dropped. */
  filtered_out: number;
}

/** Stats as printed: ok/failed count the kept replies; `filtered_out` says how many were dropped. */
export type ShownStats = RpcStats & { filtered_out?: number };

/**
 * Takes a call's replies as they arrive, applies `--filter-replies`, prints
 * each kept one the way the output mode wants it (text and senders and jsonl
 * at once, json and table at the end), then prints the summaries and stats
 * of the kept set. The outcome (exit code) describes the kept replies: a
 * dropped failure does not fail the command; a node that did not reply does.
 */
export class RpcPresenter {
  readonly #session: Session;
  readonly #agent: string;
  readonly #action: string;
  readonly #ddl: DdlAction | undefined;
  readonly #mode: RpcOutputMode;
  readonly #display: DisplayMode;
  readonly #filter: ReplyFilterArg | undefined;
  readonly #kept: Reply[] = [];
  #dropped = 0;
  #progress: Progress | undefined;

  constructor(
    session: Session,
    argv: Args,
    call: { agent: string; action: string; ddl: DdlAction | undefined; filter: ReplyFilterArg | undefined },
  ) {
    this.#session = session;
    this.#agent = call.agent;
    this.#action = call.action;
    this.#ddl = call.ddl;
    this.#mode = rpcOutputMode(argv);
    this.#display = displayMode(str(argv, 'display'), call.ddl);
    this.#filter = call.filter;
  }

  get mode(): RpcOutputMode {
    return this.#mode;
  }

  /** Start the spinner (text and table output on a terminal only); `text` describes progress. */
  async start(text: () => string): Promise<void> {
    const spinner = this.#session.progress && (this.#mode === 'text' || this.#mode === 'table');
    this.#progress = await startProgress(this.#session.io, spinner, text);
  }

  stop(): void {
    this.#progress?.stop();
  }

  /** One reply as it arrives. */
  offer(reply: Reply): void {
    if (this.#filter && !evaluateReplyFilter(this.#filter.node, reply)) {
      if (!reply.unexpected) this.#dropped++;
      return;
    }
    this.#kept.push(reply);
    const out = this.#session.io.stdout;
    switch (this.#mode) {
      case 'text':
        if (shouldShow(this.#display, reply.statuscode)) {
          const text = renderReply(reply, this.#ddl, { width: out.columns ?? 80, colour: this.#session.colour }).join('\n');
          this.#around(() => out.write(`${text}\n`));
        }
        return;
      case 'jsonl':
        out.write(`${JSON.stringify(jsonReply(reply))}\n`);
        return;
      case 'senders':
        out.write(`${reply.sender}\n`);
        return;
      default:
        return;
    }
  }

  /** Print the end of the output for the call's `stats`; returns the outcome. */
  finish(stats: RpcStats, extra: Record<string, unknown> = {}): Outcome {
    this.stop();
    const { io } = this.#session;
    const expected = this.#kept.filter((r) => !r.unexpected);
    const summaries = this.#ddl ? safeSummaries(this.#ddl, expected, io) : [];
    const ok = expected.filter((r) => r.statuscode === 0).length;
    const shown: ShownStats = this.#filter ? { ...stats, ok, failed: expected.length - ok, filtered_out: this.#dropped } : stats;
    const filter: FilterCounts | undefined = this.#filter ? { expression: this.#filter.source, kept: expected.length, filtered_out: this.#dropped } : undefined;
    const width = io.stdout.columns ?? (this.#mode === 'table' ? pipeTableWidth : 80);
    switch (this.#mode) {
      case 'json':
        io.stdout.write(stringifyJson({ ...extra, ...rpcJson(this.#agent, this.#action, this.#kept, shown, summaries), ...(filter ? { filter } : {}) }, io.stdout.isTTY));
        break;
      case 'jsonl':
        io.stdout.write(`${JSON.stringify({ ...extra, stats: shown, summaries, ...(filter ? { filter } : {}) })}\n`);
        break;
      case 'senders':
        if (filter) io.stderr.write(`${filterLine(filter)}\n`);
        if (stats.no_response.length > 0) io.stderr.write(`No response from: ${stats.no_response.join(' ')}\n`);
        break;
      case 'table':
      case 'text':
        if (stats.discovered > 0) {
          const table = this.#mode === 'table' && this.#kept.length > 0 ? [...renderReplyTable(this.#kept, this.#ddl, width), ''] : [];
          const lines = [
            ...table,
            ...renderSummaries(summaries),
            ...renderFooter(shown, { colour: this.#session.colour, width, verbose: this.#session.verbose }),
            ...(filter ? ['', filterLine(filter)] : []),
          ];
          io.stdout.write(`${lines.join('\n')}\n`);
        }
        break;
    }
    return { kind: 'rpc', stats: { discovered: stats.discovered, responded: stats.responded, failed: shown.failed } };
  }

  #around(fn: () => void): void {
    if (this.#progress) this.#progress.around(fn);
    else fn();
  }
}

function filterLine(f: FilterCounts): string {
  return `Kept ${f.kept} of ${f.kept + f.filtered_out} replies: ${f.filtered_out} filtered out by --filter-replies '${f.expression}'`;
}
