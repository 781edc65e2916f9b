import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Client, Bus, DdlSource } from '@cohort/client';
import type { Signer, TrustStore } from '@cohort/core';
import type { WebConfig } from '../config.js';
import type { Fleet } from '../fleet.js';
import type { Jobs } from '../jobs.js';
import type { RouteRule } from '../roles.js';
import type { SessionCodec, SessionData } from '../session.js';
import type { UsersFile } from '../users-file.js';
import type { WebUser } from '../users.js';

export interface ConsoleLog {
  info(m: string): void;
  warn(m: string): void;
  error(m: string): void;
}

/** What the console needs from the CLI's session: the bus, the collective, the DDLs, trust, clients per signer. */
export interface ConsoleDeps {
  config: WebConfig;
  bus: Bus;
  servers: readonly string[];
  collective: string;
  ddl: DdlSource;
  nodeTrust: TrustStore | undefined;
  /** A client on the shared bus signing with `signer` (unsigned as `callerid` without one). */
  clientFor(signer: Signer | undefined, callerid: string): Promise<Client>;
  log: ConsoleLog;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in user (set by the guard on every route that is not public). */
    webUser?: WebUser;
    webSession?: SessionData;
  }
  interface FastifyContextConfig {
    rule?: RouteRule;
  }
}

/**
 * Register `method path` with `handler` behind the guard, under its rule in
 * the roles table (roles.ts); a route missing from the table is refused at
 * startup.
 */
export type Route = <B = unknown, Q = Record<string, string | undefined>, P = Record<string, string>>(
  method: 'GET' | 'POST',
  path: string,
  handler: (req: FastifyRequest<{ Body: B; Querystring: Q; Params: P }>, reply: FastifyReply) => Promise<unknown>,
) => void;

/** The session cookie's attributes. */
export interface CookieOptions {
  httpOnly: boolean;
  sameSite: 'strict';
  path: string;
  secure: boolean;
  maxAge: number;
}

/** What one area's routes are built from (buildConsole makes one and hands it to each). */
export interface RouteContext {
  readonly deps: ConsoleDeps;
  readonly route: Route;
  readonly sessions: SessionCodec;
  readonly users: UsersFile;
  readonly fleet: Fleet;
  readonly jobs: Jobs;
  /** The security headers (event streams write their own head). */
  readonly headers: Record<string, string>;
  readonly cookieOptions: CookieOptions;
}
