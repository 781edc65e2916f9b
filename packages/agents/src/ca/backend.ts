/** The CA's certificate, as `info` reports it. */
export interface CaCertificate {
  /** PEM of the CA certificate. */
  readonly ca: string;
  /** Its SHA-256 fingerprint, `AB:CD:...`. */
  readonly fingerprint: string;
}

/** Certnames waiting and signed, as `list` reports them (each sorted). */
export interface CaListing {
  readonly requests: string[];
  readonly signed: string[];
}

/** A signed certificate, as `sign` returns it. */
export interface SignedCertificate {
  readonly certificate: string;
  readonly ca: string;
  /** Serial number, hex. */
  readonly serial: string;
}

/**
 * One way of running a certificate authority (the openssl CA directory or
 * Puppet's CA). The agent calls one method at a time (it serialises them),
 * passing the action's abort signal. Failures throw AgentError with the
 * reply status and a message saying what to do.
 */
export interface CaBackend {
  readonly name: 'openssl' | 'puppet';
  info(signal: AbortSignal): Promise<CaCertificate>;
  list(signal: AbortSignal): Promise<CaListing>;
  /** Sign `certname`'s request (`csr`, or the one waiting on the CA); the same name and key again returns the existing certificate. */
  sign(certname: string, csr: string | undefined, signal: AbortSignal): Promise<SignedCertificate>;
  /** Revoke and remove `certname`'s certificate and pending request; false when there was nothing. */
  clean(certname: string, signal: AbortSignal): Promise<boolean>;
}
