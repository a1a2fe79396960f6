// Shared by the sources tests: a temp directory per test and a reader that collects lines.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { readNewLines, type ReadOptions, type ReadResult } from '../../src/sources/files.ts';
import type { FileCursor } from '../../src/state/schema.ts';

export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-sources-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function read(path: string, cursor?: FileCursor, opts?: ReadOptions): Promise<ReadResult & { lines: string[] }> {
  const lines: string[] = [];
  const r = await readNewLines(path, cursor, (l) => lines.push(l), opts);
  return { ...r, lines };
}
