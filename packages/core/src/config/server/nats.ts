/** The server's `nats:` section is the shared one (../nats.ts). */
export { natsSection } from '../nats.js';

/** Config keys whose values are secrets: rpcutil get_config_item reports them as `[redacted]`. */
export const secretConfigKeys: readonly string[] = ['nats.password', 'nats.token', 'provisioning.token'];
