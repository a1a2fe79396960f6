// Expanding a jail's logpath globs into the files to read (fast-glob; fail2ban's wildcards are a subset).
// fast-glob is loaded only for a path with a wildcard: most logpaths are plain, and loading it
// was a sizeable part of an idle cron run.

import { stat, lstat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describeFsError, fileKind } from './describe.ts';

/** Characters without which fast-glob sees no pattern (it then decides for the rest). */
const MAYBE_GLOB = /[*?[\]{}()!+@|\\]/;

async function classify(path: string): Promise<{ file?: { dev: number; ino: number }; warning?: string }> {
  try {
    const st = await stat(path);
    if (st.isFile()) return { file: { dev: st.dev, ino: st.ino } };
    return { warning: `logpath ${path}: is ${fileKind(st)}, not a log file; skipped` };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      // A dangling symlink says more than "no match".
      const isLink = await lstat(path).then((l) => l.isSymbolicLink(), () => false);
      return { warning: `logpath ${path}: ${isLink ? 'is a dangling symlink' : 'matches no file'}` };
    }
    return { warning: `logpath ${path}: ${describeFsError(e)}; skipped` };
  }
}

/**
 * Absolute paths of the regular files the globs match, sorted and deduplicated (also by device and inode,
 * so a symlink and its target are not read, and counted, twice). Anything else is a one-line warning.
 */
export async function expandLogpaths(globs: string[]): Promise<{ files: string[]; warnings: string[] }> {
  const warnings: string[] = [];
  const candidates = new Set<string>();
  for (const glob of globs) {
    const fg = MAYBE_GLOB.test(glob) ? (await import('fast-glob')).default : null;
    if (!fg || !fg.isDynamicPattern(glob)) {
      candidates.add(resolve(glob));
      continue;
    }
    let matched: string[];
    try {
      // Entries of any type: directories and links are classified below, with a warning each.
      matched = await fg(glob, { absolute: true, onlyFiles: false, dot: false, suppressErrors: true, followSymbolicLinks: false });
    } catch (e) {
      warnings.push(`logpath ${glob}: ${describeFsError(e)}`);
      continue;
    }
    if (matched.length === 0) warnings.push(`logpath ${glob}: matches no file`);
    for (const m of matched) candidates.add(resolve(m));
  }
  const files: string[] = [];
  const seen = new Map<string, string>();
  for (const path of [...candidates].sort()) {
    const c = await classify(path);
    if (c.warning) { warnings.push(c.warning); continue; }
    const key = `${c.file!.dev}:${c.file!.ino}`;
    if (seen.has(key)) continue; // same file under another name: read once
    seen.set(key, path);
    files.push(path);
  }
  return { files, warnings };
}
