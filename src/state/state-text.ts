// The state file's text and its index of tables. The tables' columns are nearly all of a large
// state (6 MB of a 100,000-address one) and a run needs few of them or none, so the file ends
// with where each table's columns are, as character offsets in the text:
//
//   {"version":3, ... "jails":{"sshd":{"bans":{"rows":2,...,"cols":{"key":[...],...},"hash":"..."}}}, ... ,"spans":[[start,end],...]}
//
// A load then parses the text with each indexed table's columns cut out, and keeps those as
// slices of the text (ColsText), parsed only when a run asks for their rows (migrate.ts, table.ts).
//
// The index is a hint, never trusted: a cut must start with `{` right after `"cols":` and end
// with `}`, and each cut is replaced by its number; the text so cut must parse, and each number
// must come back as the `cols` of a table, once. `"cols":` cannot lie inside a JSON string (its
// second quote would be escaped), so each number stood where a value stands, and the file is the
// JSON that the cut text and its slices make as soon as each slice is JSON itself: its hash
// says it is what we wrote, or it parses when its rows are read. Anything else (a file edited
// by hand, an index that lies, no index: an older writer) is parsed as a whole, as before.

import { STATE_VERSION, type State } from './schema.ts';
import { jsonChunks, TextSpans } from './json-chunks.ts';

/** A table's columns as a slice of the file's text, not parsed yet. */
export class ColsText {
  constructor(readonly text: string) {}
}

/** The last field of the file: the index. */
const INDEX = ',"spans":';
const COLS = '"cols":';

/** The state's JSON text in pieces, the index of its tables' columns last. */
export function* statePieces(state: State): Generator<string> {
  const spans = new TextSpans();
  // The last field: by the time it is written every table has marked where it is.
  const index = { *jsonPieces() { yield JSON.stringify(spans.list); } };
  for (const piece of jsonChunks({ ...state, spans: index }, spans)) {
    yield piece;
    spans.pos += piece.length;
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The file's JSON, each indexed table's `cols` a ColsText; null when the text has no index or
 * one that does not fit (the caller then parses the whole text).
 */
export function parseIndexed(text: string): Obj | null {
  const end = text.lastIndexOf('}');
  const at = text.lastIndexOf(INDEX, end);
  if (at < 0) return null;
  let spans: unknown;
  try {
    spans = JSON.parse(text.slice(at + INDEX.length, end));
  } catch {
    return null;
  }
  if (!Array.isArray(spans)) return null;
  const parts: string[] = [];
  const slices: string[] = [];
  let prev = 0;
  for (const sp of spans) {
    if (!Array.isArray(sp) || sp.length !== 2) return null;
    const [s, e] = sp as unknown[];
    if (!Number.isSafeInteger(s) || !Number.isSafeInteger(e)) return null;
    const [from, to] = [s as number, e as number];
    if (from - COLS.length < prev || to <= from || to > at) return null;
    if (text.charCodeAt(from) !== 0x7b || text.charCodeAt(to - 1) !== 0x7d || !text.startsWith(COLS, from - COLS.length)) return null;
    parts.push(text.slice(prev, from), String(slices.length));
    slices.push(text.slice(from, to));
    prev = to;
  }
  parts.push(text.slice(prev));
  let raw: unknown;
  try {
    raw = JSON.parse(parts.join(''));
  } catch {
    return null;
  }
  if (!isObj(raw) || raw.version !== STATE_VERSION) return null;
  delete raw.spans;
  // Each number back in the `cols` of a table, once: else a cut was not where the index said.
  const claimed = new Uint8Array(slices.length);
  let found = 0;
  const claim = (t: unknown): boolean => {
    if (!isObj(t) || typeof t.cols !== 'number') return true;
    const i = t.cols;
    if (!Number.isInteger(i) || i < 0 || i >= slices.length || claimed[i]) return false;
    claimed[i] = 1;
    found++;
    t.cols = new ColsText(slices[i]!);
    return true;
  };
  if (isObj(raw.jails)) {
    for (const j of Object.values(raw.jails)) if (isObj(j) && !(claim(j.bans) && claim(j.tickets))) return null;
  }
  if (!claim(raw.history) || found !== slices.length) return null;
  return raw;
}
