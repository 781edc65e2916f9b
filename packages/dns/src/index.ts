/**
 * @cohort/dns: the DNS service of `cohort dns`. Answers
 * `<service>.service.<collective>.<domain>` (A/AAAA, SRV),
 * `<tag>.<service>.service...`, `<class>.class...` and `<identity>.node...`
 * from the collective's verified registry, kept current by a watch. See
 * docs/service-discovery.md ("DNS").
 */
export { parseName, normaliseDomain, classLabel, nodeName, type Lookup, type Zone } from './names.js';
export { Catalog, type Host, type ServiceHost } from './catalog.js';
export { answerQuery, Rcode, rcodeName, classicUdpLimit, ednsUdpLimit, tcpLimit, type AnswerOptions, type Reply, type Transport } from './answer.js';
export { RecordCache } from './records.js';
export { DnsServer, type DnsServerOptions, type DnsCounts } from './server.js';
export { RegistryFeed, type RegistryFeedOptions } from './feed.js';
export { RateLimitedLog, type DnsLog } from './log-limit.js';
export { parseListen, type ListenAddress } from './listen.js';
