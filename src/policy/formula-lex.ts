// Tokens of bantime.formula, a small part of Python's expression syntax. Anything outside it
// (strings, brackets, lambdas, ...) is refused here already, so nothing odd reaches the parser.

/** 'bad': text we refuse; the parser reports it when it reaches it, so an earlier bad name is named first. */
export type TokenKind = 'num' | 'name' | 'op' | 'bad' | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  /** 0-based column in the formula, for error messages. */
  pos: number;
  value?: number;
  /** For 'bad': why it is refused. */
  why?: string;
}

/** A token the evaluator refuses; the caller turns it into a ConfigError naming the formula. */
export class FormulaSyntaxError extends Error {
  constructor(
    readonly token: string,
    readonly pos: number,
    readonly why: string,
  ) {
    super(why);
  }
}

// Longest first so `**` wins over `*` and `<<` over `<`.
const OPERATORS = ['**', '//', '<<', '>>', '<=', '>=', '==', '!=', '+', '-', '*', '/', '%', '(', ')', ',', '.', '<', '>', '|', '^', '&', '~'];

const NUMBER = /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|\d[\d_]*(?:\.[\d_]*)?(?:[eE][+-]?\d+)?|\.\d[\d_]*(?:[eE][+-]?\d+)?)/;

function parseNumber(text: string): number {
  const t = text.replace(/_/g, '');
  if (/^0[xX]/.test(t)) return parseInt(t.slice(2), 16);
  if (/^0[oO]/.test(t)) return parseInt(t.slice(2), 8);
  if (/^0[bB]/.test(t)) return parseInt(t.slice(2), 2);
  return Number(t);
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  try {
    lex(src, out);
  } catch (e) {
    if (!(e instanceof FormulaSyntaxError)) throw e;
    out.push({ kind: 'bad', text: e.token, pos: e.pos, why: e.why });
  }
  out.push({ kind: 'end', text: 'end of formula', pos: src.length });
  return out;
}

function lex(src: string, out: Token[]): void {
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = NUMBER.exec(src.slice(i));
      const text = m?.[0] ?? c;
      const value = parseNumber(text);
      // `1abc` or `0777` (Python 3 refuses leading zeros) are not numbers.
      if (!m || Number.isNaN(value) || /^[A-Za-z_0-9]/.test(src[i + text.length] ?? '') || /^0\d/.test(text.replace(/_/g, '').split(/[.eE]/)[0]!)) {
        const bad = /^[A-Za-z_0-9.]+/.exec(src.slice(i))![0];
        throw new FormulaSyntaxError(bad, i, 'is not a number');
      }
      out.push({ kind: 'num', text, pos: i, value });
      i += text.length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const text = /^[A-Za-z_][A-Za-z_0-9]*/.exec(src.slice(i))![0];
      out.push({ kind: 'name', text, pos: i });
      i += text.length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op) {
      out.push({ kind: 'op', text: op, pos: i });
      i += op.length;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      throw new FormulaSyntaxError(src.slice(i, end < 0 ? src.length : end + 1), i, 'is a string, and strings are not allowed');
    }
    const ch = String.fromCodePoint(src.codePointAt(i)!);
    throw new FormulaSyntaxError(ch, i, 'is not allowed');
  }
}
