// rediss:// as operators run it: Debian's redis-server listening with --tls-port only, a
// private CA made with openssl here, and --tls-auth-clients yes (Redis's default: a client
// certificate is required). Hosts driven through the real CLI publish and import over it;
// without the client certificate, or without the CA, the run says why in one line, exits 6
// and still bans locally.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failedPasswords, scratch } from '../run/cli.ts';
import { at, held, makeHost, run } from './hosts.ts';
import { noRedis, RedisServer, REDIS_SERVER } from './redis-server.ts';

const root = scratch('f2b-fleet-tls-');
const pki = (name: string) => join(root, name);
let redis: RedisServer | undefined;
let noTls: string | false = noRedis;

/** A private CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
function makePki(): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: root, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=f2b-scan test CA');
  for (const [name, san] of [['server', 'IP:127.0.0.1'], ['client', 'DNS:web1']] as const) {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    writeFileSync(pki(`${name}.ext`), `subjectAltName=${san}\n`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  }
}

before(async () => {
  if (noRedis) return;
  try {
    makePki();
  } catch (e) {
    noTls = `openssl could not make the test CA: ${(e as Error).message.split('\n')[0]}`;
    return;
  }
  if (!readFileSync(REDIS_SERVER!).includes('tls-port')) {
    noTls = 'this redis-server was built without TLS';
    return;
  }
  redis = await RedisServer.start({
    tlsPort: true,
    args: ['--tls-cert-file', pki('server.crt'), '--tls-key-file', pki('server.key'), '--tls-ca-cert-file', pki('ca.crt'), '--tls-auth-clients', 'yes'],
    tls: { ca: pki('ca.crt'), cert: pki('client.crt'), key: pki('client.key') },
  });
});
after(async () => {
  await redis?.close();
  rmSync(root, { recursive: true, force: true });
});

const TLS_FILES = `tls_ca = ${pki('ca.crt')}\ntls_cert = ${pki('client.crt')}\ntls_key = ${pki('client.key')}\n`;

test('over rediss:// with a private CA and a client certificate, bans travel between hosts', { timeout: 90_000 }, async (t) => {
  if (noTls) return t.skip(noTls);
  assert.equal(await redis!.cli('PING'), 'PONG');
  const a = makeHost(root, 'a', redis!.url, { fleet: TLS_FILES });
  const b = makeHost(root, 'b', redis!.url, { fleet: TLS_FILES });
  for (const h of [a, b]) assert.equal(run(h, at(0)).code, 0, h.name);
  appendFileSync(a.log, failedPasswords('198.51.100.60', 5, at(10)).join('\n') + '\n');
  const ra = run(a, at(60));
  assert.equal(ra.code, 0, ra.stderr);
  assert.equal(ra.json.fleet.published, 1);
  const rb = run(b, at(70));
  assert.equal(rb.code, 0, rb.stderr);
  assert.deepEqual(rb.json.fleet.imported.map((x: { ip: string }) => x.ip), ['198.51.100.60']);
  assert.equal(held(b), '+198.51.100.60\n');
});

test('without the client certificate Redis refuses the handshake: one line, exit 6, the local ban stands', { timeout: 60_000 }, async (t) => {
  if (noTls) return t.skip(noTls);
  const c = makeHost(root, 'c', redis!.url, { fleet: `tls_ca = ${pki('ca.crt')}\n` });
  appendFileSync(c.log, failedPasswords('198.51.100.61', 5, at(10)).join('\n') + '\n');
  const r = run(c, at(60));
  assert.equal(r.code, 6, r.stderr);
  assert.deepEqual(r.json.bans.map((x: { ip: string }) => x.ip), ['198.51.100.61']);
  assert.equal(held(c), '+198.51.100.61\n');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^f2b-scan: warning: fleet: cannot reach Redis at rediss:\/\/127\.0\.0\.1:\d+: .*set tls_cert and tls_key/);
  t.diagnostic(lines[0]!);
});

test('without the private CA the server certificate does not verify: one line naming it, exit 6', { timeout: 60_000 }, async (t) => {
  if (noTls) return t.skip(noTls);
  const d = makeHost(root, 'd', redis!.url, { fleet: `tls_cert = ${pki('client.crt')}\ntls_key = ${pki('client.key')}\n` });
  const r = run(d, at(60));
  assert.equal(r.code, 6, r.stderr);
  t.diagnostic(r.stderr.trim());
  assert.match(r.stderr, /fleet: cannot reach Redis at rediss:\/\/127\.0\.0\.1:\d+: .*(self[- ]signed|unable to (get|verify)|UNABLE_TO|SELF_SIGNED)/i);
});

test('tls_* with a plain redis:// url, or a certificate without its key, is a configuration error naming the key', (t) => {
  if (noTls) return t.skip(noTls);
  const e = makeHost(root, 'e', 'redis://127.0.0.1:6379', { fleet: `tls_ca = ${pki('ca.crt')}\n` });
  const r = run(e, at(60));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /f2b-scan\.conf:\d+ \[fleet\] tls_ca: set, but url is not rediss:\/\/ \(TLS\)/);
  const f = makeHost(root, 'f', redis!.url, { fleet: `tls_cert = ${pki('client.crt')}\n` });
  assert.match(run(f, at(60)).stderr, /\[fleet\] tls_key: missing: tls_cert needs the key of that certificate/);
});
