import { test } from 'node:test';
import assert from 'node:assert/strict';
import yargs from 'yargs';
import { fastScanArgs } from '../../src/cli/fast-scan.ts';
import { globalOptions } from '../../src/cli/common.ts';
import { DEFAULT_CONFIG_DIR } from '../../src/util/paths.ts';
import { scanCommand, type ScanArgs } from '../../src/cli/scan.ts';

// What yargs makes of a scan command line (the handler is not run).
function viaYargs(argv: string[]): Partial<ScanArgs> {
  const y = yargs(argv).options(globalOptions).command({ ...scanCommand, handler: () => {} } as never).strict().exitProcess(false).fail(false);
  const a = y.parseSync() as unknown as ScanArgs;
  // yargs-main's middleware gives --config its default (the option has none: see common.ts).
  return { config: a.config ?? DEFAULT_CONFIG_DIR, state: a.state, now: a.now, 'dry-run': a['dry-run'], json: a.json, jail: a.jail, quiet: a.quiet, verbose: a.verbose, 'metrics-file': a['metrics-file'] };
}

test('the cron command lines are read without yargs exactly as yargs reads them', () => {
  const lines = [
    [],
    ['scan'],
    ['--dry-run'],
    ['--config', '/etc/fail2ban', '--dry-run', '--json'],
    ['scan', '--config=/etc/fail2ban', '--state=/tmp/s.json', '--now', '2026-11-24T10:05:00Z', '-q'],
    ['--jail', 'sshd', '--jail', 'nginx-http-auth', '--verbose'],
    ['--jail=sshd', '-v', '--state', '/var/lib/f2b-scan/state.json'],
    ['--metrics-file', '/var/lib/node-exporter/f2b-scan.prom', '-q'],
  ];
  for (const argv of lines) {
    const fast = fastScanArgs(argv);
    assert.ok(fast, `fast path for ${argv.join(' ')}`);
    const strip = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
    assert.deepEqual(strip(fast), strip(viaYargs(argv)), argv.join(' '));
  }
});

test('help, other commands, typos and unusual flag forms are left to yargs', () => {
  for (const argv of [
    ['--help'], ['-h'], ['--version'], ['status'], ['scna'], ['--dryrun'], ['--no-dry-run'], ['--dry-run=false'],
    ['--jail', 'sshd', 'nginx'], ['--quiet', '--verbose'], ['--config'], ['--config', '--dry-run'], ['--state', 'a', '--state', 'b'],
    ['-qv'], ['--dry-run', '--dry-run'], ['scan', 'extra'],
  ]) {
    assert.equal(fastScanArgs(argv), null, argv.join(' '));
  }
});
