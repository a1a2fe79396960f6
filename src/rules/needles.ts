// Needles for the prefilter: words of which every match of a regex holds at least one,
// so a line holding none of them is skipped without reading its date or running regexes.

import type { Node } from './pyregex-parse.ts';

/**
 * A set of literals such that every match contains at least one of them: for each
 * top-level alternative, the longest run of literal characters it cannot skip.
 * Empty when some alternative has no run of 3 or more characters.
 */
export function requiredNeedles(alts: Node[][]): string[] {
  const out = new Set<string>();
  for (const alt of alts) {
    const flat = flatten(alt);
    const word = longestRun(flat);
    // A mandatory group whose every alternative has a word may be more selective
    // ("llegal"/"nvalid" rather than "user").
    const sub = mandatoryGroupNeedles(flat);
    const subMin = sub ? Math.min(...sub.map((x) => x.length)) : 0;
    if (word.length >= 3 && word.length >= subMin) out.add(word);
    else if (sub && subMin >= 3) sub.forEach((x) => out.add(x));
    else return [];
  }
  return [...out];
}

/** Inline groups that must match exactly once with a single alternative. */
function flatten(seq: Node[]): Node[] {
  const out: Node[] = [];
  for (const n of seq) {
    if (n.k === 'group' && (n.kind === 'cap' || n.kind === 'nocap') && n.alts.length === 1) out.push(...flatten(n.alts[0]!));
    else out.push(n);
  }
  return out;
}

/**
 * The runs of literal characters of a sequence, in order (anchors and word boundaries do not
 * break a run; anything else does).
 */
function literalRuns(seq: Node[]): string[] {
  const runs: string[] = [];
  let run = '';
  for (const n of seq) {
    const l = literalOf(n);
    if (l !== undefined) run += l;
    else if (n.k === 'raw' && (n.s === '^' || n.s === '$' || n.s === '\\b' || n.s === '\\B')) {
      // zero-width: does not break a run
    } else {
      runs.push(run);
      run = '';
    }
  }
  runs.push(run);
  return runs;
}

/** How good a needle word is: long, and not one most lines hold; under 3 characters, none. */
function wordScore(w: string): number {
  return w.length < 3 ? w.length - 1000 : isCommon(w) ? w.length - 100 : w.length;
}

/**
 * The longest word (letters, digits, _) inside the literal runs of a sequence. Only a
 * word: the matcher tests needles on the raw line, before the date is cut out, and
 * cutting can join text ("[" + "]LOGIN") that the raw line does not hold.
 */
function longestRun(seq: Node[]): string {
  // Every word of these runs is required, so any one is a correct needle; the longest word that
  // ordinary log lines seldom hold skips the most lines ("in session \w+" must not make every
  // pam "session opened" line run the rule: "Failed" is the better needle there).
  let best = '';
  let bestScore = -Infinity;
  for (const r of literalRuns(seq)) {
    for (const w of r.match(/\w+/g) ?? []) {
      const score = wordScore(w);
      if (score > bestScore) [best, bestScore] = [w, score];
    }
  }
  return best;
}

/** At most this many words of a regex are looked for before it runs (each costs a search of the line). */
const MAX_WORDS = 4;

/**
 * Words every match holds, all of them (a regex of one alternative): a line missing any cannot
 * match, and looking for a few words costs less than a regex that fails late ("Received
 * disconnect from <HOST> ...: 11: ... [preauth]" on the many "Received disconnect" lines
 * without "preauth"). The best needles first, common words and words under 3 characters left out.
 */
export function requiredWords(alts: Node[][]): string[] {
  if (alts.length !== 1) return [];
  const words = new Set<string>();
  for (const r of literalRuns(flatten(alts[0]!))) for (const w of r.match(/\w+/g) ?? []) if (wordScore(w) > 0) words.add(w);
  // A word inside a longer one is found with it.
  const kept = [...words].filter((w) => ![...words].some((o) => o !== w && o.includes(w)));
  return kept.sort((a, b) => wordScore(b) - wordScore(a)).slice(0, MAX_WORDS);
}

/** A needle is tested as a substring: "conn" is as common as "connection". */
function isCommon(w: string): boolean {
  const l = w.toLowerCase();
  for (const c of COMMON_WORDS) if (c.includes(l)) return true;
  return false;
}

/** Words most lines of an ordinary syslog, mail or web log hold (sessions, cron, connections). */
const COMMON_WORDS = new Set([
  'session', 'sessions', 'opened', 'closed', 'started', 'starting', 'stopped', 'finished', 'connect', 'connection',
  'from', 'user', 'for', 'port', 'the', 'and', 'with', 'info', 'notice', 'debug', 'warning', 'client', 'server',
  'request', 'http', 'get', 'post', 'host', 'new', 'uid',
  // sshd writes "Received disconnect from ... disconnected by user" at the end of every session.
  'received', 'disconnect',
]);

function literalOf(n: Node): string | undefined {
  if (n.k === 'raw') return n.lit;
  if (n.k === 'group' && (n.kind === 'nocap' || n.kind === 'cap') && n.alts.length === 1) {
    let s = '';
    for (const x of n.alts[0]!) {
      const l = literalOf(x);
      if (l === undefined) return undefined;
      s += l;
    }
    return s;
  }
  if (n.k === 'quant' && /^\{(\d+)\}$/.test(n.q)) {
    const l = literalOf(n.node);
    const k = Number(/^\{(\d+)\}$/.exec(n.q)![1]);
    return l !== undefined && k < 10 ? l.repeat(k) : undefined;
  }
  return undefined;
}

function mandatoryGroupNeedles(seq: Node[]): string[] | null {
  let best: string[] | null = null;
  for (const n of seq) {
    if (n.k !== 'group' || n.kind === 'look' || n.alts.length < 2) continue;
    const sub = requiredNeedles(n.alts);
    if (sub.length && (!best || Math.min(...sub.map((x) => x.length)) > Math.min(...best.map((x) => x.length)))) best = sub;
  }
  return best;
}
