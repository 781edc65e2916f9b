/** What one run of a mine function produced (before it is stamped and signed). */
export interface RunOutcome {
  statuscode: number;
  statusmsg: string;
  data?: Record<string, unknown>;
  output?: string;
}
