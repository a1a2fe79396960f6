// The shipped rules' annotated sample logs (test/samples/<rule>, fail2ban's failJSON format),
// read once for every test that needs them: the library test (each line reported as
// annotated), the injection property test (client fields of each line replaced) and the
// speed script.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FILTER_DIR = join(ROOT, 'rules', 'filter.d');
export const SAMPLES_DIR = join(ROOT, 'test', 'samples');
/** The zone the samples' failJSON times are written in. */
export const SAMPLE_ZONE = 'Europe/Zurich';
/** Year-less syslog dates resolve against this instant, as in fail2ban's own sample tests. */
export const SAMPLE_NOW = Date.parse('2005-08-14T10:00:00Z') / 1000;

export interface SampleLine {
  line: string;
  match: boolean;
  host?: string;
  time?: string;
  user?: string;
}

/** One set of filter options and the sample lines checked with it, in file order. */
export interface SampleRun {
  options: Record<string, string>;
  /** The options as a stable JSON key. */
  key: string;
  lines: SampleLine[];
}

/** Names of the shipped rules (every filter.d/*.conf but the common-* includes). */
export function shippedRules(): string[] {
  return readdirSync(FILTER_DIR)
    .filter((f) => f.endsWith('.conf') && !f.startsWith('common-'))
    .map((f) => f.slice(0, -5))
    .sort();
}

const JSON_RE = /^#+ ?(failJSON|fileOptions|filterOptions|addFILE):(.+)$/;

/** A sample's lines grouped by the filter options they are checked with (the file order kept). */
export function readSample(name: string, dir = SAMPLES_DIR): SampleRun[] {
  const runs = new Map<string, SampleRun>();
  let common: Record<string, string> = {};
  let sets: Record<string, string>[] = [{}];
  let skip = false;
  let pending: Record<string, unknown> | null = null;
  for (const raw of readFileSync(join(dir, name), 'utf8').split('\n')) {
    const line = raw.replace(/\r$/, '');
    const m = JSON_RE.exec(line);
    if (m) {
      const data = JSON.parse(m[2]!);
      if (m[1] === 'fileOptions') common = data;
      else if (m[1] === 'filterOptions') {
        const list = (Array.isArray(data) ? data : [data]).map((d: Record<string, string>) => ({ ...common, ...d }));
        sets = list.filter((o) => !o['test.condition'] || o['test.condition'].includes(`'${name}'`));
        skip = sets.length === 0;
      } else if (m[1] === 'failJSON') pending = data;
      continue;
    }
    if (pending === null && (line.startsWith('#') || line.trim() === '')) continue;
    const fd = pending ?? {};
    pending = null;
    if (skip) continue;
    for (const o of sets) {
      const options = Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('test.')));
      const key = JSON.stringify(options, Object.keys(options).sort());
      let run = runs.get(key);
      if (!run) runs.set(key, (run = { options, key, lines: [] }));
      run.lines.push({ line, match: fd.match === true, host: fd.host as string | undefined, time: fd.time as string | undefined, user: fd.user as string | undefined });
    }
  }
  return [...runs.values()];
}

/** Hosts compare as addresses when both are (IPv6 written any way, v4-mapped = v4). */
export function normHost(h: string): string {
  let x = h.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (x.startsWith('::ffff:') && /^[\d.]+$/.test(x.slice(7))) x = x.slice(7);
  if (x.includes(':')) {
    try {
      return new URL(`http://[${x}]/`).hostname.replace(/^\[|\]$/g, '');
    } catch {
      return x;
    }
  }
  return x;
}

const zurichParts = new Intl.DateTimeFormat('en-US', {
  timeZone: SAMPLE_ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

/** Seconds the sample zone is ahead of UTC at an instant. */
export function zurichOffset(epoch: number): number {
  const p = Object.fromEntries(zurichParts.formatToParts(new Date(epoch * 1000)).map((x) => [x.type, x.value]));
  return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!) / 1000 - Math.floor(epoch);
}

/** Epoch seconds of a local Europe/Zurich wall-clock time "YYYY-MM-DDTHH:MM:SS". */
export function zurichEpoch(local: string): number {
  const [d, t] = local.split('T');
  const [y, mo, da] = d!.split('-').map(Number);
  const [h, mi, s] = t!.split(':').map((x) => Math.floor(Number(x)));
  const wall = Date.UTC(y!, mo! - 1, da!, h!, mi!, s!) / 1000;
  return wall - zurichOffset(wall - zurichOffset(wall));
}
