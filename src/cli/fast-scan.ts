// The plain scan command line without yargs: `[scan] [--config D] [--state F] [--now T]
// [--metrics-file M] [--dry-run] [--json] [--jail J]... [--quiet | -q | --verbose | -v]`, each flag as
// `--flag value` or `--flag=value`. Anything else returns null and yargs reads the line, so
// help, errors and every other form behave exactly as yargs makes them.

import { DEFAULT_CONFIG_DIR, DEFAULT_STATE_FILE } from '../util/paths.ts';
import type { ScanArgs } from './scan.ts';

const VALUE = new Set(['config', 'state', 'now', 'jail', 'metrics-file']);
const FLAG: Record<string, 'dry-run' | 'json' | 'quiet' | 'verbose'> = {
  '--dry-run': 'dry-run', '--json': 'json', '--quiet': 'quiet', '-q': 'quiet', '--verbose': 'verbose', '-v': 'verbose',
};

export function fastScanArgs(argv: readonly string[]): ScanArgs | null {
  const out: ScanArgs = { config: DEFAULT_CONFIG_DIR, state: DEFAULT_STATE_FILE, 'dry-run': false, json: false };
  const seen = new Set<string>();
  let i = argv[0] === 'scan' ? 1 : 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    const flag = FLAG[a];
    if (flag) {
      if (seen.has(flag)) return null;
      seen.add(flag);
      out[flag] = true;
      continue;
    }
    if (!a.startsWith('--')) return null;
    const eq = a.indexOf('=');
    const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
    if (!VALUE.has(name)) return null;
    let value: string | undefined;
    if (eq !== -1) value = a.slice(eq + 1);
    else {
      value = argv[++i];
      // yargs reads `--jail a b` as two jails: such lines are left to it.
      if (name === 'jail' && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-')) return null;
    }
    if (value === undefined || value === '' || value.startsWith('-')) return null;
    if (name === 'jail') (out.jail ??= []).push(value);
    else {
      // yargs turns a repeated string option into an array: leave that to it.
      if (seen.has(name)) return null;
      seen.add(name);
      if (name === 'now') out.now = value;
      else out[name as 'config' | 'state' | 'metrics-file'] = value;
    }
  }
  if (out.quiet && out.verbose) return null; // yargs reports the conflict
  return out;
}

/** How runScanCommand runs a line fastScanArgs read: a --config given on it must exist (yargs checks it for every other line). */
export function fastScanOptions(argv: readonly string[]): { checkConfig: boolean } {
  return { checkConfig: argv.some((a) => a === '--config' || a.startsWith('--config=')) };
}
