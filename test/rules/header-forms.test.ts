// Issue 20.2: a rule reads its lines behind any common header. Every classic syslog line of
// every shipped rule's sample ("Jul  1 10:00:01 host prog[pid]: message") is rewritten in each
// form syslog daemons, relays and supervisors write, and the rule must say the same about
// it: the same host, time and user, or nothing when it said nothing. Inside rsyslog's
// "message repeated 4 times: [ ... ]" the line counts 4 times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFilter, createMatcher, type Filter } from '../../src/rules/index.ts';
import type { RuleMatch } from '../../src/types.ts';
import { FILTER_DIR, SAMPLE_NOW, SAMPLE_ZONE, normHost, readSample, shippedRules, zurichOffset } from '../helpers/samples.ts';

// A host name never ends in ':' ("Jul  1 10:00:00 pop3-login: Info: ..." is Dovecot's own log, no host).
const CLASSIC = /^((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d) (\S*[^\s:]) (([^\s[]\S*?)(?:\[(\d+)\])?:) (.*)$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Parts {
  date: string;
  host: string;
  tag: string;
  prog: string;
  pid: string | undefined;
  msg: string;
  /** The instant of `date` in the samples' zone and year. */
  epoch: number;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Local wall clock of an instant in the sample zone: "2005-07-01T10:00:01", and its offset "+02:00". */
function local(epoch: number): { wall: string; offset: string } {
  const off = zurichOffset(epoch);
  const d = new Date((epoch + off) * 1000);
  const wall = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const sign = off < 0 ? '-' : '+';
  return { wall, offset: `${sign}${pad(Math.floor(Math.abs(off) / 3600))}:${pad((Math.abs(off) % 3600) / 60)}` };
}

/** A TAI64N label of an instant, read as fail2ban reads it (2^62 + the Unix time). */
function tai64n(epoch: number): string {
  return '@' + (2n ** 62n + BigInt(epoch)).toString(16).padStart(16, '0') + '0000007b';
}

/** Forms of a per-service log: no program name, so the rule cannot tell another program's line. */
const BARE = new Set(['TAI64N (daemontools, s6, runit)', "s6-log's ISO 8601"]);

const FORMS: Record<string, (p: Parts) => string> = {
  'no host name': (p) => `${p.date} ${p.tag} ${p.msg}`,
  '<PRI> prefix': (p) => `<38>${p.date} ${p.host} ${p.tag} ${p.msg}`,
  '<facility.level> prefix': (p) => `<auth.info> ${p.date} ${p.host} ${p.tag} ${p.msg}`,
  'forwarder facility.level: prefix': (p) => `auth.info: ${p.date} ${p.host} ${p.tag} ${p.msg}`,
  'busybox facility.level after the host': (p) => `${p.date} ${p.host} auth.info ${p.tag} ${p.msg}`,
  'ISO 8601 (rsyslog file format)': (p) => `${local(p.epoch).wall}.123456${local(p.epoch).offset} ${p.host} ${p.tag} ${p.msg}`,
  "journalctl's short-iso": (p) => `${local(p.epoch).wall}${local(p.epoch).offset.replace(':', '')} ${p.host} ${p.tag} ${p.msg}`,
  'RFC 5424': (p) => `<38>1 ${local(p.epoch).wall}.000000${local(p.epoch).offset} ${p.host} ${p.prog} ${p.pid ?? '-'} - - ${p.msg}`,
  'RFC 5424 with structured data': (p) =>
    `<38>1 ${local(p.epoch).wall}Z`.replace(/Z$/, local(p.epoch).offset) + ` ${p.host}.example.com ${p.prog} ${p.pid ?? '-'} ID47 [meta sequenceId="1" note="a ] b"] ${p.msg}`,
  'TAI64N (daemontools, s6, runit)': (p) => `${tai64n(p.epoch)} ${p.msg}`,
  "s6-log's ISO 8601": (p) => `${local(p.epoch).wall}.123456789  ${p.msg}`,
  "rsyslog's message repeated": (p) => `${p.date} ${p.host} ${p.tag} message repeated 4 times: [ ${p.msg}]`,
};

function partsOf(line: string): Parts | null {
  const m = CLASSIC.exec(line);
  if (!m) return null;
  const [mon, day, time] = m[1]!.split(/ +/);
  const [h, mi, s] = time!.split(':').map(Number);
  const wall = Date.UTC(2005, MONTHS.indexOf(mon!), Number(day), h!, mi!, s!) / 1000;
  const epoch = wall - zurichOffset(wall - zurichOffset(wall));
  return { date: m[1]!, host: m[2]!, tag: m[3]!, prog: m[4]!, pid: m[5], msg: m[6]!, epoch };
}

function alone(filter: Filter, line: string): RuleMatch | null {
  return createMatcher(filter, { now: SAMPLE_NOW, timezone: SAMPLE_ZONE }).push(line)[0] ?? null;
}

const say = (r: RuleMatch | null) => (r ? `${normHost(r.host)} at ${Math.floor(r.time ?? NaN)}${r.user !== undefined ? ` user ${r.user}` : ''}` : 'nothing');

for (const name of shippedRules()) {
  test(`rule ${name} reads its syslog lines behind every common header`, (t) => {
    const wrong: string[] = [];
    let lines = 0;
    for (const run of readSample(name)) {
      const filter = loadFilter({ name, options: run.options }, { searchDirs: [FILTER_DIR] });
      // The program of the service's own lines: what a per-service log holds.
      const own = run.lines.map((s) => partsOf(s.line)).find((p, i) => p && alone(filter, run.lines[i]!.line))?.tag;
      for (const s of run.lines) {
        const p = partsOf(s.line);
        if (!p) continue;
        lines++;
        for (const [form, render] of Object.entries(FORMS)) {
          if (BARE.has(form) && own === undefined) continue;
          const want = alone(filter, BARE.has(form) ? `${p.date} ${p.host} ${own} ${p.msg}` : s.line);
          const line = render(p);
          const got = alone(filter, line);
          const expect = want && form === "rsyslog's message repeated" ? `${say(want)} x4` : say(want);
          const saw = got && got.repeat ? `${say(got)} x${got.repeat}` : say(got);
          if (saw !== expect) wrong.push(`${form}: ${saw}, expected ${expect}\n    ${line}`);
        }
      }
    }
    if (lines === 0) return t.skip('no classic syslog line in its sample');
    assert.deepEqual(wrong, []);
  });
}

/** A line as Docker's json-file driver stores what a container printed (Go's JSON escapes <, >, &). */
function dockerRecord(line: string, epoch: number): string {
  const log = JSON.stringify(`${line}\n`).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  const time = new Date(Math.floor(epoch) * 1000).toISOString().replace(/\.000Z$/, '.123456789Z');
  return `{"log":${log},"stream":"stdout","time":"${time}"}`;
}

for (const name of shippedRules()) {
  test(`rule ${name} reads its lines inside Docker's json-file records, with Docker's time`, () => {
    const wrong: string[] = [];
    for (const run of readSample(name)) {
      const filter = loadFilter({ name, options: run.options }, { searchDirs: [FILTER_DIR] });
      for (const s of run.lines) {
        if (s.line.startsWith('{"log":"')) continue; // already a Docker record
        const alone1 = alone(filter, s.line);
        const line = dockerRecord(s.line, alone1?.time ?? SAMPLE_NOW);
        // A line without a date of its own (its date was on the line before) has Docker's.
        const want = alone1 && alone1.time === null ? { ...alone1, time: SAMPLE_NOW } : alone1;
        const got = alone(filter, line);
        if (say(got) !== say(want)) wrong.push(`${say(got)}, expected ${say(want)}\n    ${line}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
}
