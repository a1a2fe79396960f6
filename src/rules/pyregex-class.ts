// Python character sets ([...]) and single-character escapes, as JS regex text.
// A leading ']' is a literal in Python; inside a case-insensitive scope each letter
// and letter range also takes its other case.

/** A pattern Python would reject, with the position (in the expanded pattern). */
export class PyRegexError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(`${message} at position ${pos}`);
  }
}

export const CLASS_ESC = new Set(['d', 'D', 'w', 'W', 's', 'S']);
export const SIMPLE_ESC: Record<string, string> = { n: '\\n', t: '\\t', r: '\\r', f: '\\f', v: '\\v', a: '\\x07', b: '\\x08' };

/** Escape one character for use as a literal outside a class. */
export function escapeChar(c: string): string {
  if (c < ' ') return hexEsc(c.charCodeAt(0)); // control characters (NUL marks backrefs while emitting)
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? '\\' + c : c;
}

export function hexEsc(code: number): string {
  if (code <= 0xff) return '\\x' + code.toString(16).padStart(2, '0');
  if (code <= 0xffff) return '\\u' + code.toString(16).padStart(4, '0');
  const s = String.fromCodePoint(code);
  return '(?:' + hexEsc(s.charCodeAt(0)) + hexEsc(s.charCodeAt(1)) + ')';
}

export function caseVariants(c: string): string {
  const lo = c.toLowerCase();
  const up = c.toUpperCase();
  return lo !== up && lo.length === 1 && up.length === 1 ? lo + up : '';
}

export function eval1(c: string): string {
  return ({ n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07' } as Record<string, string>)[c] ?? c;
}

export function parseClass(src: string, from: number, ci: boolean): { text: string; end: number } {
  let i = from;
  const start = i - 1;
  const err = (msg: string, at = i): never => {
    throw new PyRegexError(msg, at);
  };
  let out = '[';
  if (src[i] === '^') {
    out += '^';
    i++;
  }
  let first = true;
  const items: string[] = [];
  for (;;) {
    if (i >= src.length) err('unterminated character set', start);
    const c = src[i]!;
    if (c === ']' && !first) {
      i++;
      break;
    }
    first = false;
    let item: string;
    let ch: string | undefined;
    if (c === '\\') {
      i++;
      if (i >= src.length) err('unterminated character set', start);
      const e = src[i++]!;
      if (CLASS_ESC.has(e)) item = '\\' + e;
      else if (e in SIMPLE_ESC) (ch = eval1(e === 'b' ? '\b' : e)), (item = SIMPLE_ESC[e]!);
      else if (e === 'x' || e === 'u' || e === 'U') {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const h = src.slice(i, i + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(h)) err(`incomplete escape \\${e}${h}`, i - 2);
        i += len;
        const code = parseInt(h, 16);
        if (code > 0xffff) err('code points above U+FFFF in a set are not supported', i);
        ch = String.fromCharCode(code);
        item = hexEsc(code);
      } else if (/[0-7]/.test(e)) {
        const m = /^[0-7]{0,2}/.exec(src.slice(i))![0];
        i += m.length;
        ch = String.fromCharCode(parseInt(e + m, 8) & 0xff);
        item = hexEsc(ch.charCodeAt(0));
      } else if (/[A-Za-z]/.test(e)) return err(`bad escape \\${e}`, i - 2);
      else (ch = e), (item = '\\' + e);
    } else {
      i++;
      ch = c;
      item = c < ' ' ? hexEsc(c.charCodeAt(0)) : c === '[' || c === ']' || c === '\\' || c === '^' ? '\\' + c : c;
    }
    // A range a-b (the '-' not last).
    if (ch !== undefined && src[i] === '-' && src[i + 1] !== ']' && i + 1 < src.length) {
      const save = i;
      i++;
      let hiCh: string | undefined;
      let hiItem = '';
      if (src[i] === '\\') {
        const e = src[i + 1];
        if (e !== undefined && !CLASS_ESC.has(e) && !/[A-Za-z0-9]/.test(e)) {
          hiCh = e;
          hiItem = '\\' + e;
          i += 2;
        } else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(src.slice(i + 2, i + 4))) {
          hiCh = String.fromCharCode(parseInt(src.slice(i + 2, i + 4), 16));
          hiItem = hexEsc(hiCh.charCodeAt(0));
          i += 4;
        } else if (e !== undefined && e in SIMPLE_ESC) {
          hiCh = eval1(e);
          hiItem = SIMPLE_ESC[e]!;
          i += 2;
        }
      } else if (src[i] !== undefined) {
        hiCh = src[i]!;
        hiItem = hiCh < ' ' ? hexEsc(hiCh.charCodeAt(0)) : hiCh === '[' || hiCh === '\\' || hiCh === '^' ? '\\' + hiCh : hiCh;
        i++;
      }
      if (hiCh === undefined) {
        i = save;
      } else {
        if (hiCh.charCodeAt(0) < ch.charCodeAt(0)) err('bad character range', save);
        items.push(`${item}-${hiItem}`);
        if (ci && /[a-z]/i.test(ch) && /[a-z]/i.test(hiCh)) {
          const swap = (x: string) => (x === x.toLowerCase() ? x.toUpperCase() : x.toLowerCase());
          if (/^[a-z]$/.test(ch) === /^[a-z]$/.test(hiCh)) items.push(`${swap(ch)}-${swap(hiCh)}`);
        }
        continue;
      }
    }
    if (item === '-') item = '\\-';
    items.push(item);
    if (ci && ch !== undefined) {
      const v = caseVariants(ch);
      if (v) items.push(v.replace(ch, ''));
    }
  }
  return { text: out + items.join('') + ']', end: i };
}