import dnsPacket, { type Answer, type DecodedPacket, type OptAnswer, type Question } from 'dns-packet';
import type { Catalog, Host, ServiceHost } from './catalog.js';
import { RecordCache } from './records.js';
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
  /** Encoded records kept across queries (a server keeps one; without, each query encodes afresh). */
  readonly records?: RecordCache;
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
  const build = new ResponseBuilder(message, query, question, opt !== undefined, limit, options);
  if (question.class !== undefined && question.class !== 'IN' && question.class !== 'ANY') return build.done(Rcode.NotImp, `class ${question.class} is not supported (only IN)`);
  if (zoneTransfers.has(question.type)) return build.done(Rcode.NotImp, `query type ${question.type} is not supported`);
  const lookup = parseName(question.name, options.zone);
  const qtype: string = question.type;
  // A and AAAA take the members of that family; SRV, ANY and other types (NODATA) all of them.
  const family = qtype === 'A' ? 4 : qtype === 'AAAA' ? 6 : undefined;
  switch (lookup.kind) {
    case 'outside':
      return build.done(Rcode.Refused);
    case 'unknown':
      return build.negative(Rcode.NxDomain);
    case 'empty':
      return build.negative(Rcode.NoError);
    case 'node': {
      const host = catalog.node(lookup.identity);
      return host ? build.hosts(family === undefined || host.family === family ? [host] : []) : build.negative(Rcode.NxDomain);
    }
    case 'class': {
      const hosts = catalog.withClass(lookup.label, family);
      return hosts ? build.hosts(hosts) : build.negative(Rcode.NxDomain);
    }
    case 'service': {
      const hosts = catalog.service(lookup.service, lookup.tag, family);
      if (!hosts) return build.negative(Rcode.NxDomain);
      return qtype === 'SRV' ? build.srv(hosts) : build.hosts(hosts);
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

class ResponseBuilder {
  readonly #message: Buffer;
  readonly #query: DecodedPacket;
  readonly #question: Question;
  readonly #edns: boolean;
  readonly #limit: number;
  readonly #options: AnswerOptions;
  readonly #records: RecordCache;

  constructor(message: Buffer, query: DecodedPacket, question: Question, edns: boolean, limit: number, options: AnswerOptions) {
    this.#message = message;
    this.#query = query;
    this.#question = question;
    this.#edns = edns;
    this.#limit = limit;
    this.#options = options;
    this.#records = options.records?.ttl === options.ttl ? options.records : new RecordCache(options.ttl);
  }

  get #ttl(): number {
    return this.#options.ttl;
  }

  /** A/AAAA (or both for ANY) of `hosts` (already of the family asked for), under the question's name, shuffled, as many as fit. */
  hosts(hosts: readonly Host[]): Reply {
    const type: string = this.#question.type;
    if (type !== 'A' && type !== 'AAAA' && type !== 'ANY') return this.negative(Rcode.NoError);
    return this.#positive(hosts, (h) => this.#records.address(h), undefined);
  }

  /** SRV records (port, target = the node's name) with the targets' addresses as additional records. */
  srv(hosts: readonly ServiceHost[]): Reply {
    return this.#positive(hosts, (h) => this.#records.srv(h), (h) => this.#records.glue(h));
  }

  /**
   * The records of `items` in random order, as many as fit the limit (a
   * partial Fisher-Yates shuffle that stops once the message is full; TC
   * when some were left out), assembled from the records' ready bytes after
   * the query's own header fields and question.
   */
  #positive<T>(items: readonly T[], answer: (item: T) => Buffer, extra: ((item: T) => Buffer) | undefined): Reply {
    const question = questionBytes(this.#message);
    // Only the header comes before the first question: nothing its name could point to.
    if (question === undefined) return this.done(Rcode.FormErr, 'the question name is compressed');
    const random = this.#options.random ?? Math.random;
    const answers: Buffer[] = [];
    const additionals: Buffer[] = [];
    let size = 12 + question.length + (this.#edns ? optRecord.length : 0);
    let truncated = false;
    // The shuffle's swaps are kept aside (position -> index), so `items` (the catalog's array) is not copied or changed: a UDP answer takes a dozen of hundreds.
    const swapped = new Map<number, number>();
    for (let i = 0; i < items.length; i++) {
      const j = i + Math.floor(random() * (items.length - i));
      const picked = swapped.get(j) ?? j;
      swapped.set(j, swapped.get(i) ?? i);
      const item = items[picked]!;
      const a = answer(item);
      const x = extra?.(item);
      const bytes = a.length + (x ? x.length : 0);
      if (size + bytes > this.#limit || answers.length >= 0xffff) {
        truncated = true;
        break;
      }
      size += bytes;
      answers.push(a);
      if (x) additionals.push(x);
    }
    const header = Buffer.alloc(12);
    header.writeUInt16BE(this.#query.id ?? 0, 0);
    header.writeUInt16BE(0x8000 | AA | ((this.#query.flags ?? 0) & RD) | (truncated && this.#limit < tcpLimit ? TC : 0) | Rcode.NoError, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    header.writeUInt16BE(additionals.length + (this.#edns ? 1 : 0), 10);
    const response = Buffer.concat([header, question, ...answers, ...additionals, ...(this.#edns ? [optRecord] : [])], size);
    return { response, rcode: Rcode.NoError, truncated: truncated && this.#limit < tcpLimit };
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
    const additionals: Answer[] = [];
    if (this.#edns) additionals.push({ type: 'OPT', name: '.', udpPayloadSize: ednsUdpLimit, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] });
    const response = dnsPacket.encode({ type: 'response', id: this.#query.id ?? 0, flags, questions: [this.#question], answers: [], authorities, additionals });
    return { response, rcode, truncated, ...(problem !== undefined ? { problem } : {}) };
  }
}

/** The EDNS record of every EDNS answer: root owner, OPT, 4096-byte UDP size, no options. */
const optRecord = Buffer.from([0, 0, 41, ednsUdpLimit >> 8, ednsUdpLimit & 0xff, 0, 0, 0, 0, 0, 0]);

/** The raw question section (name, type, class) of a query, or undefined when its name is compressed. */
function questionBytes(message: Buffer): Buffer | undefined {
  let o = 12;
  for (;;) {
    const len = message[o];
    if (len === undefined || (len & 0xc0) !== 0) return undefined;
    o += 1 + len;
    if (len === 0) break;
  }
  return o + 4 <= message.length ? message.subarray(12, o + 4) : undefined;
}

