// One-line descriptions of file problems, for warnings that name the file and say what is wrong.

import type { Stats } from 'node:fs';

export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT': return 'does not exist (vanished?)';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'ELOOP': return 'symlink loop';
    case 'EISDIR': return 'is a directory';
    case 'ENOTDIR': return 'a parent of it is not a directory';
    case 'EIO': return 'I/O error';
    default: return err?.message ? String(err.message).split('\n')[0]! : String(e);
  }
}

export function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSymbolicLink()) return 'a symlink';
  return 'not a regular file';
}
