// The floor (bench/floor-stages.mjs, rows-floor.mjs) says how far a peer target can be reached at
// all: each stage must do the part of a scan it names, on the lines a scan would give it, and a
// missed target must show the ceiling beside its miss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: a plain .mjs script of the bench, without types
import { formatTable, targetsOf } from '../../bench/table.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = join(ROOT, 'bench', 'floor-stages.mjs');

const LOG = [
  'Nov 23 12:00:01 srv1 sshd[101]: Failed password for root from 192.0.2.10 port 50000 ssh2',
  'Nov 23 12:00:02 srv1 sshd[102]: Invalid user admin from 198.51.100.7 port 50001',
  'Nov 23 12:00:03 srv1 sshd[103]: Connection closed by authenticating user root 203.0.113.5 port 50002 [preauth]',
  // A word of the rule on another program's line: passes the word test, no failregex matches.
  'Nov 23 12:00:04 srv1 CRON[104]: Failed to open session for user root',
  'Nov 23 12:00:05 srv1 systemd-logind[612]: New session 57694 of user deploy.',
  'Nov 23 12:00:06 srv1 CRON[105]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)',
].join('\n') + '\n';

function stage(file: string, name: string) {
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', SCRIPT, file, name], { cwd: ROOT, encoding: 'utf8' }));
}

test('each floor stage does its part of the sshd rule on the lines a scan reads, and no more', () => {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-floor-'));
  try {
    const file = join(dir, 'auth.log');
    writeFileSync(file, LOG);
    const read = stage(file, 'read');
    assert.deepEqual([read.lines, read.passed], [6, 0], 'read: every line, nothing tested');
    const pre = stage(file, 'prefilter');
    assert.deepEqual([pre.lines, pre.passed, pre.dated], [6, 4, 0], 'the word test passes the three sshd lines and the CRON line naming "Failed"');
    const date = stage(file, 'date');
    assert.deepEqual([date.passed, date.dated, date.content], [4, 4, 0]);
    const pref = stage(file, 'prefregex');
    // sshd's prefix may be empty (a journal's lines have none): its prefregex takes all four.
    assert.deepEqual([pref.passed, pref.dated, pref.content], [4, 4, 4]);
    const matcher = stage(file, 'matcher');
    assert.deepEqual([matcher.lines, matcher.failures], [6, 2], 'the matcher, not a floor, finds the two failures (in mode normal, a closed connection is none)');
    for (const r of [read, pre, date, pref, matcher]) assert.ok(Number.isFinite(r.cpuMs) && r.cpuMs >= 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('floor-stages.mjs refuses an unknown stage with its usage line and exit 2', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, '/dev/null', 'failregex'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /usage: .*floor-stages\.mjs LOG read\|prefilter\|date\|prefregex\|matcher/);
});

test('a missed peer target shows what the floor of the same run allows; a met one does not', () => {
  const rows = [
    { id: 'mixed-dry', name: 'f2b-scan', cpuMs: 2000, wallMs: 2000, lines: 1000 },
    { id: 'sshg-parser', name: 'sshg-parser', cpuMs: 2000, wallMs: 2000, lines: 1000 },
  ];
  const report: Record<string, unknown> & { targets?: { what: string; ceiling?: number }[] } = {
    measured: 'test', date: '2026-12-03T00:00:00Z', runs: 1, minutes: 0, minutesPerGroup: {}, notes: [], rows,
    machine: { cpus: 2, model: 'test', node: process.version, loadavgAtStart: [0], loadavg: [0] },
    ratios: [
      { id: 'mixed-vs-sshg', what: 'mixed', cpu: 1, wall: 1 },
      { id: 'ceiling-vs-sshg', what: 'ceiling', cpu: 1.6, wall: NaN },
      { id: 'mixed-vs-grep', what: 'grep', cpu: 1.5, wall: 1.5 },
    ],
  };
  report.targets = targetsOf(report);
  const sshg = report.targets!.find((t) => t.what.startsWith('mixed log vs sshg-parser'));
  assert.equal(sshg?.ceiling, 1.6);
  const table: string = formatTable(report);
  assert.match(table, /mixed log vs sshg-parser \(CPU\).*NO \(2\.5x short; the floor allows 1\.60x\)/);
  assert.match(table, /mixed log: f2b-scan \/ grep -cE \(CPU\).*yes/);
});
