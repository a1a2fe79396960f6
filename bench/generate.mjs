#!/usr/bin/env node
// Deterministic log generator for the benchmark: the same seed gives the same bytes.
//   node bench/generate.mjs auth  1000000 out/auth.log   [--seed N] [--end ISO]
//   node bench/generate.mjs nginx 200000  out/access.log
//   node bench/generate.mjs nginx-error 100000 out/error.log
//   node bench/generate.mjs mail  200000  out/mail.log
//   node bench/generate.mjs attack 1000000 out/auth.log [--pool 100]
// Lines are spread evenly over the --span hours (default 24) before --end (default
// 2026-11-24T12:00:00Z), about 1 in 8 a failure, from a pool of attacker addresses (IPv4 and
// IPv6, TEST-NET).
// `attack` is a distributed brute force on sshd: 36% failure lines, 95% of them from an address
// never seen before (a third IPv4 from 198.18.0.0/15, the range RFC 2544 sets aside for
// benchmarks, two thirds IPv6 from 2001:db8::/32), 5% from 300 persistent attackers that reach
// maxretry; with --pool N every failure comes from one of N addresses instead (the same lines,
// the growth ratio's other end).

import { createWriteStream } from 'node:fs';

const [kind, countArg, out, ...rest] = process.argv.slice(2);
if (!kind || !countArg || !out) {
  console.error('usage: generate.mjs auth|nginx|nginx-error|mail COUNT FILE [--seed N] [--end ISO]');
  process.exit(2);
}
const opt = (name, def) => {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : def;
};
const count = Number(countArg);
const end = Date.parse(opt('--end', '2026-11-24T12:00:00Z'));
const span = Number(opt('--span', '24')) * 3600_000;
const poolSize = Number(opt('--pool', '0'));
const seed = Number(opt('--seed', '42')) >>> 0;

// mulberry32: small, fast, good enough to spread lines; deterministic across Node versions.
function mulberry32(state) {
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = mulberry32(seed);
const pick = (a) => a[Math.floor(rnd() * a.length)];
const int = (n) => Math.floor(rnd() * n);

const attackers = [];
for (let i = 0; i < 400; i++) attackers.push(`${pick(['192.0.2', '198.51.100', '203.0.113'])}.${1 + int(254)}`);
for (let i = 0; i < 100; i++) attackers.push(`2001:db8:${int(0xffff).toString(16)}::${int(0xffff).toString(16)}`);
const users = ['root', 'admin', 'test', 'oracle', 'ubuntu', 'git', 'postgres', 'user', 'pi', 'deploy'];
const good = ['198.51.100.200', '192.0.2.250', '2001:db8:1::10'];
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n) => String(n).padStart(2, '0');

function syslogDate(ms) {
  const d = new Date(ms);
  return `${MON[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}
function clfDate(ms) {
  const d = new Date(ms);
  return `${p2(d.getUTCDate())}/${MON[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
}
function ngxErrDate(ms) {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}

// The attack's addresses come from a stream of their own, so that --pool changes the addresses
// and nothing else: the same lines, times and ports.
const rndAddr = mulberry32(seed ^ 0x5bd1e995);
const pickAddr = (a) => a[Math.floor(rndAddr() * a.length)];
// Fresh attack addresses, each returned once: a counter through a bijection (an odd multiplier
// modulo a power of two), so they are distinct without a set and look scattered.
let fresh4 = 0;
let fresh6 = 0;
function nextV4() {
  if (fresh4 >= 1 << 17) throw new Error('attack: more than 131,072 fresh IPv4 addresses (198.18.0.0/15)');
  const n = (Math.imul(fresh4++, 0x9e37) + 0x1234) & 0x1ffff;
  return `198.${18 + (n >> 16)}.${(n >> 8) & 0xff}.${n & 0xff}`;
}
function nextV6() {
  const n = (Math.imul(fresh6++, 0x9e3779b1) + 0x7f4a7c15) >>> 0;
  return `2001:db8:${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}::${(1 + Math.floor(rndAddr() * 0xfffe)).toString(16)}`;
}
const nextFresh = () => (rndAddr() < 1 / 3 ? nextV4() : nextV6());
// --pool N: N addresses do everything; else 300 persistent ones besides the fresh.
const persistent = kind === 'attack' ? Array.from({ length: poolSize > 0 ? poolSize : 300 }, nextFresh) : [];
const used = new Set(); // the persistent ones that did attack: the table counts addresses in the log
const attacker = () => {
  if (poolSize > 0 || rndAddr() < 0.05) {
    const ip = pickAddr(persistent);
    used.add(ip);
    return ip;
  }
  return nextFresh();
};

const host = 'srv1';
const gen = {
  auth(ms) {
    const t = syslogDate(ms);
    const pid = 1000 + int(60000);
    const r = rnd();
    const ip = pick(attackers);
    if (r < 0.05) return `${t} ${host} sshd[${pid}]: Failed password for ${pick(users)} from ${ip} port ${1024 + int(60000)} ssh2`;
    if (r < 0.09) return `${t} ${host} sshd[${pid}]: Invalid user ${pick(users)}${int(99)} from ${ip} port ${1024 + int(60000)}`;
    if (r < 0.12) return `${t} ${host} sshd[${pid}]: Connection closed by authenticating user root ${ip} port ${1024 + int(60000)} [preauth]`;
    if (r < 0.2) return `${t} ${host} sshd[${pid}]: Accepted publickey for deploy from ${pick(good)} port ${1024 + int(60000)} ssh2: ED25519 SHA256:q1w2e3r4t5y6u7i8o9p0`;
    if (r < 0.3) return `${t} ${host} sshd[${pid}]: pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)`;
    if (r < 0.4) return `${t} ${host} sshd[${pid}]: Received disconnect from ${pick(good)} port ${1024 + int(60000)}:11: disconnected by user`;
    if (r < 0.6) return `${t} ${host} CRON[${pid}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)`;
    if (r < 0.75) return `${t} ${host} CRON[${pid}]: pam_unix(cron:session): session closed for user root`;
    if (r < 0.9) return `${t} ${host} systemd-logind[612]: New session ${int(99999)} of user deploy.`;
    return `${t} ${host} systemd[1]: Started session-${int(99999)}.scope - Session ${int(99999)} of User deploy.`;
  },
  attack(ms) {
    const t = syslogDate(ms);
    const pid = 1000 + int(60000);
    const port = 1024 + int(60000);
    const r = rnd();
    if (r < 0.18) return `${t} ${host} sshd[${pid}]: Failed password for ${pick(users)} from ${attacker()} port ${port} ssh2`;
    if (r < 0.3) return `${t} ${host} sshd[${pid}]: Invalid user ${pick(users)}${int(99)} from ${attacker()} port ${port}`;
    if (r < 0.36) return `${t} ${host} sshd[${pid}]: Connection closed by authenticating user root ${attacker()} port ${port} [preauth]`;
    if (r < 0.42) return `${t} ${host} sshd[${pid}]: Accepted publickey for deploy from ${pick(good)} port ${port} ssh2: ED25519 SHA256:q1w2e3r4t5y6u7i8o9p0`;
    if (r < 0.5) return `${t} ${host} sshd[${pid}]: pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)`;
    if (r < 0.6) return `${t} ${host} sshd[${pid}]: Received disconnect from ${pick(good)} port ${port}:11: disconnected by user`;
    if (r < 0.75) return `${t} ${host} CRON[${pid}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)`;
    if (r < 0.88) return `${t} ${host} CRON[${pid}]: pam_unix(cron:session): session closed for user root`;
    return `${t} ${host} systemd-logind[612]: New session ${int(99999)} of user deploy.`;
  },
  nginx(ms) {
    const t = clfDate(ms);
    const r = rnd();
    const ua = pick(['Mozilla/5.0 (X11; Linux x86_64)', 'curl/8.5.0', 'Go-http-client/1.1', 'Mozilla/5.0 (compatible; Googlebot/2.1)']);
    if (r < 0.06) return `${pick(attackers)} - - [${t}] "GET /${pick(['wp-login.php', 'phpmyadmin/index.php', '.env', 'cgi-bin/test.cgi', 'admin/config.php'])} HTTP/1.1" 404 153 "-" "${ua}"`;
    if (r < 0.12) return `${pick(attackers)} - ${pick(users)} [${t}] "GET /private/ HTTP/1.1" 401 581 "-" "${ua}"`;
    return `${pick(good)} - - [${t}] "GET /${pick(['', 'index.html', 'css/site.css', 'img/logo.png', 'api/v1/items?page=' + int(50)])} HTTP/1.1" 200 ${200 + int(50000)} "https://example.org/" "${ua}"`;
  },
  'nginx-error'(ms) {
    const t = ngxErrDate(ms);
    const r = rnd();
    if (r < 0.2) return `${t} [error] 812#812: *${int(1e6)} user "${pick(users)}" was not found in "/etc/nginx/.htpasswd", client: ${pick(attackers)}, server: example.org, request: "GET /private/ HTTP/1.1", host: "example.org"`;
    if (r < 0.3) return `${t} [error] 812#812: *${int(1e6)} user "${pick(users)}": password mismatch, client: ${pick(attackers)}, server: example.org, request: "GET /private/ HTTP/1.1", host: "example.org"`;
    return `${t} [warn] 812#812: *${int(1e6)} an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/1/00/0000000${int(9)}, client: ${pick(good)}, server: example.org, request: "GET /api/v1/export HTTP/1.1", host: "example.org"`;
  },
  mail(ms) {
    const t = syslogDate(ms);
    const pid = 1000 + int(60000);
    const r = rnd();
    const ip = pick(attackers);
    if (r < 0.06) return `${t} ${host} postfix/smtpd[${pid}]: warning: unknown[${ip}]: SASL LOGIN authentication failed: UGFzc3dvcmQ6`;
    if (r < 0.1) return `${t} ${host} postfix/smtpd[${pid}]: NOQUEUE: reject: RCPT from unknown[${ip}]: 554 5.7.1 <spam@example.net>: Relay access denied; from=<a@example.net> to=<spam@example.net> proto=ESMTP helo=<x>`;
    if (r < 0.14) return `${t} ${host} dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<${pick(users)}>, method=PLAIN, rip=${ip}, lip=192.0.2.1, TLS, session=<AbCd${int(1e6)}>`;
    if (r < 0.5) return `${t} ${host} postfix/smtpd[${pid}]: connect from mail.example.com[${pick(good)}]`;
    if (r < 0.8) return `${t} ${host} postfix/qmgr[733]: ${int(1e9).toString(16).toUpperCase()}: from=<list@example.com>, size=${int(90000)}, nrcpt=1 (queue active)`;
    return `${t} ${host} dovecot: imap(deploy)<${pid}><AbCd${int(1e6)}>: Logged out in=${int(900)} out=${int(90000)}`;
  },
};

const make = gen[kind];
if (!make) {
  console.error(`unknown kind ${kind}`);
  process.exit(2);
}
const ws = createWriteStream(out, { highWaterMark: 1 << 20 });
const start = end - span;
const step = span / count;
let buf = [];
for (let i = 0; i < count; i++) {
  buf.push(make(start + i * step));
  if (buf.length === 10000) {
    if (!ws.write(buf.join('\n') + '\n')) await new Promise((r) => ws.once('drain', r));
    buf = [];
  }
}
if (buf.length) ws.write(buf.join('\n') + '\n');
ws.end();
await new Promise((r) => ws.on('finish', r));
// What the table says about an attack log: how many attackers it holds.
if (kind === 'attack') process.stdout.write(JSON.stringify({ addresses: fresh4 + fresh6 - persistent.length + used.size }) + '\n');
