// Compare an install plan with the disk, then change only what differs: this is what
// makes a second install a no-op and --dry-run an exact preview.

import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PlannedItem } from './plan.ts';

export type ChangeKind =
  | 'mkdir' // directory to create
  | 'chmod' // directory or file whose mode is wrong
  | 'create' // new file
  | 'update' // our file with other content
  | 'unchanged'
  | 'keep' // the admin's file (jail.local): never overwritten
  | 'remove'
  | 'rmdir'
  | 'absent' // uninstall: nothing there
  | 'keep-edited' // uninstall: jail.local was changed by the admin
  | 'keep-nonempty'; // uninstall: a directory with other files in it

export interface Change {
  kind: ChangeKind;
  item: PlannedItem;
  /** keep-nonempty: what else is in the directory. */
  left?: string[];
}

function statOrNull(p: string) {
  try {
    return statSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

const modeOf = (st: { mode: number }) => st.mode & 0o7777;

/** What installing would change, item by item (reads the disk, writes nothing). */
export function diffInstall(items: PlannedItem[]): Change[] {
  return items.map((item): Change => {
    const st = statOrNull(item.path);
    if (item.kind === 'dir') {
      if (!st) return { kind: 'mkdir', item };
      if (!st.isDirectory()) throw new Error(`${item.path}: exists and is not a directory`);
      return { kind: item.enforceMode && modeOf(st) !== item.mode ? 'chmod' : 'unchanged', item };
    }
    if (!st) return { kind: 'create', item };
    if (!st.isFile()) throw new Error(`${item.path}: exists and is not a file`);
    if (item.policy === 'keep') return { kind: 'keep', item };
    if (readFileSync(item.path, 'utf8') !== item.content) return { kind: 'update', item };
    return { kind: modeOf(st) !== item.mode ? 'chmod' : 'unchanged', item };
  });
}

/** What uninstalling would change: our files go, jail.local only if untouched, our directories only if empty. */
export function diffUninstall(items: PlannedItem[]): Change[] {
  const removed = new Set<string>();
  const changes: Change[] = [];
  // Files first, then directories deepest first, so a directory sees what is left in it.
  const ordered = [...items.filter((i) => i.kind === 'file'), ...items.filter((i) => i.kind === 'dir').reverse()];
  for (const item of ordered) {
    const st = statOrNull(item.path);
    if (item.kind === 'file') {
      if (!st) changes.push({ kind: 'absent', item });
      else if (item.policy === 'keep' && readFileSync(item.path, 'utf8') !== item.content) changes.push({ kind: 'keep-edited', item });
      else {
        changes.push({ kind: 'remove', item });
        removed.add(item.path);
      }
      continue;
    }
    if (!item.removeIfEmpty) continue;
    if (!st) {
      changes.push({ kind: 'absent', item });
      continue;
    }
    const left = readdirSync(item.path).filter((n) => !removed.has(`${item.path}/${n}`));
    if (left.length) changes.push({ kind: 'keep-nonempty', item, left });
    else {
      changes.push({ kind: 'rmdir', item });
      removed.add(item.path);
    }
  }
  return changes;
}

function writeAtomic(path: string, content: string, mode: number): void {
  const tmp = `${path}.f2b-scan-tmp`;
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode); // the umask may have taken bits away
  renameSync(tmp, path);
}

/** Carry out the changes (install or uninstall). */
export function applyChanges(changes: Change[]): void {
  for (const { kind, item } of changes) {
    switch (kind) {
      case 'mkdir':
        mkdirSync(dirname(item.path), { recursive: true });
        mkdirSync(item.path, { mode: item.mode });
        chmodSync(item.path, item.mode);
        break;
      case 'chmod':
        chmodSync(item.path, item.mode);
        break;
      case 'create':
      case 'update':
        if (item.kind === 'file') writeAtomic(item.path, item.content, item.mode);
        break;
      case 'remove':
        unlinkSync(item.path);
        break;
      case 'rmdir':
        rmdirSync(item.path);
        break;
      default:
        break;
    }
  }
}

const octal = (m: number) => m.toString(8).padStart(4, '0');

/** One line per change as the admin reads it; with `showContent`, the text of each file to be written. */
export function describeChanges(changes: Change[], opts: { dryRun: boolean; showContent: boolean }): string {
  const would = opts.dryRun ? 'would ' : '';
  const out: string[] = [];
  for (const { kind, item, left } of changes) {
    const p = item.path;
    switch (kind) {
      case 'mkdir':
        out.push(`${would}create directory ${p} (mode ${octal(item.mode)})`);
        break;
      case 'chmod':
        out.push(`${would}set mode ${octal(item.mode)} on ${p}`);
        break;
      case 'create':
      case 'update':
        out.push(`${would}${kind === 'create' ? 'write' : 'rewrite'} ${p} (mode ${octal(item.mode)})`);
        if (opts.showContent && item.kind === 'file') {
          out.push(...item.content.replace(/\n$/, '').split('\n').map((l) => `    ${l}`));
        }
        break;
      case 'unchanged':
        out.push(`unchanged ${p}`);
        break;
      case 'keep':
        out.push(`kept ${p} (exists; never overwritten)`);
        break;
      case 'remove':
        out.push(`${would}remove ${p}`);
        break;
      case 'rmdir':
        out.push(`${would}remove directory ${p}`);
        break;
      case 'absent':
        out.push(`not there: ${p}`);
        break;
      case 'keep-edited':
        out.push(`kept ${p} (edited since install)`);
        break;
      case 'keep-nonempty':
        out.push(`kept ${p} (not empty: ${(left ?? []).join(', ')})`);
        break;
    }
  }
  return out.join('\n') + '\n';
}

/** True when applying would change something on disk. */
export function changesAnything(changes: Change[]): boolean {
  return changes.some((c) => ['mkdir', 'chmod', 'create', 'update', 'remove', 'rmdir'].includes(c.kind));
}
