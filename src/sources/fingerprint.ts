// A small fingerprint of a file's first bytes, kept in its cursor. It tells "the same log, appended" from
// "truncated and rewritten" (copytruncate, an inode reused after delete) even when the inode and a large
// enough size look unchanged, and it recognises the rotated copy a copytruncate left behind.

import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/** Bytes of the head that are hashed (fewer while the file is smaller). */
export const HEAD_BYTES = 1024;

export interface Head {
  headBytes: number;
  headHash: string;
}

export async function readHead(fh: FileHandle, bytes: number): Promise<Buffer> {
  const buf = Buffer.alloc(bytes);
  let got = 0;
  while (got < bytes) {
    const { bytesRead } = await fh.read(buf, got, bytes - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

export function hashHead(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex').slice(0, 32);
}

/** The fingerprint of the file as it is now (up to HEAD_BYTES, never beyond `size`). */
export async function fingerprint(fh: FileHandle, size: number): Promise<Head> {
  const buf = await readHead(fh, Math.min(size, HEAD_BYTES));
  return { headBytes: buf.length, headHash: hashHead(buf) };
}

/** Whether the file still starts with the bytes the fingerprint was taken from. */
export async function headMatches(fh: FileHandle, size: number, head: Partial<Head>): Promise<boolean> {
  if (head.headHash === undefined || head.headBytes === undefined) return true; // nothing to compare with
  if (head.headBytes === 0) return true;
  if (size < head.headBytes) return false;
  const buf = await readHead(fh, head.headBytes);
  return buf.length === head.headBytes && hashHead(buf) === head.headHash;
}
