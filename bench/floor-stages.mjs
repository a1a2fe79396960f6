// The least work any run of the sshd rule must do over a log, in stages that add up: what a
// scan costs before it keeps a single count. Run with tsx (it reads the project's sources):
//
//   node --import tsx bench/floor-stages.mjs LOG STAGE     STAGE: read | prefilter | date | prefregex | matcher
//
// - read: the file read and split into lines, as a scan reads it (sources/stream.ts);
// - prefilter: + the rule's word test on every line (a line without one of its words cannot match);
// - date: + the date found and cut out of each line that passed;
// - prefregex: + the rule's prefregex on what is left (its content is what the failregexes read).
//
// No failregex runs, no connection is followed, nothing is counted, no state is read or written:
// every stage is a part of what `f2b-scan --dry-run` does on the same lines, with the same code.
// `matcher` is not a floor but the next step up: the rule's matcher as a scan runs it on every
// line (failregexes, sessions, the failures it finds), without the rest of a run.
// Prints one JSON line: the stage's CPU ms (from the first read to the last line, so not the
// start of node nor the loading of these modules) and how many lines each step kept.

import { open } from 'node:fs/promises';

const STAGES = ['read', 'prefilter', 'date', 'prefregex', 'matcher'];
const [file, stageName] = process.argv.slice(2);
const stage = STAGES.indexOf(stageName ?? '');
if (!file || stage < 0) {
  process.stderr.write(`usage: node --import tsx bench/floor-stages.mjs LOG ${STAGES.join('|')}\n`);
  process.exit(2);
}

const { loadFilter } = await import('../src/rules/index.ts');
const { createDateReader } = await import('../src/time/index.ts');
const { streamLines } = await import('../src/sources/stream.ts');
const { createMatcherWith } = await import('../src/rules/matcher.ts');
const { cutOut } = await import('../src/rules/line-memo.ts');

const rules = new URL('../rules/filter.d', import.meta.url).pathname;
const filter = loadFilter({ name: 'sshd', options: {} }, { searchDirs: [rules] });
const reader = createDateReader({ now: Math.floor(Date.now() / 1000), timezone: 'UTC' });
const prefilter = filter.prefilter;
const prefregex = filter.prefregex.re;

const kept = { lines: 0, passed: 0, dated: 0, content: 0, failures: 0 };
const matcher = STAGES[stage] === 'matcher' ? createMatcherWith(filter, reader) : null;
const onLine = (line) => {
  kept.lines++;
  if (matcher !== null) {
    kept.failures += matcher.push(line).length;
    return;
  }
  if (stage < 1 || !prefilter.test(line)) return;
  kept.passed++;
  if (stage < 2) return;
  const d = reader.read(line);
  let text = line;
  if (d) {
    kept.dated++;
    text = cutOut(line, d.start, d.end);
  }
  if (stage < 3) return;
  if (prefregex.exec(text) !== null) kept.content++;
};

const fh = await open(file, 'r');
const { size } = await fh.stat();
const before = process.cpuUsage();
await streamLines(fh, 0, size, onLine);
const used = process.cpuUsage(before);
await fh.close();
process.stdout.write(JSON.stringify({ stage: STAGES[stage], cpuMs: (used.user + used.system) / 1000, ...kept }) + '\n');
