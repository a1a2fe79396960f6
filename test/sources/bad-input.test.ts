import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync, chmodSync, unlinkSync, symlinkSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { read, tempDir } from './helpers.ts';
import { readNewLines } from '../../src/sources/files.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

test('a line over 64 KiB is cut to 64 KiB, counted in a warning, and the next line is intact', async (t) => {
  const log = join(tempDir(t), 'access.log');
  writeFileSync(log, `short\n${'x'.repeat(70_000)}\nafter\n`);
  const r = await read(log);
  assert.equal(r.lines.length, 3);
  assert.equal(r.lines[1]!.length, 65536);
  assert.equal(r.lines[2], 'after');
  assert.deepEqual(r.warnings, [`${log}: 1 line(s) longer than 65536 bytes were cut`]);
});

test('a 5 MB line spanning many read chunks is cut, and the file is still fully consumed', async (t) => {
  const log = join(tempDir(t), 'huge.log');
  writeFileSync(log, `first\n${'é'.repeat(2_500_000)}\nlast\n`);
  const r = await read(log, undefined, { maxLineBytes: 1000 });
  assert.equal(r.lines.length, 3);
  assert.equal(Buffer.byteLength(r.lines[1]!), 1000);
  assert.equal(r.lines[1], 'é'.repeat(500));
  assert.equal(r.lines[2], 'last');
  assert.equal(r.cursor.offset, 6 + 5_000_001 + 5);
  assert.match(r.warnings.join('\n'), /1 line\(s\) longer than 1000 bytes were cut/);
});

test('invalid UTF-8 and NUL bytes do not stop the run: bad bytes become U+FFFD, one warning each', async (t) => {
  const log = join(tempDir(t), 'auth.log');
  writeFileSync(log, Buffer.concat([
    Buffer.from('ok 1\nbad \xff\xfe here\n', 'latin1'),
    Buffer.from('nul \0 inside\nok 2\nbad again \xc3\n', 'latin1'),
  ]));
  const r = await read(log);
  assert.deepEqual(r.lines, ['ok 1', 'bad \uFFFD\uFFFD here', 'nul \0 inside', 'ok 2', 'bad again \uFFFD']);
  assert.equal(r.warnings.length, 2);
  assert.match(r.warnings.join('\n'), /contains NUL bytes/);
  assert.match(r.warnings.join('\n'), /contains invalid UTF-8/);
});

test('a binary file is read as text with a warning, and its cursor still moves on', async (t) => {
  const log = join(tempDir(t), 'wtmp');
  const bytes = Buffer.alloc(300_000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
  bytes[bytes.length - 1] = 0x0a;
  writeFileSync(log, bytes);
  const r = await read(log);
  assert.ok(r.linesRead > 0);
  assert.equal(r.cursor.offset, bytes.length);
  assert.ok(r.warnings.some((w) => w.includes('NUL bytes')));
});

test('a log that vanished is a warning, and its cursor is kept for when it comes back', async (t) => {
  const log = join(tempDir(t), 'auth.log');
  writeFileSync(log, 'a\n');
  const first = await read(log);
  unlinkSync(log);
  const second = await read(log, first.cursor);
  assert.deepEqual(second.lines, []);
  assert.deepEqual(second.warnings, [`${log}: does not exist (vanished?); skipped`]);
  assert.deepEqual(second.cursor, first.cursor);
});

test('a directory, a FIFO or a symlink loop at a log path is skipped with a warning, without blocking', async (t) => {
  const dir = tempDir(t);
  symlinkSync(join(dir, 'loop2'), join(dir, 'loop1'));
  symlinkSync(join(dir, 'loop1'), join(dir, 'loop2'));
  const l = await read(join(dir, 'loop1'));
  assert.deepEqual(l.warnings, [`${join(dir, 'loop1')}: symlink loop; skipped`]);
  mkdirSync(join(dir, 'adir'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  const d = await read(join(dir, 'adir'));
  assert.deepEqual(d.warnings, [`${join(dir, 'adir')}: is a directory, not a log file; skipped`]);
  const f = await read(join(dir, 'fifo'));
  assert.deepEqual(f.warnings, [`${join(dir, 'fifo')}: is a FIFO, not a log file; skipped`]);
});

test('a log we may not read is a "permission denied" warning, not a crash', async (t) => {
  const dir = tempDir(t);
  const log = join(dir, 'secret.log');
  writeFileSync(log, 'x\n');
  chmodSync(log, 0o600);
  chmodSync(dir, 0o755);
  if (process.getuid?.() !== 0) {
    // Not root: chmod 000 is enough.
    chmodSync(log, 0o000);
    const r = await read(log);
    assert.match(r.warnings.join('\n'), /permission denied/);
    return;
  }
  // Root reads anything: run the reader as nobody in a child process.
  const script = `import { readNewLines } from ${JSON.stringify(join(repo, 'src/sources/files.ts'))};
    const r = await readNewLines(${JSON.stringify(log)}, undefined, () => {});
    console.log(JSON.stringify(r.warnings));`;
  const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repo, uid: 65534, gid: 65534, encoding: 'utf8', env: { ...process.env, HOME: '/tmp' }, timeout: 20_000,
  });
  if (out.status !== 0 && /EACCES|permission/i.test(out.stderr) && !out.stdout) {
    t.skip(`cannot run the reader as nobody here: ${out.stderr.split('\n')[0]}`);
    return;
  }
  assert.equal(out.status, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), [`${log}: permission denied; skipped`]);
});

test('an error thrown by the line consumer is not disguised as a file warning', async (t) => {
  const log = join(tempDir(t), 'auth.log');
  writeFileSync(log, 'a\nb\n');
  await assert.rejects(readNewLines(log, undefined, () => { throw new TypeError('rule bug'); }), /rule bug/);
});
