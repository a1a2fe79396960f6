// Which configuration files the user did not write: our own shipped rules, and files of the
// installed fail2ban package still exactly as it shipped them (dpkg records each conffile's
// MD5 in its status file). A copy of /etc/fail2ban elsewhere counts too: a file is compared
// with the package's file of the same path relative to the configuration directory.
// check-config reports findings in such files as notes: there is nothing for the user to fix.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';

const PACKAGE_DIR = '/etc/fail2ban';

/** fail2ban's conffiles (path relative to /etc/fail2ban -> MD5), from dpkg's status file. */
export function fail2banConffiles(statusFile = '/var/lib/dpkg/status'): Map<string, string> {
  const out = new Map<string, string>();
  let text: string;
  try {
    text = readFileSync(statusFile, 'utf8');
  } catch {
    return out; // not a dpkg system
  }
  for (const stanza of text.split('\n\n')) {
    if (!/^Package: fail2ban$/m.test(stanza)) continue;
    const block = /^Conffiles:\n((?: .*\n?)*)/m.exec(stanza)?.[1] ?? '';
    for (const line of block.split('\n')) {
      const m = /^ (\/\S+) ([0-9a-f]{32})/.exec(line);
      if (m && m[1]!.startsWith(`${PACKAGE_DIR}/`)) out.set(m[1]!.slice(PACKAGE_DIR.length + 1), m[2]!);
    }
  }
  return out;
}

function within(dir: string, file: string): string | null {
  const rel = relative(dir, file);
  return rel && !rel.startsWith('..') && !rel.startsWith(sep) ? rel.split(sep).join('/') : null;
}

/** A predicate: was `file` shipped as it is (by us, or by Debian's fail2ban package)? */
export function stockFiles(opts: { builtinDir: string; configDir: string; statusFile?: string }): (file: string) => boolean {
  const conffiles = fail2banConffiles(opts.statusFile);
  const memo = new Map<string, boolean>();
  return (file: string) => {
    let v = memo.get(file);
    if (v !== undefined) return v;
    v = false;
    if (within(opts.builtinDir, file) !== null) v = true;
    else {
      const rel = within(opts.configDir, file) ?? within(PACKAGE_DIR, file);
      const want = rel === null ? undefined : conffiles.get(rel);
      if (want !== undefined) {
        try {
          v = createHash('md5').update(readFileSync(file)).digest('hex') === want;
        } catch {
          v = false;
        }
      }
    }
    memo.set(file, v);
    return v;
  };
}

/** stockFiles, built on its first question: a run whose logs are all there never reads dpkg's status. */
export function lazyStockFiles(builtinDir: string, configDir: string): (file: string) => boolean {
  let isStock: ((file: string) => boolean) | undefined;
  return (file) => (isStock ??= stockFiles({ builtinDir, configDir }))(file);
}
