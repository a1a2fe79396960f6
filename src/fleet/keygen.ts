// `f2b-scan fleet keygen --host NAME --out FILE`: this host's private key, written once
// (never over an existing file: that would silently revoke the host), readable by its
// owner only; the line for the others' trust files comes back to be printed.

import { openSync, writeSync, closeSync } from 'node:fs';
import { UsageError } from '../util/errors.ts';
import { generateHostKey, HOST_NAME } from './keys.ts';

export function writeHostKey(host: string, out: string): string {
  if (!HOST_NAME.test(host)) throw new UsageError(`fleet keygen: --host ${JSON.stringify(host)} is not a host name (no spaces)`);
  const { privatePem, trustLine } = generateHostKey(host);
  let fd: number;
  try {
    fd = openSync(out, 'wx', 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`fleet keygen: ${out} exists; remove it first (its public key then leaves every trust file too)`);
    throw new UsageError(`fleet keygen: cannot write ${out}: ${code ?? (e as Error).message}`);
  }
  try {
    writeSync(fd, privatePem);
  } finally {
    closeSync(fd);
  }
  return trustLine;
}
