// Generated sshd logs of many interleaved connections (seeded: the same log for the same seed),
// for the multi-line (F-MLFID) differential tests against fail2ban.

import { mulberry32 } from './random.ts';

export const T0 = Date.parse('2026-12-01T10:00:00Z') / 1000;

/** rsyslog's default format on Debian 12 (dates with a zone: no year or zone to guess). */
export const line = (t: number, pid: number, msg: string) => `${new Date(t * 1000).toISOString().replace('Z', '+00:00')} srv1 sshd[${pid}]: ${msg}`;

/** Many interleaved connections: pids from a small pool (reused), every kind of sshd line the rule knows. */
export function sessions(seed: number, count: number): string[] {
  const r = mulberry32(seed);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]!;
  const users = ['root', 'admin', 'deploy', 'pi', 'oracle', 'git'];
  const ip = () => (r() < 0.6 ? `198.51.100.${1 + Math.floor(r() * 40)}` : `2001:db8::${(1 + Math.floor(r() * 40)).toString(16)}`);
  const steps: ((a: string, u: string, p: number) => string)[] = [
    (a, _u, p) => `Connection from ${a} port ${p} on 203.0.113.1 port 22 rdomain ""`,
    (a, u, p) => `Invalid user ${u} from ${a} port ${p}`,
    (a, u, p) => `Failed password for invalid user ${u} from ${a} port ${p} ssh2`,
    (a, u, p) => `Failed password for ${u} from ${a} port ${p} ssh2`,
    (a, u, p) => `Failed publickey for ${u} from ${a} port ${p} ssh2: RSA SHA256:xyz`,
    (a, u) => `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${a}  user=${u}`,
    (a, u) => `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser=${u} rhost=${a}`,
    (a, u, p) => `maximum authentication attempts exceeded for ${u} from ${a} port ${p} ssh2 [preauth]`,
    (_a, u) => `Disconnecting: Too many authentication failures for ${u} [preauth]`,
    (a, u, p) => `Accepted password for ${u} from ${a} port ${p} ssh2`,
    (a, u, p) => `Connection closed by authenticating user ${u} ${a} port ${p} [preauth]`,
    (a, u, p) => `Disconnected from invalid user ${u} ${a} port ${p} [preauth]`,
    (a, _u, p) => `Received disconnect from ${a} port ${p}:11: Bye Bye [preauth]`,
    (a, _u, p) => `Connection reset by ${a} port ${p}`,
  ];
  const open: { pid: number; ip: string; user: string; port: number; left: number }[] = [];
  const out: string[] = [];
  let t = T0;
  for (let n = 0; n < count; n++) {
    t += r() * 4;
    if (open.length < 150 && (open.length === 0 || r() < 0.35)) {
      open.push({ pid: 1000 + Math.floor(r() * 260), ip: ip(), user: pick(users), port: 30000 + Math.floor(r() * 30000), left: 1 + Math.floor(r() * 6) });
    }
    const i = Math.floor(r() * open.length);
    const c = open[i]!;
    // Some connections try a second user name.
    if (r() < 0.1) c.user = pick(users);
    out.push(line(Math.floor(t), c.pid, pick(steps)(c.ip, c.user, c.port)));
    if (--c.left === 0) open.splice(i, 1);
  }
  return out;
}

