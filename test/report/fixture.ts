// A fixed analysis input: two jails, one attacker over maxretry, one under, one quiet jail.
import type { Failure } from '../../src/types.ts';
import { analyze, type ReportJailInput } from '../../src/report/analysis.ts';

const T0 = Date.parse('2026-11-24T09:00:00Z') / 1000;
const fail = (jail: string, ip: string, dt: number, line: string): Failure => ({ jail, ip, time: T0 + dt, line, source: '/var/log/auth.log' });

export const NOW = T0 + 7200;

export function fixtureInputs(): ReportJailInput[] {
  const sshd: Failure[] = [];
  for (let i = 0; i < 6; i++) sshd.push(fail('sshd', '192.0.2.10', i * 30, `Failed password for root from 192.0.2.10 port ${4000 + i} ssh2`));
  for (let i = 0; i < 3; i++) sshd.push(fail('sshd', '198.51.100.23', 600 + i * 60, `Failed password for alice | <b>x</b> from 198.51.100.23 port ${5000 + i} ssh2`));
  for (let i = 0; i < 5; i++) sshd.push(fail('sshd', '2001:db8::bad', 3600 + i * 10, `Invalid user u${i} from 2001:db8::bad port 22`));
  return [
    { name: 'sshd', filter: 'sshd', maxretry: 5, findtime: 600, files: [{ path: '/var/log/auth.log', lines: 40 }], failures: sshd },
    { name: 'nginx-http-auth', filter: 'nginx-http-auth', maxretry: 5, findtime: 600, files: [{ path: '/var/log/nginx/error.log', lines: 7 }], failures: [] },
  ];
}

export function fixtureAnalysis() {
  return analyze(fixtureInputs(), { now: NOW });
}
