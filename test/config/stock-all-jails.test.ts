// Every jail of Debian's /etc/fail2ban/jail.conf enabled at once, each reading its stock log path
// moved under a temporary root, the logs being fail2ban's own sample logs for its filter (Debian's
// package ships them with its tests). All 91 load and run in one f2b-scan run — the six whose
// filters hold an exponential loop (apache-modsecurity, assp, domino-smtp, exim, dovecot,
// grafana) among them — no jail is skipped or refused, and each reads its lines.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import { f2b, REPO } from '../run/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const STOCK = '/etc/fail2ban';
const SAMPLES = '/usr/lib/python3/dist-packages/fail2ban/tests/files/logs';
const skip = !existsSync(join(STOCK, 'jail.conf'))
  ? "Debian's fail2ban is not installed (no /etc/fail2ban/jail.conf)"
  : !existsSync(SAMPLES)
    ? `no fail2ban sample logs at ${SAMPLES} (Debian's fail2ban package ships them)`
    : !existsSync(join(REPO, 'dist', 'cli.js'))
      ? 'dist/cli.js is missing: run `npm run build` first'
      : false;
const SIX = ['apache-modsecurity', 'assp', 'domino-smtp', 'exim', 'dovecot', 'grafana'];

/** A concrete file a glob matches: `*` and `?` a letter, a class `[0-9]` its first character. */
const concrete = (glob: string) => glob.replace(/\[([^\]]*)\]|[*?]/g, (_, cls?: string) => (cls ? cls[0]! : 'x'));

test("all 91 jails of Debian's jail.conf, enabled together over their stock paths in a temporary root, load and run", { skip }, (t) => {
  const dir = tempDir('f2b-all-jails-');
  const conf = join(dir, 'fail2ban');
  const root = join(dir, 'root');
  cpSync(STOCK, conf, { recursive: true });
  const stock = loadConfig({ configDir: conf, builtinDir: join(REPO, 'rules') });
  const jails = stock.jails.filter((j) => j.source.file.endsWith('jail.conf'));
  assert.equal(jails.length, 91, jails.map((j) => j.name).join(' '));
  assert.ok(SIX.every((n) => jails.some((j) => j.name === n)));

  // Each jail's log: its stock path under the root, holding fail2ban's samples for its filter.
  const logs = new Map<string, string[]>();
  let local = '[DEFAULT]\n# The samples span years: count them all.\nfindtime = 1300w\n\n';
  for (const j of jails) {
    const globs = j.logpath.map((p) => join(root, p));
    local += `[${j.name}]\nenabled = true\nbackend = auto\nlogpath = ${globs.join('\n          ')}\n\n`;
    const sample = join(SAMPLES, j.filter.name);
    const text = existsSync(sample) ? readFileSync(sample, 'latin1') : `no sample for ${j.filter.name}\n`;
    const file = concrete(globs[0]!);
    logs.set(file, [...(logs.get(file) ?? []), text]);
  }
  for (const [file, texts] of logs) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, Buffer.from(texts.join('\n'), 'latin1'));
  }
  writeFileSync(join(conf, 'jail.d', 'zz-all-jails.local'), local.replaceAll('%', '%%'));

  const r = f2b(['--config', conf, '--state', join(dir, 'state.json'), '--now', '2026-11-24T10:05:00Z', '--dry-run', '--json']);
  assert.ok(r.code === 0 || r.code === 5, `exit ${r.code}: ${r.stderr.slice(0, 3000)}`);
  const summary = JSON.parse(r.stdout) as { files: { jail: string; linesRead: number }[]; failures: Record<string, number>; errors: string[]; bans: { jail: string }[] };
  assert.deepEqual(summary.errors, []);
  assert.doesNotMatch(r.stderr, /refused|skipped|unknown filter/);
  const read = new Map<string, number>();
  for (const f of summary.files) read.set(f.jail, (read.get(f.jail) ?? 0) + f.linesRead);
  const silent = jails.filter((j) => !(read.get(j.name)! > 0)).map((j) => j.name);
  assert.deepEqual(silent, [], 'every jail read its log');
  // The six ban from their samples like the rest.
  for (const n of SIX) assert.ok(summary.failures[n]! > 0, `${n}: ${summary.failures[n]} failures`);
  const failing = jails.filter((j) => summary.failures[j.name]! > 0).length;
  t.diagnostic(`${failing} of 91 jails found failures in fail2ban's samples; ${summary.bans.length} bans`);
});
