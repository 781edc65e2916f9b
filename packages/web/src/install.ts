/**
 * /api/install: how to add a machine to this installation: the steps, and a
 * cloud-init file that installs the node package (`pnpm package` builds
 * cohort-node_<version>_all.deb: cohortd, its systemd unit,
 * /etc/cohort/server.yaml; docs/packaging.md) and writes the config for
 * this bus and collective in signed mode. Only public material: the node's
 * key is made on the machine and never leaves it; its certificate is made
 * with the issuer key wherever that is kept.
 */
export function installInfo(o: { servers: readonly string[]; natsUrlForNodes: string | undefined; collective: string }): { nats: string; collective: string; steps: string[]; cloudInit: string } {
  const nats = o.natsUrlForNodes ?? o.servers[0] ?? 'nats://127.0.0.1:4222';
  const steps = [
    'Install the node package on the machine: apt-get install -y ./cohort-node_<version>_all.deb (built by pnpm package; needs nodejs 20.19 or later). It brings cohortd, its systemd unit and /etc/cohort/server.yaml.',
    `Point /etc/cohort/server.yaml at this bus: nats.servers [${nats}], collectives [${o.collective}], security.mode signed, security.issuers [/etc/cohort/issuer.pub] (the cloud-init below writes exactly that). NATS credentials go in /etc/default/cohortd (COHORT_NATS_PASSWORD), not in the file.`,
    'Copy the issuer public key to /etc/cohort/issuer.pub: nodes and clients trust certificates it signed.',
    'Start it once so it makes its node key (/var/lib/cohort/node.key, never leaves the machine): systemctl restart cohortd.',
    "Certify that key where the issuer key is kept: cohort keys sign --issuer issuer.key --node <the machine's identity> node.pub, and put node.cert beside node.key (/var/lib/cohort/node.cert); restart cohortd.",
    'It registers within its heartbeat interval and appears in the fleet. With a provisioner: cohortd enroll --provisioner-token TOKEN instead of the steps above (docs/packaging.md).',
  ];
  const cloudInit = [
    '#cloud-config',
    'write_files:',
    '  - path: /etc/cohort/server.yaml',
    "    permissions: '0644'",
    '    content: |',
    `      collectives: [${o.collective}]`,
    '      nats:',
    `        servers: [${JSON.stringify(nats)}]`,
    '      security:',
    '        mode: signed',
    '        issuers: [/etc/cohort/issuer.pub]',
    '        node_key: /var/lib/cohort/node.key',
    '        audit_file: /var/log/cohort/audit.log',
    '  - path: /etc/cohort/issuer.pub',
    '    content: |',
    '      (paste the issuer public key here: /etc/cohort/issuer.pub of any node)',
    'runcmd:',
    '  # The package (from your repository or a URL you serve it at); it keeps the server.yaml written above.',
    '  - [sh, -c, "apt-get install -y -o Dpkg::Options::=--force-confold ./cohort-node_*_all.deb"]',
    '  - [systemctl, restart, cohortd]',
    '  # Then certify /var/lib/cohort/node.pub with the issuer and put node.cert beside it (see the steps).',
    '',
  ].join('\n');
  return { nats, collective: o.collective, steps, cloudInit };
}
