// The JavaScript regex the Python translation made, rewritten in RE2's syntax for the
// linear-time engine (re2js), or the reason it cannot be. RE2 has no backreferences and no
// lookahead; lookbehinds it runs when they capture nothing (re2js's LOOKBEHINDS mode).
//
// Differences of meaning are rewritten so RE2 reads what JavaScript (and Python) read:
// `\s` is JavaScript's whitespace (RE2's has no \v and no Unicode spaces); `\uXXXX` becomes
// `\x{XXXX}`. `.` keeps RE2's meaning (anything but \n), which is Python's.
//
// One lookahead is rewritten away: `(?=X)` closing the body of a loop, when both a new round
// and what follows the loop must begin with a character X reads (`(?:"+[^"]*(?="))*?"`, the
// stock exim filter): every way on checks it anyway, so dropping it changes no match.

import { charsOf, subset } from './charset.ts';
import { closingOf, tokenize, type Token } from './js-regex-tokens.ts';

/** JavaScript's \s (what Python's str patterns read too, near enough: \x1c-\x1f aside). */
const WS = String.raw`\t\n\x{0B}\f\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}`;

export type Re2Translation = { ok: true; source: string; lookbehind: boolean } | { ok: false; why: string };

/** One escape (outside or inside a class) in RE2's spelling, or null when RE2 has none. */
function escape(e: string, inClass: boolean): string | null {
  const c = e[1]!;
  if (c === 'u') return `\\x{${e.slice(2).replace(/[{}]/g, '')}}`;
  if (c === 'x') return `\\x{${e.slice(2)}}`;
  if (c === 'v') return '\\x{0B}';
  if (c === '0') return '\\x{0}';
  if (c === 'c') return `\\x{${(e.charCodeAt(2) % 32).toString(16)}}`;
  if (c === 's') return inClass ? WS : `[${WS}]`;
  if (c === 'S') return inClass ? '\\S' : `[^${WS}]`;
  if (c === 'b' && inClass) return '\\x{08}';
  if (c === 'k' || /[1-9]/.test(c)) return null;
  if (/[A-Za-z0-9]/.test(c)) return /[dDwWbBnrtf]/.test(c) ? e : null;
  return `\\${c}`; // escaped punctuation reads itself in both
}

function klass(text: string): string | null {
  let out = '';
  for (let i = 0; i < text.length; ) {
    if (text[i] === '\\') {
      const c = text[i + 1]!;
      const len = c === 'u' ? 6 : c === 'x' ? 4 : c === 'c' ? 3 : 2;
      const e = escape(text.slice(i, i + len), true);
      if (e === null) return null;
      out += e;
      i += len;
    } else {
      out += text[i];
      i++;
    }
  }
  return out;
}

/** Mandatory first atom of a token run (an atom that must be read once at least), or null. */
function leadingAtom(tokens: Token[], k: number): Extract<Token, { k: 'atom' }> | null {
  const t = tokens[k];
  if (!t || t.k !== 'atom' || t.text.startsWith('\\k')) return null;
  return t.q === '' || t.q.startsWith('+') ? t : null;
}

/** `(?=X)` as the last thing of a loop body that every way on reads anyway (see above). */
function redundantLookahead(tokens: Token[], open: number, flags: string): number | null {
  const look = tokens[open] as Extract<Token, { k: 'open' }>;
  const close = closingOf(tokens, open);
  const inner = tokens[open + 1];
  if (look.kind !== 'ahead' || close !== open + 2 || !inner || inner.k !== 'atom' || inner.q !== '') return null;
  const loopClose = tokens[close + 1];
  if (!loopClose || loopClose.k !== 'close' || !/^[*+]|^\{\d+,\}/.test(loopClose.q)) return null;
  // The loop group that this lookahead ends.
  let loopOpen = -1;
  for (let k = close; k >= 0; k--) if (tokens[k]!.k === 'open' && closingOf(tokens, k) === close + 1) loopOpen = k;
  if (loopOpen < 0) return null;
  for (let k = loopOpen + 1; k < open; k++) if (tokens[k]!.k === 'alt') return null;
  const x = charsOf(inner.text, flags);
  const first = leadingAtom(tokens, loopOpen + 1);
  const after = leadingAtom(tokens, close + 2);
  if (!first || !after) return null;
  return subset(charsOf(first.text, flags), x) && subset(charsOf(after.text, flags), x) ? close : null;
}

export function toRe2(source: string, flags: string): Re2Translation {
  const tokens = tokenize(source);
  let out = '';
  let lookbehind = false;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.k === 'alt') out += '|';
    else if (t.k === 'close') {
      if (/\{\d{4,}/.test(t.q)) return { ok: false, why: `a repeat count over 1000 (${t.q})` };
      out += `)${t.q}`;
    } else if (t.k === 'open') {
      if (t.kind === 'ahead' || t.kind === 'nahead') {
        const skipTo = redundantLookahead(tokens, k, flags);
        if (skipTo === null) return { ok: false, why: 'a lookahead (?=...) or (?!...)' };
        k = skipTo;
        continue;
      }
      if (t.kind === 'behind' || t.kind === 'nbehind') lookbehind = true;
      out += t.kind === 'cap' && t.name !== undefined ? `(?P<${t.name}>` : t.head;
    } else {
      let a: string | null;
      if (t.text.startsWith('[')) {
        const body = klass(t.text.slice(1, -1));
        a = body === null ? null : `[${body}]`;
      } else if (t.text.startsWith('\\')) a = escape(t.text, false);
      else a = t.text;
      if (a === null) return { ok: false, why: t.text.startsWith('\\k') || /^\\\d/.test(t.text) ? 'a backreference' : `the escape ${t.text}` };
      if (/\{\d{4,}/.test(t.q)) return { ok: false, why: `a repeat count over 1000 (${t.q})` };
      out += a + t.q;
    }
  }
  return { ok: true, source: out, lookbehind };
}
