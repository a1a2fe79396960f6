// What the state path may name: a regular file, or nothing yet. A directory, a FIFO or a device is
// refused before anything reads, locks or renames: a FIFO would block the read, and a device read
// as an empty state would be "moved aside" as corrupt and replaced by the next save (`--state
// /dev/null` run as root once renamed the machine's /dev/null).

import { stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { UsageError, withEnvironment } from '../util/errors.ts';

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/** Throws a one-line UsageError (exit 2) when `path` exists and is no regular file, or cannot be one. */
export async function checkStatePath(path: string): Promise<void> {
  let st: Stats;
  try {
    st = await withEnvironment('state', path, () => stat(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new UsageError(`state ${path}: a part of the path is a file, not a directory; give --state a file such as /var/lib/f2b-scan/state.json`);
    throw e;
  }
  if (!st.isFile()) throw new UsageError(`state ${path}: not a regular file (${kindOf(st)}); give --state a file such as /var/lib/f2b-scan/state.json`);
}
