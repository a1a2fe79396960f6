// Finding the file a log was rotated to, so the lines written to it after our last run are not lost.
// logrotate's usual names all start with the log's own name: auth.log.1, auth.log.0, auth.log-20240101.
// Compressed copies are skipped: by the time they exist the tail we need is behind a codec we do not read.

import { readdir, realpath, stat, open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { FileCursor } from '../state/schema.ts';
import { headMatches } from './fingerprint.ts';

const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|lzma|z|zip|br)$/i;

export function isRotatedName(base: string, name: string): boolean {
  return name !== base && name.startsWith(base) && !COMPRESSED.test(name);
}

/** Most likely first: .1 and .0 (the previous generation), then date-stamped names, newest name first. */
function rank(base: string, name: string): number {
  if (name === `${base}.1`) return 0;
  if (name === `${base}.0`) return 1;
  return 2;
}

/** Sibling files of `path` with rotated names, in the directory of the path and of its symlink target. */
export async function rotatedSiblings(path: string): Promise<string[]> {
  const places = new Set<string>([path]);
  try { places.add(await realpath(path)); } catch { /* gone: the given path's directory still counts */ }
  const out: string[] = [];
  for (const p of places) {
    const dir = dirname(p);
    const base = basename(p);
    let names: string[];
    try { names = await readdir(dir); } catch { continue; }
    names = names.filter((n) => isRotatedName(base, n));
    names.sort((a, b) => rank(base, a) - rank(base, b) || (a < b ? 1 : a > b ? -1 : 0));
    for (const n of names) out.push(join(dir, n));
  }
  return [...new Set(out)];
}

/** The rotated file with the cursor's device and inode (rename-and-create), if it is still around. */
export async function findByInode(path: string, cursor: FileCursor): Promise<string | undefined> {
  for (const candidate of await rotatedSiblings(path)) {
    try {
      const st = await stat(candidate);
      if (st.isFile() && st.dev === cursor.dev && st.ino === cursor.ino) return candidate;
    } catch { /* vanished while we looked: not it */ }
  }
  return undefined;
}

/**
 * The copy a copytruncate left (a different inode whose first bytes are the ones the cursor remembers
 * and which is at least as long as what we had read). Needs the cursor's head fingerprint.
 */
export async function findCopy(path: string, cursor: FileCursor, currentIno: number): Promise<string | undefined> {
  if (!cursor.headHash || !cursor.headBytes) return undefined;
  for (const candidate of await rotatedSiblings(path)) {
    try {
      const st = await stat(candidate);
      if (!st.isFile() || st.ino === currentIno || st.size < cursor.offset) continue;
      const fh = await open(candidate, 'r');
      try {
        if (await headMatches(fh, st.size, cursor)) return candidate;
      } finally {
        await fh.close();
      }
    } catch { /* unreadable or vanished: not usable */ }
  }
  return undefined;
}
