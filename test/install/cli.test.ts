// What an admin finds around the commands: --help with an example for each, a
// suggestion for a mistyped command, the completion script, the man page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { missingBuild, REPO, runCli } from './helpers.ts';

/** Command paths from a help text's Commands: section ("f2b-scan fleet <command>" -> ["fleet"]). */
function commandsIn(help: string, prefix: string[]): string[][] {
  const section = help.split(/^Commands:$/m)[1]?.split(/^\S.*:$/m)[0] ?? '';
  const out: string[][] = [];
  for (const line of section.split('\n')) {
    const m = /^ {2}f2b-scan ((?:[a-z][\w-]* ?)+)/.exec(line);
    if (!m) continue;
    const path = m[1]!.trim().split(' ');
    if (path.length === prefix.length + 1) out.push(path);
  }
  return out;
}

/** Every leaf command, found through the help texts as a user would. */
function allCommands(): string[][] {
  const leaves: string[][] = [];
  const walk = (prefix: string[]) => {
    for (const path of commandsIn(runCli([...prefix, '--help']).stdout, prefix)) {
      const sub = commandsIn(runCli([...path, '--help']).stdout, path);
      if (sub.length) walk(path);
      else leaves.push(path);
    }
  };
  walk([]);
  return leaves;
}

test('every command has --help with its description and at least one example', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const commands = allCommands();
  for (const c of ['scan', 'report', 'test-rule', 'install', 'init']) assert.ok(commands.some((p) => p.join(' ') === c), c);
  assert.ok(commands.some((p) => p.join(' ') === 'completion'));
  const lacking: string[] = [];
  const undescribed: string[] = [];
  for (const path of commands) {
    const r = runCli([...path, '--help']);
    assert.equal(r.code, 0, path.join(' '));
    const [usage, , description] = r.stdout.split('\n');
    assert.match(usage!, new RegExp(`^f2b-scan ${path.join(' ')}\\b`));
    assert.ok(description && description.trim().length > 0, `${path.join(' ')}: no description`);
    if (!/^Examples:\n {2}f2b-scan /m.test(r.stdout)) lacking.push(path.join(' '));
    // Each argument says what it is; no yargs noise such as "[default: []]".
    const positionals = r.stdout.split(/^Positionals:$/m)[1]?.split(/^\S.*:$/m)[0] ?? '';
    for (const line of positionals.split('\n').filter((l) => /^ {2}\S/.test(l))) {
      if (!/^ {2}\S+ {2,}\S/.test(line) || /^ {2}\S+ {2,}\[/.test(line)) undescribed.push(`${path.join(' ')}: ${line.trim()}`);
    }
    assert.doesNotMatch(r.stdout, /\[default: \[\]\]/, path.join(' '));
  }
  assert.deepEqual(lacking, [], 'commands whose --help has no example');
  assert.deepEqual(undescribed, [], 'arguments without a description');
});

test('completion --help describes the command instead of printing the script', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const r = runCli(['completion', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^f2b-scan completion\n\nprint the bash\/zsh completion script/);
  assert.doesNotMatch(r.stdout, /begin-f2b-scan-completions/);
});

test('a mistyped command suggests the right one', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const r = runCli(['instal', '--systemd']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Did you mean install\?/);
});

test('f2b-scan completion prints a bash completion script that bash accepts', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const r = runCli(['completion'], { env: { SHELL: '/bin/bash' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^###-begin-f2b-scan-completions-###$/m);
  assert.match(r.stdout, /^complete -o bashdefault -o default -F _f2b-scan_yargs_completions f2b-scan$/m);
  const bash = spawnSync('bash', ['-c', `${r.stdout}\ncomplete -p f2b-scan`], { encoding: 'utf8' });
  assert.equal(bash.status, 0, bash.stderr);
  assert.match(bash.stdout, /_f2b-scan_yargs_completions f2b-scan/);
  // What the script asks for when the admin presses tab after `f2b-scan ins`.
  const words = runCli(['--get-yargs-completions', 'f2b-scan', 'ins']).stdout.split('\n');
  assert.ok(words.includes('install') && words.includes('init'), words.join(' '));
  const flags = runCli(['--get-yargs-completions', 'f2b-scan', 'install', '--']).stdout.split('\n');
  for (const f of ['--systemd', '--cron', '--prefix', '--dry-run', '--uninstall']) assert.ok(flags.includes(f), f);
});

test('f2b-scan completion under zsh prints the zsh script', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const r = runCli(['completion'], { env: { SHELL: '/bin/zsh' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^#compdef f2b-scan$/m);
  assert.match(r.stdout, /compdef _f2b-scan_yargs_completions f2b-scan/);
});

test('the build makes a man page f2b-scan.1 that man renders, with every command, its options and the exit codes', (t) => {
  const why = missingBuild();
  if (why) return t.skip(why);
  const page = join(REPO, 'dist', 'f2b-scan.1');
  assert.ok(existsSync(page), 'dist/f2b-scan.1 is built');
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  assert.deepEqual(pkg.man, ['./dist/f2b-scan.1']);
  if (spawnSync('man', ['--version']).status !== 0) return t.skip('man is not installed (Debian: man-db, groff-base)');
  const r = spawnSync('man', ['-l', page], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '80', MANPAGER: 'cat', PAGER: 'cat' } });
  assert.equal(r.status, 0, r.stderr);
  const text = r.stdout.replace(/.\x08/g, ''); // overstrike bold, when man formats for a terminal
  assert.match(text, /^F2B-SCAN\(1\)/);
  for (const s of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'COMMANDS', 'OPTIONS', 'ENVIRONMENT', 'EXIT STATUS', 'FILES']) assert.match(text, new RegExp(`^${s}$`, 'm'));
  for (const c of ['scan', 'report', 'test-rule <rule> <log>', 'install', 'init', 'completion']) {
    assert.match(text, new RegExp(`^ {3}f2b-scan ${c.replace(/[<>]/g, '.')}$`, 'm'), c);
  }
  // Options come from the same definitions as --help, not a second copy.
  const help = runCli(['install', '--help']).stdout;
  assert.match(help, /--uninstall/);
  assert.match(text, /--uninstall\n\s+remove\s+what\s+install\s+wrote/);
  assert.match(text, /^ {7}3 {6}another run holds the lock$/m);
  // Every exit code, report's 1 among them, and the environment variables, from the README.
  assert.match(text, /^ {7}1 {6}report +--fail-on: +an +address +would +be +banned/m);
  for (const code of [0, 1, 2, 3, 4, 5, 6, 7, 70]) assert.match(text.split(/^EXIT STATUS$/m)[1]!, new RegExp(`^ {7}${code} +\\S`, 'm'), String(code));
  assert.match(text, /^ENVIRONMENT$/m);
  for (const v of ['TZ', 'PATH', 'F2B_SCAN_THREADS=N', 'F2B_SCAN_RULES=DIR', 'F2B_SCAN_NETNS=NS']) assert.match(text.split(/^ENVIRONMENT$/m)[1]!, new RegExp(`^ {7}${v}\\b`, 'm'), v);
  // groff itself has nothing to warn about.
  const groff = spawnSync('groff', ['-ww', '-man', '-Tutf8', '-z', page], { encoding: 'utf8' });
  assert.equal(groff.stderr, '');
});
