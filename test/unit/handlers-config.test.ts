// handlers.yaml: defaults, and every mistake named by handler and field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { handlersConfigFromValues, loadHandlersConfig, loadHandlersTrust } from '../../packages/handlers/src/index.ts';

const base = { trust: { issuers: ['issuer.pub'] }, handlers: { hook: { type: 'webhook', url: 'https://hooks.example.net/x' } } };
const parse = (raw: unknown, env: NodeJS.ProcessEnv = {}) => handlersConfigFromValues(raw, { file: '/etc/cohort/handlers.yaml', env });
const problem = (raw: unknown, env: NodeJS.ProcessEnv = {}) => {
  try {
    parse(raw, env);
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
};
const withHandler = (h: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...base, handlers: { pager: h }, ...extra });

test('defaults: collective cohort, durable consumer, buckets, every handler a default, hard states only, paths from the file', () => {
  const c = parse(base);
  assert.equal(c.collective, 'cohort');
  assert.equal(c.consumer, 'cohort-handlers');
  assert.equal(c.bucket, 'cohort_handlers_cohort');
  assert.equal(c.start, 'new');
  assert.deepEqual(c.defaults, ['hook']);
  assert.deepEqual(c.trust.issuers, ['/etc/cohort/issuer.pub']);
  assert.equal(c.renotifyMs, 0);
  assert.equal(c.flapping, undefined);
  const hook = c.handlers.get('hook')!;
  assert.equal(hook.hardOnly, true);
  assert.deepEqual(hook.states, ['ok', 'warning', 'critical', 'unknown']);
  assert.equal(hook.retries, 5);
  assert.equal(hook.onInterrupted, 'resend');
  assert.ok(Object.isFrozen(c));
});

test('the example file in examples/ is valid', () => {
  const c = loadHandlersConfig(join(import.meta.dirname, '../../examples/handlers.yaml'), { SMTP_PASSWORD: 'x' });
  assert.ok(c.handlers.size >= 3);
  assert.deepEqual([...new Set([...c.handlers.values()].map((h) => h.type))].sort(), ['email', 'exec', 'webhook']);
  assert.ok(c.renotifyMs > 0);
  assert.ok(c.flapping);
});

test('durations, renotify, flapping and exec paths', () => {
  const c = parse({
    ...base,
    renotify: '4h',
    flapping: { changes: 3, window: '10m' },
    handlers: { run: { type: 'exec', command: ['bin/notify', '--fast'], timeout: 5 }, sys: { type: 'exec', command: ['logger'] } },
  });
  assert.equal(c.renotifyMs, 4 * 3_600_000);
  assert.deepEqual(c.flapping, { changes: 3, windowMs: 600_000, settleMs: 600_000 });
  const run = c.handlers.get('run');
  assert.ok(run?.type === 'exec');
  assert.deepEqual(run.command, ['/etc/cohort/bin/notify', '--fast']);
  assert.equal(run.timeoutMs, 5000);
  const sys = c.handlers.get('sys');
  assert.ok(sys?.type === 'exec');
  assert.deepEqual(sys.command, ['logger'], 'a bare program name is looked up in PATH');
});

test('an SMTP password from the environment', () => {
  const mail = { type: 'email', smtp: { host: 'mx', password_env: 'SMTP_PW', user: 'u' }, from: 'c@example.net', to: ['a@example.net'] };
  const c = parse(withHandler(mail), { SMTP_PW: 's3cret' });
  const h = c.handlers.get('pager');
  assert.ok(h?.type === 'email');
  assert.equal(h.smtp.password, 's3cret');
  assert.equal(h.smtp.port, 587);
  assert.match(problem(withHandler(mail)), /handlers\.pager\.smtp\.password_env: the environment variable SMTP_PW is not set/);
});

test('mistakes name the file, the handler and the field', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ handlers: base.handlers }, /handlers\.yaml: trust: must be a mapping with issuers/],
    [{ trust: {}, handlers: base.handlers }, /trust: give issuers and\/or keys_dir/],
    [{ trust: base.trust }, /handlers: must be a mapping of handler names/],
    [{ ...base, colective: 'x' }, /colective: unknown key \(known: collective,/],
    [withHandler({ type: 'sms' }), /handlers\.pager\.type: must be email, webhook or exec \(got "sms"\)/],
    [withHandler({ type: 'webhook', url: 'ftp://x' }), /handlers\.pager\.url: must be an http:\/\/ or https:\/\/ URL \(got "ftp:\/\/x"\)/],
    [withHandler({ type: 'webhook', url: 'http://x', headers: { a: 1 } }), /handlers\.pager\.headers: must be a mapping of names to strings/],
    [withHandler({ type: 'webhook', url: 'http://x', retries: -1 }), /handlers\.pager\.retries: must be a whole number from 0 to 100/],
    [withHandler({ type: 'webhook', url: 'http://x', timeout: 'soon' }), /handlers\.pager\.timeout: must be a duration such as 60s/],
    [withHandler({ type: 'webhook', url: 'http://x', backoff: { initial: '10s', max: '1s' } }), /handlers\.pager\.backoff\.max: must not be shorter than backoff\.initial/],
    [withHandler({ type: 'webhook', url: 'http://x', states: ['critical', 'maintenance'] }), /handlers\.pager\.states: 'maintenance' is not a state that notifies/],
    [withHandler({ type: 'webhook', url: 'http://x', on_interrupted: 'maybe' }), /handlers\.pager\.on_interrupted: must be resend or skip/],
    [withHandler({ type: 'webhook', url: 'http://x', smtp: {} }), /handlers\.pager\.smtp: unknown key \(known: type, states/],
    [withHandler({ type: 'email', smtp: { host: 'mx' }, from: 'nobody', to: 'a@b.c' }), /handlers\.pager\.from: must be an email address \(got "nobody"\)/],
    [withHandler({ type: 'email', smtp: { host: 'mx' }, from: 'a@b.c', to: ['x'] }), /handlers\.pager\.to: must be an email address or a list of them \(got "x"\)/],
    [withHandler({ type: 'email', smtp: { host: 'mx', port: 99999 }, from: 'a@b.c', to: 'a@b.c' }), /handlers\.pager\.smtp\.port: must be a whole number from 1 to 65535/],
    [withHandler({ type: 'email', smtp: { hostname: 'mx' }, from: 'a@b.c', to: 'a@b.c' }), /handlers\.pager\.smtp\.hostname: unknown key/],
    [withHandler({ type: 'email', smtp: { host: 'mx' }, from: 'a@b.c', to: 'a@b.c', subject: '{{nodename}} down' }), /handlers\.pager\.subject: unknown name 'nodename'/],
    [withHandler({ type: 'exec', command: 'notify --all' }), /handlers\.pager\.command: must be a list: the program and its arguments, run without a shell/],
    [{ ...base, handlers: { Pager: base.handlers.hook } }, /handlers\.Pager: handler names are lower-case/],
    [{ ...base, defaults: ['hook', 'pager'] }, /defaults: 'pager' is not a handler of this file \(handlers: hook\)/],
    [{ ...base, flapping: { changes: 0 } }, /flapping\.changes: must be a whole number from 1 to 1000/],
    [{ ...base, renotify: '-1h' }, /renotify: must be a duration/],
    [{ ...base, consumer: 'a.b' }, /consumer: must be a consumer name/],
  ];
  for (const [raw, re] of cases) assert.match(problem(raw), re);
});

test('a file that is not there, or not YAML, is named', () => {
  assert.throws(() => loadHandlersConfig('/nonexistent/handlers.yaml'), /cannot read the handlers config \/nonexistent\/handlers\.yaml/);
});

test('an issuer file that cannot be read is a config error naming trust', () => {
  assert.throws(() => loadHandlersTrust(parse(base)), /handlers\.yaml: trust: cannot read public key \/etc\/cohort\/issuer\.pub/);
});
