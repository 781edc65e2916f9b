/** Marks the hosts line set_master owns, so it is replaced, never duplicated. */
export const hostsMarker = '# cohort-provision';

/**
 * /etc/hosts text with the provisioner's master line set to
 * `<ip> <host> puppet  # cohort-provision`: an existing marked line is
 * replaced, otherwise the line is appended. Other lines are kept as they are.
 */
export function setHostsEntry(text: string, ip: string, host: string): { text: string; changed: boolean } {
  const entry = `${ip} ${host} puppet  ${hostsMarker}`;
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const kept = lines.filter((line) => !line.trimEnd().endsWith(hostsMarker));
  const next = `${[...kept, entry].join('\n')}\n`;
  return { text: next, changed: next !== text };
}
