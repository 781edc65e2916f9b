import type { Facts } from '@cohort/core';
import { hostFileName, hostgroupsFileName, isUsableAddress, objectNameProblem } from './names.js';

/**
 * Rendering Nagios host definitions from registry records. Pure: the same
 * nodes and options always give the same files, byte for byte (no
 * timestamps), so a file is rewritten only when what it says changed.
 */

/** What a host definition is made from (a verified registry record). */
export interface HostSource {
  identity: string;
  /** The record's `address` (advertise_address or the node's primary address), when it has one. */
  address?: string | undefined;
  facts: Facts;
  classes: readonly string[];
}

/** How host definitions are written. */
export interface HostsRenderOptions {
  /** The collective, written into each file's marker (files of another collective are never touched). */
  collective: string;
  /** The template every host uses (last, with --template-by-class). */
  defaultTemplate: string;
  /** One template per class (`<templatePrefix><class>`), before the default template. */
  templateByClass: boolean;
  templatePrefix: string;
  /** With templateByClass: only these classes become templates (undefined: every class). */
  templateClasses?: ReadonlySet<string> | undefined;
  /** `define`: hostgroups from classes, defined in their own file; `reference`: referenced only (defined elsewhere); `none`. */
  hostgroups: 'define' | 'reference' | 'none';
  hostgroupPrefix: string;
  /** The fact holding the address when the record has none (else the identity is the address). */
  addressFact?: string | undefined;
}

export const defaultHostTemplate = 'generic-host';

/** The first line of every file this tool writes: it deletes and overwrites only files that start with it. */
export function markerLine(collective: string): string {
  return `# cohort nagios hosts: collective=${collective}; generated from the registry, edits are overwritten`;
}

const markerPattern = /^# cohort nagios hosts: collective=(\S+);/;

/** The collective a file was written for, when its first line is our marker. */
export function markedCollective(content: string): string | undefined {
  const first = content.slice(0, content.indexOf('\n') === -1 ? undefined : content.indexOf('\n'));
  return markerPattern.exec(first)?.[1];
}

/** A node or class left out, and why. */
export interface Skipped {
  identity: string;
  reason: string;
}

export interface RenderedHosts {
  /** File name → content, for every file that should be in the directory. */
  files: Map<string, string>;
  /** Host names written. */
  hosts: string[];
  skipped: Skipped[];
}

/** A fact by name: a literal key first, else a dotted path into objects (`networking.ip`). */
function factString(facts: Facts, name: string): string | undefined {
  let current: unknown = Object.hasOwn(facts, name) ? facts[name] : undefined;
  if (current === undefined) {
    current = facts;
    for (const segment of name.split('.')) {
      if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return typeof current === 'string' ? current : undefined;
}

/** Where a host's address comes from. */
export function hostAddress(node: HostSource, addressFact: string | undefined): { address: string; from: string } {
  if (node.address !== undefined && isUsableAddress(node.address)) return { address: node.address, from: 'the registry record' };
  if (addressFact !== undefined) {
    const v = factString(node.facts, addressFact);
    if (v !== undefined && isUsableAddress(v)) return { address: v, from: `fact ${addressFact}` };
  }
  return { address: node.identity, from: 'the identity (no address in the record)' };
}

function uniqueSorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/** Every file for `nodes`: one host definition per node, plus the hostgroups file. */
export function renderHosts(nodes: readonly HostSource[], options: HostsRenderOptions): RenderedHosts {
  const files = new Map<string, string>();
  const hosts: string[] = [];
  const skipped: Skipped[] = [];
  const groups = new Set<string>();
  const byName = [...nodes].sort((a, b) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0));
  for (const node of byName) {
    const problem = objectNameProblem(node.identity);
    if (problem !== undefined) {
      skipped.push({ identity: node.identity, reason: `its identity cannot be a Nagios host name: ${problem}` });
      continue;
    }
    const file = hostFileName(node.identity);
    if (files.has(file)) {
      skipped.push({ identity: node.identity, reason: `its file name ${file} is taken by another node` });
      continue;
    }
    const classes: string[] = [];
    for (const c of uniqueSorted(node.classes)) {
      const bad = objectNameProblem(c);
      if (bad === undefined) classes.push(c);
      else skipped.push({ identity: node.identity, reason: `class ${JSON.stringify(c)} left out of its templates and hostgroups: ${bad}` });
    }
    const { address, from } = hostAddress(node, options.addressFact);
    const templates = options.templateByClass
      ? [...classes.filter((c) => options.templateClasses === undefined || options.templateClasses.has(c)).map((c) => `${options.templatePrefix}${c}`), options.defaultTemplate]
      : [options.defaultTemplate];
    const hostgroups = options.hostgroups === 'none' ? [] : classes.map((c) => `${options.hostgroupPrefix}${c}`);
    for (const g of hostgroups) groups.add(g);
    const lines = [
      markerLine(options.collective),
      `# node ${node.identity}; address from ${from}`,
      'define host {',
      `    host_name   ${node.identity}`,
      `    alias       ${node.identity}`,
      `    address     ${address}`,
      `    use         ${[...new Set(templates)].join(',')}`,
      ...(hostgroups.length > 0 ? [`    hostgroups  ${hostgroups.join(',')}`] : []),
      '}',
    ];
    files.set(file, `${lines.join('\n')}\n`);
    hosts.push(node.identity);
  }
  if (options.hostgroups === 'define' && groups.size > 0) {
    const blocks = [...groups].sort().map((g) => `define hostgroup {\n    hostgroup_name  ${g}\n    alias           ${g}\n}\n`);
    files.set(hostgroupsFileName, `${markerLine(options.collective)}\n# one hostgroup per class of the hosts in this directory\n${blocks.join('')}`);
  }
  return { files, hosts, skipped };
}
