import dnsPacket, { type Answer, type DecodedPacket, type OptAnswer, type Question } from 'dns-packet';
import type { Catalog, Host, ServiceHost } from './catalog.js';
import { parseName, type Zone } from './names.js';

/** DNS response codes this server sends. */
export const Rcode = { NoError: 0, FormErr: 1, ServFail: 2, NxDomain: 3, NotImp: 4, Refused: 5 } as const;
export type Rcode = (typeof Rcode)[keyof typeof Rcode];
export const rcodeName: Record<Rcode, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };

export type Transport = 'udp' | 'tcp';

export interface AnswerOptions {
  readonly zone: Zone;
  /** TTL of every record (and the negative-caching TTL), seconds. */
  readonly ttl: number;
  /** Shuffle source (tests pass a seeded one): a number in [0, 1). */
  readonly random?: () => number;
}

/** What to send back for one query, and what went wrong with it (for the log), if anything. */
export interface Reply {
  /** The response bytes; undefined: send nothing (not a DNS query, or a response). */
  readonly response: Buffer | undefined;
  readonly rcode: Rcode;
  readonly truncated: boolean;
  /** A bad query, worth a (rate-limited) log line. */
  readonly problem?: string;
}

/** Largest UDP answer without EDNS (RFC 1035), and the most we use with it. */
export const classicUdpLimit = 512;
export const ednsUdpLimit = 4096;
/** A DNS message over TCP carries at most this many bytes (2-byte length prefix). */
export const tcpLimit = 65_535;

const AA = dnsPacket.AUTHORITATIVE_ANSWER;
const TC = dnsPacket.TRUNCATED_RESPONSE;
const RD = dnsPacket.RECURSION_DESIRED;
/** Query types answered from the catalog; any other ordinary type gets an empty answer (NODATA). */
const zoneTransfers = new Set(['AXFR', 'IXFR', 'UNKNOWN_253', 'UNKNOWN_254']);
const opcodes: Record<string, number> = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 };

/**
 * Answer one DNS message received over `transport`. Never throws: a message
 * that does not decode gets FORMERR (when it has a header to answer), a
 * query this server does not do gets NOTIMP, a name outside the zone
 * REFUSED, an unknown name NXDOMAIN. Answers are shuffled; over UDP they are
 * cut to what fits (512 bytes, or the client's EDNS size up to 4096) with the
 * TC bit set so the client retries over TCP, which gets every record that
 * fits a DNS message.
 */
export function answerQuery(message: Buffer, catalog: Catalog, options: AnswerOptions, transport: Transport): Reply {
  let query: DecodedPacket;
  try {
    query = dnsPacket.decode(message);
  } catch (err) {
    if (message.length < 12) return { response: undefined, rcode: Rcode.FormErr, truncated: false, problem: `a ${message.length}-byte message is no DNS query` };
    return headerOnly(message, Rcode.FormErr, `malformed query: ${(err as Error).message}`);
  }
  if (query.type === 'response') return { response: undefined, rcode: Rcode.FormErr, truncated: false, problem: 'received a DNS response, not a query' };
  const opcode = (query as DecodedPacket & { opcode?: string }).opcode ?? 'QUERY';
  if (opcode !== 'QUERY') return headerOnly(message, Rcode.NotImp, `opcode ${opcode} is not supported (only QUERY)`);
  const questions = query.questions ?? [];
  if (questions.length !== 1) return headerOnly(message, Rcode.FormErr, `a query must have exactly one question (it has ${questions.length})`);
  const question = questions[0]!;
  const opt = query.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
  const limit = transport === 'tcp' ? tcpLimit : opt ? Math.min(Math.max(opt.udpPayloadSize, classicUdpLimit), ednsUdpLimit) : classicUdpLimit;
  const build = new ResponseBuilder(query, question, opt !== undefined, limit, options);
  if (question.class !== undefined && question.class !== 'IN' && question.class !== 'ANY') return build.done(Rcode.NotImp, `class ${question.class} is not supported (only IN)`);
  if (zoneTransfers.has(question.type)) return build.done(Rcode.NotImp, `query type ${question.type} is not supported`);
  const lookup = parseName(question.name, options.zone);
  switch (lookup.kind) {
    case 'outside':
      return build.done(Rcode.Refused);
    case 'unknown':
      return build.negative(Rcode.NxDomain);
    case 'empty':
      return build.negative(Rcode.NoError);
    case 'node': {
      const host = catalog.node(lookup.identity);
      return host ? build.hosts([host]) : build.negative(Rcode.NxDomain);
    }
    case 'class': {
      const hosts = catalog.withClass(lookup.label);
      return hosts ? build.hosts(hosts) : build.negative(Rcode.NxDomain);
    }
    case 'service': {
      const hosts = catalog.service(lookup.service, lookup.tag);
      if (!hosts) return build.negative(Rcode.NxDomain);
      return question.type === 'SRV' ? build.srv(hosts) : build.hosts(hosts);
    }
  }
}

/** A response with the query's header (id, opcode, RD) and no sections, for queries that cannot be decoded or answered. */
function headerOnly(message: Buffer, rcode: Rcode, problem: string): Reply {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(message.readUInt16BE(0), 0);
  const flags = message.readUInt16BE(2);
  out.writeUInt16BE(0x8000 | (flags & 0x7800) | (flags & RD) | rcode, 2);
  return { response: out, rcode, truncated: false, problem };
}

/** Bytes of an uncompressed name (dns-packet does not compress). */
function nameBytes(name: string): number {
  const n = name.replace(/^\.|\.$/g, '');
  return n === '' ? 1 : Buffer.byteLength(n) + 2;
}

class ResponseBuilder {
  readonly #query: DecodedPacket;
  readonly #question: Question;
  readonly #edns: boolean;
  readonly #limit: number;
  readonly #options: AnswerOptions;
  readonly #answers: Answer[] = [];
  readonly #additionals: Answer[] = [];
  #size: number;

  constructor(query: DecodedPacket, question: Question, edns: boolean, limit: number, options: AnswerOptions) {
    this.#query = query;
    this.#question = question;
    this.#edns = edns;
    this.#limit = limit;
    this.#options = options;
    this.#size = 12 + nameBytes(question.name) + 4 + (edns ? 11 : 0);
  }

  get #ttl(): number {
    return this.#options.ttl;
  }

  /** A/AAAA (or both for ANY) of `hosts`, under the question's name, shuffled, as many as fit. */
  hosts(hosts: readonly Host[]): Reply {
    const type: string = this.#question.type;
    const families = type === 'A' ? [4] : type === 'AAAA' ? [6] : type === 'ANY' ? [4, 6] : [];
    if (families.length === 0) return this.negative(Rcode.NoError);
    const name = this.#question.name;
    const wanted = hosts.filter((h) => families.includes(h.family));
    const truncated = this.#fit(wanted, (h) => [addressRecord(name, h, this.#ttl)], []);
    return this.done(Rcode.NoError, undefined, truncated);
  }

  /** SRV records (port, target = the node's name) with the targets' addresses as additional records. */
  srv(hosts: readonly ServiceHost[]): Reply {
    const name = this.#question.name;
    const truncated = this.#fit(
      [...hosts],
      (h) => [{ type: 'SRV', name, ttl: this.#ttl, data: { priority: 1, weight: 1, port: h.port, target: h.name } }],
      (h) => [addressRecord(h.name, h, this.#ttl)],
    );
    return this.done(Rcode.NoError, undefined, truncated);
  }

  /** Random order, as many as fit: a partial Fisher-Yates shuffle stops once the message is full. */
  #fit<T>(items: T[], answers: (item: T) => Answer[], additionals: ((item: T) => Answer[]) | []): boolean {
    const random = this.#options.random ?? Math.random;
    const pool = items.slice();
    for (let i = 0; i < pool.length; i++) {
      const j = i + Math.floor(random() * (pool.length - i));
      const item = pool[j]!;
      pool[j] = pool[i]!;
      pool[i] = item;
      const a = answers(item);
      const extra = typeof additionals === 'function' ? additionals(item) : [];
      const bytes = [...a, ...extra].reduce((sum, r) => sum + recordBytes(r), 0);
      if (this.#size + bytes > this.#limit) return true;
      this.#size += bytes;
      this.#answers.push(...a);
      this.#additionals.push(...extra);
    }
    return false;
  }

  /** NXDOMAIN, or NOERROR with no answer (NODATA), with the zone's SOA for negative caching. */
  negative(rcode: Rcode): Reply {
    const zone = this.#options.zone;
    const soa: Answer = {
      type: 'SOA',
      name: zone.domain,
      ttl: this.#ttl,
      data: { mname: `ns.${zone.domain}`, rname: `hostmaster.${zone.domain}`, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: this.#ttl },
    };
    return this.done(rcode, undefined, false, [soa]);
  }

  done(rcode: Rcode, problem?: string, truncated = false, authorities: Answer[] = []): Reply {
    const authoritative = rcode === Rcode.NoError || rcode === Rcode.NxDomain ? AA : 0;
    const flags = authoritative | ((this.#query.flags ?? 0) & RD) | (truncated ? TC : 0) | rcode;
    const additionals: Answer[] = [...this.#additionals];
    if (this.#edns) additionals.push({ type: 'OPT', name: '.', udpPayloadSize: ednsUdpLimit, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] });
    const response = dnsPacket.encode({
      type: 'response',
      id: this.#query.id ?? 0,
      flags,
      questions: [this.#question],
      answers: this.#answers,
      authorities,
      additionals,
    });
    return { response, rcode, truncated, ...(problem !== undefined ? { problem } : {}) };
  }
}

function addressRecord(name: string, host: Host, ttl: number): Answer {
  return { type: host.family === 4 ? 'A' : 'AAAA', name, ttl, data: host.address };
}

/** Encoded size of an A, AAAA or SRV record. */
function recordBytes(r: Answer): number {
  const base = nameBytes(r.name) + 10;
  switch (r.type) {
    case 'A':
      return base + 4;
    case 'AAAA':
      return base + 16;
    case 'SRV':
      return base + 6 + nameBytes(r.data.target);
    default:
      return base + dnsPacket.encodingLength({ answers: [r] }) - 12 - nameBytes(r.name) - 10;
  }
}
