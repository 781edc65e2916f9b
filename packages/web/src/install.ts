/**
 * /api/install: how to add a machine to this installation: the steps, and a
 * cloud-init file in the shape of examples/provisioning/cloud-init.yaml
 * (cohortd's config written by cloud-init, a systemd unit, the node key made
 * on the machine). Only public material: the node's key never leaves it, and
 * its certificate is made with the issuer key wherever that is kept.
 */
export function installInfo(o: { servers: readonly string[]; natsUrlForNodes: string | undefined; collective: string }): { nats: string; collective: string; steps: string[]; cloudInit: string } {
  const nats = o.natsUrlForNodes ?? o.servers[0] ?? 'nats://127.0.0.1:4222';
  const steps = [
    'Install Node.js 20 or later and Cohort on the machine (cohortd and cohort, from this repository: pnpm install && pnpm build, or your package).',
    `Write /etc/cohort/cohortd.yaml: nats.servers [${nats}], collectives [${o.collective}], security.mode signed, security.node_key /etc/cohort/node.key, security.issuers [/etc/cohort/issuer.pub] (the cloud-init below does it).`,
    'Make the node key on the machine: cohort keys generate node --dir /etc/cohort (node.key stays there, mode 0600).',
    "Certify it where the issuer key is kept: cohort keys sign --issuer issuer.key --node <the machine's identity> node.pub, then copy node.cert to /etc/cohort/ on the machine.",
    'Copy the issuer public key to /etc/cohort/issuer.pub, and NATS credentials if your bus needs them (nats.user/password, creds or TLS in cohortd.yaml).',
    'Start it: cohortd --config /etc/cohort/cohortd.yaml (or the systemd unit below). It registers within its heartbeat interval and appears in the fleet.',
  ];
  const cloudInit = [
    '#cloud-config',
    'write_files:',
    '  - path: /etc/cohort/cohortd.yaml',
    "    permissions: '0600'",
    '    content: |',
    '      nats:',
    `        servers: [${JSON.stringify(nats)}]`,
    `      collectives: [${o.collective}]`,
    '      security:',
    '        mode: signed',
    '        node_key: /etc/cohort/node.key',
    '        issuers: [/etc/cohort/issuer.pub]',
    '        audit_file: /var/log/cohort/audit.log',
    '  - path: /etc/cohort/issuer.pub',
    '    content: |',
    '      (the issuer public key: /etc/cohort/issuer.pub of an existing node)',
    '  - path: /etc/systemd/system/cohortd.service',
    '    content: |',
    '      [Unit]',
    '      Description=Cohort node daemon',
    '      After=network-online.target',
    '      Wants=network-online.target',
    '      [Service]',
    '      ExecStart=/usr/bin/cohortd --config /etc/cohort/cohortd.yaml',
    '      Restart=always',
    '      [Install]',
    '      WantedBy=multi-user.target',
    'runcmd:',
    '  - [mkdir, -p, /var/log/cohort]',
    '  - [cohort, keys, generate, node, --dir, /etc/cohort]',
    '  # Certify /etc/cohort/node.pub with the issuer (cohort keys sign --issuer issuer.key --node $(hostname) node.pub) and put node.cert beside it; then:',
    '  - [systemctl, daemon-reload]',
    '  - [systemctl, enable, --now, cohortd]',
    '',
  ].join('\n');
  return { nats, collective: o.collective, steps, cloudInit };
}
