/**
 * RPC status codes, identical to MCollective and Choria. Agent failures travel
 * as status codes, never as exceptions on the wire.
 */
export const Status = {
  OK: 0,
  Aborted: 1,
  UnknownAction: 2,
  MissingData: 3,
  InvalidData: 4,
  UnknownError: 5,
} as const;

export type StatusCode = (typeof Status)[keyof typeof Status];

/** Console labels, as MCollective printed them. */
export const statusLabels: Readonly<Record<StatusCode, string>> = {
  0: 'OK',
  1: 'Request Aborted',
  2: 'Unknown Action',
  3: 'Missing Request Data',
  4: 'Invalid Request Data',
  5: 'Unknown Request Status',
};

export function isStatusCode(n: unknown): n is StatusCode {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 5;
}
