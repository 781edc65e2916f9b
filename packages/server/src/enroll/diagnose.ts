/**
 * Turn a failed NATS connection check into what to fix. The messages come
 * from nats.js and Node's TLS layer; each pattern names the case.
 */
export function diagnoseNatsFailure(reason: string, servers: readonly string[], withCa: boolean): string {
  const at = servers.join(', ');
  if (/not yet valid|CERT_NOT_YET_VALID/i.test(reason)) {
    return `clock skew: the NATS server's certificate is not valid yet by this machine's clock (${new Date().toISOString()}): set the time (timedatectl set-ntp true) and enroll again (${reason})`;
  }
  if (/certificate has expired|CERT_HAS_EXPIRED/i.test(reason)) {
    return `the NATS server's certificate has expired by this machine's clock (${new Date().toISOString()}): renew it on the server, or, if this clock is ahead, set the time (${reason})`;
  }
  if (/self[- ]signed|unable to (get|verify)|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|certificate chain|DEPTH_ZERO/i.test(reason)) {
    return withCa
      ? `unknown CA: the certificate of the NATS server at ${at} is not signed by the CA in the token; make the token with --ca set to the CA that signed the bus's certificates (${reason})`
      : `unknown CA: the certificate of the NATS server at ${at} is signed by a CA this machine does not trust; make the token with --ca <the bus CA> (${reason})`;
  }
  if (/altname|hostname|ERR_TLS_CERT_ALTNAME/i.test(reason)) {
    return `the NATS server's certificate is not for the name in the URL (${at}); use the name the certificate was made for (${reason})`;
  }
  if (/authori[sz]ation|authentication|user.*password|AUTHORIZATION/i.test(reason)) {
    return `wrong token: the NATS server at ${at} refused the bootstrap credentials in the token; make a token with the provisioning user's credentials (cohortd enroll-token --nats-user ...) (${reason})`;
  }
  if (/tls|ssl|wrong version number|EPROTO/i.test(reason)) {
    return `TLS does not match: the URL says ${at}, but the server ${/tls:\/\//.test(at) ? 'does not speak TLS there' : 'requires TLS: use tls://'} (${reason})`;
  }
  return `cannot reach NATS at ${at}: check the URL (--nats), DNS, routes and firewalls (port 4222 by default), and that nats-server runs (${reason})`;
}
