// Temporary configuration trees for the config tests.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';

/** Write `files` (relative path -> text) under a fresh temp dir, removed after the test. */
export function tree(t: TestContext, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'f2b-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

/** A minimal shipped rules/ directory: DEFAULT values and an sshd jail, like ours. */
export const BUILTIN = {
  'jail.conf': [
    '[DEFAULT]',
    'enabled = false',
    'maxretry = 5',
    'findtime = 10m',
    'bantime = 10m',
    'port = 0:65535',
    'protocol = tcp',
    'chain = <known/chain>',
    'banaction = iptables-multiport',
    'action_ = %(banaction)s[port="%(port)s", protocol="%(protocol)s", chain="%(chain)s"]',
    'action = %(action_)s',
    'filter = %(__name__)s',
    '',
    '[sshd]',
    'enabled = true',
    'port = ssh',
    'logpath = /var/log/auth.log',
    '',
  ].join('\n'),
  'filter.d/sshd.conf': '[Definition]\nfailregex = ^x <HOST>$\n',
};
