import type { RpcCall, RpcOptions } from './types.js';

/**
 * Typed per-agent proxies generated from DDL types:
 * `client.agent<RpcutilActions>('rpcutil').get_fact({ fact: 'os.family' })`
 * returns an RpcCall whose replies carry the action's typed output.
 */

/** Any action map: action name → `{ input, output }` (interfaces and type aliases alike). */
export type ActionMapLike<M> = { [K in keyof M]: { input: object; output: object } };

/** Options of a proxied call: everything an RPC takes except agent, action and data. */
export type CallOptions = Omit<RpcOptions, 'agent' | 'action' | 'data'>;

/** Inputs may be left out when the action has no required ones. */
type ActionArgs<I> = {} extends I ? [input?: I, options?: CallOptions] : [input: I, options?: CallOptions];

export type AgentProxy<M extends ActionMapLike<M>> = {
  readonly [K in keyof M & string]: (...args: ActionArgs<M[K]['input']>) => RpcCall<M[K]['output']>;
};

/** Build a proxy whose every property is a call of that action through `rpc`. */
export function agentProxy<M extends ActionMapLike<M>>(agent: string, rpc: (options: RpcOptions) => RpcCall): AgentProxy<M> {
  const cache = new Map<string, unknown>();
  return new Proxy(Object.create(null) as object, {
    get(_target, prop) {
      // Never look like a thenable (awaiting the proxy must not call an action).
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      let fn = cache.get(prop);
      if (!fn) {
        fn = (input?: object, options?: CallOptions) => rpc({ ...options, agent, action: prop, data: { ...(input ?? {}) } });
        cache.set(prop, fn);
      }
      return fn;
    },
  }) as AgentProxy<M>;
}
