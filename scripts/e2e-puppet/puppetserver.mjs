// A throwaway Puppet Server for the e2e script: every file (config, CA, code,
// logs) in one temp directory, HTTPS on a free loopback port, started with
// java directly (as Debian's `puppetserver foreground` does, minus the fixed
// /etc paths), stopped with SIGTERM.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Debian's puppetserver package layout. */
const install = {
  jar: '/usr/share/puppetserver/puppetserver.jar',
  dir: '/usr/share/puppetserver',
  confd: '/etc/puppet/puppetserver/conf.d',
  servicesd: '/etc/puppet/puppetserver/services.d',
  rubyLoadPath: '/usr/lib/puppetserver/ruby/vendor_ruby',
  vendoredGems: '/usr/lib/puppetserver/vendored-jruby-gems',
  jrubyLib: '/usr/share/jruby/lib',
};

/** Why this machine cannot run the throwaway server, or undefined. */
export function puppetserverMissing() {
  const missing = [install.jar, install.confd, install.servicesd].filter((p) => !existsSync(p));
  return missing.length ? `Debian's puppetserver package files are missing (${missing.join(', ')}); apt-get install -y puppetserver` : undefined;
}

/** Write the server's configuration under `dir`; returns the paths. */
function writeConfig(dir, port, certname, manifest) {
  const p = {
    confd: join(dir, 'conf.d'),
    confdir: join(dir, 'puppet'),
    puppetConf: join(dir, 'puppet', 'puppet.conf'),
    code: join(dir, 'puppet', 'code'),
    cadir: join(dir, 'puppet', 'ca'),
    var: join(dir, 'var'),
    logback: join(dir, 'logback.xml'),
  };
  for (const d of [p.confd, join(p.code, 'environments', 'production', 'manifests'), p.var, join(dir, 'run'), join(dir, 'log')]) mkdirSync(d, { recursive: true });
  for (const f of ['auth.conf', 'ca.conf', 'web-routes.conf', 'metrics.conf']) copyFileSync(join(install.confd, f), join(p.confd, f));
  writeFileSync(join(p.confd, 'global.conf'), `global: { logging-config: "${p.logback}" }\n`);
  writeFileSync(join(p.confd, 'webserver.conf'), `webserver: { client-auth: want, ssl-host: 127.0.0.1, ssl-port: ${port} }\n`);
  writeFileSync(
    join(p.confd, 'puppetserver.conf'),
    `jruby-puppet: {
  ruby-load-path: ["${install.rubyLoadPath}"]
  gem-home: "${join(p.var, 'jruby-gems')}"
  gem-path: ["${join(p.var, 'jruby-gems')}", "${install.vendoredGems}"]
  server-conf-dir: "${p.confdir}"
  server-code-dir: "${p.code}"
  server-var-dir: "${p.var}"
  server-run-dir: "${join(dir, 'run')}"
  server-log-dir: "${join(dir, 'log')}"
  max-active-instances: 1
}
http-client: {}
profiler: { enabled: false }
`,
  );
  writeFileSync(
    p.logback,
    `<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender"><encoder><pattern>%d %-5p [%c{2}] %m%n</pattern></encoder></appender>
  <root level="info"><appender-ref ref="STDOUT"/></root>
</configuration>
`,
  );
  writeFileSync(
    p.puppetConf,
    `[main]
certname = ${certname}
server = ${certname}
serverport = ${port}
ssldir = ${join(p.confdir, 'ssl')}
vardir = ${p.var}
logdir = ${join(dir, 'log')}
rundir = ${join(dir, 'run')}
codedir = ${p.code}

[server]
cadir = ${p.cadir}
autosign = false
dns_alt_names = ${certname}
`,
  );
  writeFileSync(join(p.code, 'environments', 'production', 'manifests', 'site.pp'), manifest);
  return p;
}

/**
 * Start Puppet Server in `dir` on `port` (certname `localhost`, so agents reach
 * it as https://localhost:<port>) and wait until it says it is ready.
 * @param {{ dir: string, port: number, heap?: string, manifest?: string, readyTimeoutMs?: number }} options
 */
export async function startPuppetServer(options) {
  const certname = 'localhost';
  const paths = writeConfig(options.dir, options.port, certname, options.manifest ?? 'node default { notify { "cohort e2e": } }\n');
  const heap = options.heap ?? '1g';
  const args = [
    `-Xms256m`, `-Xmx${heap}`,
    '-Djruby.logger.class=com.puppetlabs.jruby_utils.jruby.Slf4jLogger', `-Djruby.lib=${install.jrubyLib}`,
    '--add-opens', 'java.base/sun.nio.ch=ALL-UNNAMED', '--add-opens', 'java.base/java.io=ALL-UNNAMED',
    '-XX:+CrashOnOutOfMemoryError', '-jar', install.jar, '--config', paths.confd, '--bootstrap-config', install.servicesd,
  ];
  const child = spawn('java', args, { cwd: install.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (d) => {
    log += d.toString();
    if (log.length > 2_000_000) log = log.slice(-1_000_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const server = {
    port: options.port,
    certname,
    ...paths,
    process: child,
    log: () => log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 300_000);
  while (!/Puppet Server has successfully started/.test(log)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`puppetserver exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log.slice(-4000)}`);
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`puppetserver was not ready within ${(options.readyTimeoutMs ?? 300_000) / 1000} s:\n${log.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return server;
}
