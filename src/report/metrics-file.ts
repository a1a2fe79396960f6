// Writing the metrics file (`--metrics-file PATH`, or `metrics_file` in [Definition] of
// f2b-scan.conf/.local): atomically, as node_exporter's textfile collector needs (a reader
// never sees half a file): a temporary file in the same directory, then a rename.

import { chmodSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { IniStore } from '../config/store.ts';
import { formatMetrics, type MetricsInput } from './metrics.ts';

/** The metrics file a run writes: the command line's, else [Definition] metrics_file (relative: to the configuration directory). */
export function metricsPath(flag: string | undefined, main: IniStore | null, configDir: string): string | null {
  if (flag) return resolve(flag);
  const set = main?.get('Definition', 'metrics_file')?.trim();
  if (!set) return null;
  return isAbsolute(set) ? set : resolve(configDir, set);
}

/** Write the run's metrics to `path`; returns a one-line warning when it cannot be written. */
export function writeMetricsFile(path: string, m: MetricsInput): string | null {
  let previous = '';
  if (!m.summary) {
    try {
      previous = readFileSync(path, 'utf8');
    } catch {
      /* no file yet */
    }
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, formatMetrics(m, previous), { mode: 0o644 });
    chmodSync(tmp, 0o644); // readable by node_exporter's user whatever the umask
    renameSync(tmp, path);
    return null;
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* never written */
    }
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    return `metrics file ${path}: cannot be written (${code}); its directory must exist and be writable`;
  }
}
