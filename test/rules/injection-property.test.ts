// Property (issue 16.6): whatever a client writes into the parts of a line it controls, a
// shipped rule never reports an address from that text. For every rule in rules/filter.d,
// fast-check takes a line of the rule's sample (test/samples/<rule>), replaces one or more of
// its client fields (client-fields.ts) with generated text -- pieces of the line's own grammar
// around a victim's address ("from VICTIM port 22", "client: VICTIM", "[VICTIM]",
// "rhost=VICTIM", slices of the line itself with its address swapped for the victim), quotes
// and brackets opened and closed, random words -- written the way the service writes it, and
// runs the rule on that line and the next lines of the sample (multi-line sessions carry an
// address on). The rule may report the addresses the unchanged lines give it, or nothing:
// never the victim, never an address that only the client's text holds.
//
// F2B_INJECTION_RUNS=N sets the cases per rule (default 1000); F2B_INJECTION_SEED=<n> or
// "random" changes the seed (the default is fixed per rule, so CI is reproducible).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import fc from 'fast-check';
import { loadFilter, createMatcher, type Filter } from '../../src/rules/index.ts';
import { unwrapDockerLine } from '../../src/rules/docker-line.ts';
import { FILTER_DIR, SAMPLE_NOW, SAMPLE_ZONE, normHost, readSample, shippedRules } from '../helpers/samples.ts';
import { clientFields, noClientText, type ClientField } from './client-fields.ts';

const RUNS = Number(process.env.F2B_INJECTION_RUNS ?? 1000);
const SEED_ENV = process.env.F2B_INJECTION_SEED;
/** Lines after the changed one run through the same matcher (sessions keyed by pid). */
const FOLLOWING = 3;

/** The victims: addresses no sample line holds. */
const VICTIM_FORMS = ['198.51.100.222', '::ffff:198.51.100.222', '2001:db8:dead::222', '2001:db8:dead:0:0:0:0:222', '2001:db8:dead::222%eth0'];
const VICTIMS = new Set(['198.51.100.222', '2001:db8:dead::222']);
/** Where the victim's address goes in a template. */
const V = '\u0001';

/** The address grammar of the logs the rules read, around the victim. */
const TEMPLATES = [
  `${V}`, `from ${V}`, `from ${V} port 22`, `from ${V} port 22 ssh2`, ` from ${V} port 4000 ssh2`, `client: ${V}`,
  `, client: ${V}, server: x`, `client ${V}`, `[${V}]`, `[${V}]:25`, `(${V})`, `<${V}>`, `"${V}"`, `'${V}'`,
  `rhost=${V}`, ` rhost=${V} `, `host=${V}`, `(host=x [${V}])`, `remote_addr=${V}`, `rip=${V}`, `ip=${V}`, `ip=[${V}]`,
  `from ${V}.`, `x from ${V}.`, `IP: ${V}`, `addr=${V}`, `@${V}`, `${V}:4444`, `${V}#53`, `unknown[${V}]`, `x[${V}]`, `H=(x) [${V}]`, `relay=[${V}]`,
  `Client "${V}"`, `"remote":"${V}:1"`, `\\"remote\\":\\"${V}:1\\"`, `|${V}|`, `Host: ${V}/${V}`, ` ${V} - - [01/Jan/2020:00:00:00 +0000] "GET / HTTP/1.1" 401 0`,
];
const PUNCTUATION = ['.', '. ', '"', "'", '(', ')', '[', ']', '<', '>', '{', '}', ', ', ': ', ' ', '\\', '\\"', '|', ';', '=', '`', '@', '#', ':', '/', '%', '\\x22'];

const ADDRESS_RE = /(?:::ffff:)?\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%\w+)?/g;

function addressesIn(text: string): string[] {
  return [...text.matchAll(ADDRESS_RE)].map((m) => m[0].replace(/%\w+$/, '')).filter((a) => isIP(a.replace(/^::ffff:/i, '')) !== 0);
}

interface Span {
  field: ClientField;
  start: number;
  end: number;
}

/** The client fields of a line, in line order, without overlaps. */
function spansOf(line: string, fields: ClientField[]): Span[] {
  const spans: Span[] = [];
  for (const field of fields) {
    const re = new RegExp(field.at.source, field.at.flags.includes('g') ? field.at.flags : field.at.flags + 'g');
    for (const m of line.matchAll(re)) {
      const ind = m.indices?.[1];
      if (ind && ind[1] >= ind[0]) spans.push({ field, start: ind[0], end: ind[1] });
    }
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  return spans.filter((s, i) => i === 0 || s.start >= spans[i - 1]!.end);
}

interface Subject {
  options: Record<string, string>;
  filter: Filter;
  /** The lines run after the changed one. */
  following: string[];
  line: string;
  /** The line is a Docker json-file record of this text (fields are found, and replaced, inside). */
  docker: { text: string; time: string } | null;
  spans: Span[];
  /** The line with the address(es) it names swapped for the victim: its own grammar. */
  grammar: string;
  /** Start offsets of grammar pieces: word and punctuation boundaries. */
  cuts: number[];
  /** Hosts the unchanged lines give (normalised), and the addresses the service wrote in the line. */
  allowed: Set<string>;
}

function hostsOf(filter: Filter, lines: string[]): string[] {
  const m = createMatcher(filter, { now: SAMPLE_NOW, timezone: SAMPLE_ZONE });
  return lines.flatMap((l) => m.push(l).map((r) => r.host));
}

function subjectsOf(name: string): Subject[] {
  const fields = clientFields[name] ?? [];
  const out: Subject[] = [];
  for (const run of readSample(name)) {
    const filter = loadFilter({ name, options: run.options }, { searchDirs: [FILTER_DIR] });
    run.lines.forEach((s, i) => {
      const inner = unwrapDockerLine(s.line);
      const docker = inner ? { text: inner.text, time: /"time":"([^"]*)"/.exec(s.line)?.[1] ?? '' } : null;
      const text = docker ? docker.text : s.line;
      const spans = spansOf(text, fields);
      if (spans.length === 0) return;
      const following = run.lines.slice(i + 1, i + 1 + FOLLOWING).map((x) => x.line);
      const own = new Set([...(s.host ? [s.host] : []), ...hostsOf(filter, [s.line])]);
      let outside = '';
      let at = 0;
      for (const sp of spans) {
        outside += text.slice(at, sp.start) + ' ';
        at = sp.end;
      }
      outside += text.slice(at);
      const allowed = new Set([...hostsOf(filter, [s.line, ...following]), ...addressesIn(outside), ...(s.host ? [s.host] : [])].map(normHost));
      let grammar = text;
      for (const h of [...own, ...addressesIn(text)].sort((a, b) => b.length - a.length)) grammar = grammar.split(h).join(V);
      const cuts = [0];
      for (let k = 1; k < grammar.length; k++) if (/[\s"'()[\]<>{},:;=|@\u0001]/.test(grammar[k]!) || /[\s"'()[\]<>{},:;=|@\u0001]/.test(grammar[k - 1]!)) cuts.push(k);
      cuts.push(grammar.length);
      out.push({ options: run.options, filter, following, line: text, docker, spans, grammar, cuts, allowed });
    });
  }
  return out;
}

/** Text a client might send into a field of this line. */
function textFor(sub: Subject): fc.Arbitrary<string> {
  const slice = fc
    .tuple(fc.nat({ max: sub.cuts.length - 1 }), fc.nat({ max: sub.cuts.length - 1 }))
    .map(([a, b]) => sub.grammar.slice(sub.cuts[Math.min(a, b)]!, sub.cuts[Math.max(a, b)]!));
  // the line from one of its boundaries to its end: the tail the service writes after the field
  const tail = fc.nat({ max: sub.cuts.length - 1 }).map((a) => sub.grammar.slice(sub.cuts[a]!));
  const piece = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...TEMPLATES) },
    { weight: 4, arbitrary: slice },
    { weight: 3, arbitrary: tail },
    { weight: 3, arbitrary: fc.constantFrom(...PUNCTUATION) },
    { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
    { weight: 1, arbitrary: fc.constant(sub.line) },
  );
  return fc.array(piece, { minLength: 1, maxLength: 6 }).map((p) => p.join(''));
}

interface Case {
  sub: Subject;
  victim: string;
  values: (string | null)[];
}

function caseFor(subjects: Subject[]): fc.Arbitrary<Case> {
  return fc.nat({ max: subjects.length - 1 }).chain((i) => {
    const sub = subjects[i]!;
    const value = fc.option(textFor(sub), { freq: 3 });
    return fc.record({
      sub: fc.constant(sub),
      victim: fc.constantFrom(...VICTIM_FORMS),
      values: fc.array(value, { minLength: sub.spans.length, maxLength: sub.spans.length }).filter((v) => v.some((x) => x !== null)),
    });
  });
}

/** The line with the chosen fields replaced, each written as the service writes it. */
function build(c: Case): { line: string; injected: string } {
  let line = '';
  let injected = '';
  let at = 0;
  c.sub.spans.forEach((sp, k) => {
    const v = c.values[k];
    if (v === null || v === undefined) return;
    const text = (sp.field.write ?? ((s: string) => s))(v.split(V).join(c.victim));
    line += c.sub.line.slice(at, sp.start) + text;
    injected += ` ${text}`;
    at = sp.end;
  });
  line += c.sub.line.slice(at);
  // a Docker record escapes whatever the container printed
  if (c.sub.docker) line = `{"log":${JSON.stringify(`${line}\n`)},"stream":"stdout","time":"${c.sub.docker.time}"}`;
  return { line, injected };
}

/** What is wrong with the rule's answer to a case, or null. */
function wrongAnswer(c: Case): string | null {
  const { line, injected } = build(c);
  const hosts = hostsOf(c.sub.filter, [line, ...c.sub.following]);
  for (const h of hosts) {
    const n = normHost(h);
    if (VICTIMS.has(n) || h.includes('198.51.100.222') || /dead::222/i.test(h)) return `reported the victim ${h}`;
    if (!c.sub.allowed.has(n) && injected.includes(h)) return `reported ${h}, an address only the client's text holds`;
  }
  return null;
}

function seedFor(name: string): number {
  if (SEED_ENV === 'random') return Date.now() ^ (Math.random() * 0x7fffffff);
  if (SEED_ENV !== undefined) return Number(SEED_ENV);
  let h = 0x1234567;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x9e3779b1);
  return h >>> 0;
}

const rules = shippedRules();

test('every shipped rule has its client fields listed (or says why it has none)', () => {
  assert.deepEqual(rules.filter((r) => !clientFields[r] && !noClientText[r]), []);
});

for (const name of rules) {
  test(`rule ${name}: ${RUNS} lines with generated client text never report another address`, (t) => {
    if (noClientText[name]) return t.skip(noClientText[name]);
    const subjects = subjectsOf(name);
    assert.ok(subjects.length > 0, `no line of test/samples/${name} holds a client field of client-fields.ts`);
    const seed = seedFor(name);
    const details = fc.check(fc.property(caseFor(subjects), (c) => wrongAnswer(c) === null), { numRuns: RUNS, seed });
    if (details.failed) {
      const c = details.counterexample![0];
      const { line } = build(c);
      assert.fail(`${wrongAnswer(c)} (options ${JSON.stringify(c.sub.options)}, seed ${seed}, ${details.numRuns} runs)\n  sample: ${c.sub.line}\n  forged: ${line}`);
    }
  });
}
