import { loadFilter, createMatcher } from '../../src/rules/index.ts';
const dir = new URL('../../rules/filter.d', import.meta.url).pathname;
const f = loadFilter({ name: 'sshd', options: { mode: 'aggressive' } }, { searchDirs: [dir] });
for (const n of [8192, 16384, 65536]) {
  for (const body of ['Failed password for ' + 'a '.repeat(n), 'Failed publickey for invalid user ' + ' x'.repeat(n/2) + ' from', 'Disconnecting invalid user ' + ': '.repeat(n/2), 'no matching ' + 'a '.repeat(n/2) + 'x', 'Failed password for x from 198.51.100.7' + ' from 1.2.3.4 port'.repeat(n/20)]) {
    const line = 'Nov 24 10:00:00 host sshd[1]: ' + body.slice(0, n);
    const m = createMatcher(f, { now: Date.parse('2026-11-24T12:00:00Z') / 1000 });
    const t = performance.now(); m.push(line); console.log(n, body.slice(0, 20), (performance.now() - t).toFixed(0), 'ms');
  }
}
