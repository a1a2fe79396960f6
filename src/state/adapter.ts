// lowdb adapter that writes the state file atomically: temp file in the same directory, fsync, rename,
// fsync of the directory. A crash at any point leaves either the old file or the new one, never half of one.

import { mkdir, open, readFile, rename, unlink, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';
import { jsonChunks } from './json-chunks.ts';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Temp files are `.<name>.<pid>.<random>.tmp` so leftovers of killed writers can be recognised. */
const TMP = /^\.(.+)\.(\d+)\.[0-9a-z]+\.tmp$/;

/** Remove temp files left by writers that were killed mid-write (their pid is gone). */
async function removeLeftovers(dir: string, base: string): Promise<void> {
  let names: string[];
  try { names = await readdir(dir); } catch { return; }
  for (const n of names) {
    const m = TMP.exec(n);
    if (m && m[1] === base && !pidAlive(Number(m[2]))) await unlink(join(dir, n)).catch(() => {});
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try { await fh.sync(); } finally { await fh.close(); }
}

/** Pieces are gathered up to this size before each write. */
const WRITE_BYTES = 1 << 20;

/**
 * Write `text` (or its pieces, in order) to `path` atomically with mode 0600, creating the
 * directory (0700) when missing.
 */
export async function writeFileAtomic(path: string, text: string | Iterable<string>): Promise<void> {
  const dir = dirname(path);
  const base = basename(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await removeLeftovers(dir, base);
  const tmp = join(dir, `.${base}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    try {
      await fh.chmod(0o600); // whatever the umask
      if (typeof text === 'string') await fh.writeFile(text, 'utf8');
      else {
        let buf = '';
        for (const piece of text) {
          buf += piece;
          if (buf.length < WRITE_BYTES) continue;
          await fh.writeFile(buf, 'utf8');
          buf = '';
        }
        if (buf !== '') await fh.writeFile(buf, 'utf8');
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await fsyncDir(dir);
}

/**
 * A JSON file as lowdb storage: `parse` turns the text into the data (and may throw on bad
 * content), `pieces` the data into its JSON text, in pieces.
 */
export class AtomicJsonFile<T> implements Adapter<T> {
  constructor(
    private readonly path: string,
    private readonly parse: (text: string) => T,
    private readonly pieces: (data: T) => Iterable<string> = jsonChunks,
  ) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    return this.parse(text);
  }

  async write(data: T): Promise<void> {
    // In pieces: a large state is never one string (json-chunks.ts).
    await writeFileAtomic(this.path, this.pieces(data));
  }
}
