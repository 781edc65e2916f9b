/** /api/install: how to add a machine to this installation (enrolment and a cloud-init file). */
export function installInfo(o: { servers: readonly string[]; natsUrlForNodes: string | undefined; collective: string }): { nats: string; collective: string; steps: string[]; cloudInit: string } {
  const nats = o.natsUrlForNodes ?? o.servers[0] ?? 'nats://127.0.0.1:4222';
  const steps = [
    'Install the cohortd package on the machine (see docs/packaging.md: the .deb, or npm install -g with Node.js 20+).',
    `Write /etc/cohort/server.yaml with nats.servers: [${nats}] and collective: ${o.collective}.`,
    'Make the node key on the machine: cohort keys generate node --dir /etc/cohort',
    'Certify it with your issuer (offline): cohort keys sign --issuer issuer.key --node $(hostname -f) node.pub, and copy node.cert to /etc/cohort/.',
    'Put the issuer public key at /etc/cohort/issuer.pub (security.issuers) and set security.mode: signed.',
    'Start it: systemctl enable --now cohortd. It registers within its heartbeat interval and appears on the Fleet page.',
  ];
  const cloudInit = [
    '#cloud-config',
    'write_files:',
    '  - path: /etc/cohort/server.yaml',
    '    permissions: "0644"',
    '    content: |',
    '      nats:',
    `        servers: [${JSON.stringify(nats)}]`,
    `      collective: ${o.collective}`,
    '      security:',
    '        mode: signed',
    '        node_key: /etc/cohort/node.key',
    '        issuers: [/etc/cohort/issuer.pub]',
    'runcmd:',
    '  - [sh, -c, "cohort keys generate node --dir /etc/cohort"]',
    '  - [sh, -c, "echo certify /etc/cohort/node.pub with: cohort keys sign --issuer issuer.key --node $(hostname -f) node.pub"]',
    '  - [systemctl, enable, --now, cohortd]',
    '',
  ].join('\n');
  return { nats, collective: o.collective, steps, cloudInit };
}
