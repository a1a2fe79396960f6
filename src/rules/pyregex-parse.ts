// Parses a Python `re` pattern (the dialect fail2ban filters are written in) into a
// small tree whose leaves are already JavaScript regex text. The tree keeps what JS
// cannot say directly (conditional groups, atomic groups, scoped flags) as nodes, so
// pyregex.ts can rewrite them. Anything Python would reject is a PyRegexError.

import { CLASS_ESC, SIMPLE_ESC, caseVariants, escapeChar, eval1, hexEsc, parseClass, PyRegexError } from './pyregex-class.ts';

export { escapeChar, PyRegexError };

export type Node =
  /** JS regex text for one atom (literal, escape, class, dot, anchor). `lit` is its literal char, if any. */
  | { k: 'raw'; s: string; lit?: string }
  | { k: 'group'; kind: 'cap' | 'nocap' | 'look' | 'atomic'; open: string; name?: string; alts: Node[][] }
  | { k: 'quant'; node: Node; q: string; possessive: boolean }
  | { k: 'cond'; ref: string; yes: Node[]; no: Node[] }
  /** ci: written inside a scoped (?i:...), where Python compares the text ignoring case. */
  | { k: 'backref'; name: string; ci?: boolean };

export interface ParsedPattern {
  alts: Node[][];
  /** Global flags (leading `(?i)` etc.) as JS flags: i, s, m; x is applied while parsing. */
  flags: Set<string>;
  names: Set<string>;
}

interface Ctx {
  ci: boolean;
  verbose: boolean;
  multiline: boolean;
}

export function parsePyRegex(src: string, multiline: boolean): ParsedPattern {
  let i = 0;
  const flags = new Set<string>();
  const names = new Set<string>();
  let atomicCount = 0;

  // Leading global flags: (?aiLmsux)
  for (;;) {
    const m = /^\(\?([aiLmsux]+)\)/.exec(src.slice(i));
    if (!m) break;
    for (const f of m[1]!) flags.add(f);
    i += m[0].length;
  }
  const top: Ctx = { ci: false, verbose: flags.has('x'), multiline: multiline || flags.has('m') };

  const err = (msg: string, at = i): never => {
    throw new PyRegexError(msg, at);
  };

  function skipVerbose(ctx: Ctx): void {
    if (!ctx.verbose) return;
    for (;;) {
      while (i < src.length && /\s/.test(src[i]!)) i++;
      if (src[i] === '#') {
        while (i < src.length && src[i] !== '\n') i++;
        continue;
      }
      return;
    }
  }

  function parseAlts(ctx: Ctx, depth: number): Node[][] {
    if (depth > 200) err('pattern nested too deeply');
    const alts: Node[][] = [];
    let seq: Node[] = [];
    const local: Ctx = { ...ctx };
    for (;;) {
      skipVerbose(local);
      if (i >= src.length) break;
      const c = src[i]!;
      if (c === ')') break;
      if (c === '|') {
        i++;
        alts.push(seq);
        seq = [];
        continue;
      }
      if (c === '*' || c === '+' || c === '?' || (c === '{' && quantAt(i))) {
        const prev = seq[seq.length - 1];
        if (!prev || (prev.k === 'raw' && prev.lit === undefined && isAnchor(prev.s))) err('nothing to repeat');
        if (prev.k === 'quant') err('multiple repeat');
        let q: string;
        if (c === '{') {
          const m = /^\{(\d*),?(\d*)\}/.exec(src.slice(i))!;
          const full = m[0];
          const lo = m[1] || '0';
          const hi = m[2];
          q = full.includes(',') ? `{${lo},${hi}}` : `{${lo}}`;
          if (hi && Number(hi) < Number(lo)) err('min repeat greater than max repeat');
          if (Number(lo) > 65535 || (hi && Number(hi) > 65535)) err('repeat count too large');
          i += full.length;
        } else {
          q = c;
          i++;
        }
        let possessive = false;
        if (src[i] === '?') {
          q += '?';
          i++;
        } else if (src[i] === '+') {
          possessive = true;
          i++;
        }
        seq[seq.length - 1] = { k: 'quant', node: prev!, q, possessive };
        continue;
      }
      const inlineCi = parseAtom(seq, local, depth);
      if (inlineCi) local.ci = true;
    }
    alts.push(seq);
    return alts;
  }

  function isAnchor(s: string): boolean {
    return s === '^' || s === '$' || s === '\\b' || s === '\\B' || s.startsWith('(?<![') || s.startsWith('(?![');
  }

  function quantAt(p: number): boolean {
    return /^\{(\d+|\d*,\d*)\}/.test(src.slice(p, p + 24)) && src.slice(p, p + 3) !== '{,}';
  }

  function lit(ch: string, ctx: Ctx): Node {
    const v = ctx.ci ? caseVariants(ch) : '';
    if (v) return { k: 'raw', s: `[${v}]` };
    return { k: 'raw', s: escapeChar(ch), lit: ch };
  }

  /** Returns true when it read a mid-pattern `(?i)` (applies to the rest of the group). */
  function parseAtom(seq: Node[], ctx: Ctx, depth: number): boolean {
    const c = src[i]!;
    if (c === '(') return parseGroup(seq, ctx, depth);
    i++;
    switch (c) {
      case '[':
        {
          const c = parseClass(src, i, ctx.ci);
          i = c.end;
          seq.push({ k: 'raw', s: c.text });
        }
        return false;
      case '.':
        // Python's dot refuses only \n; JS's also \r, U+2028 and U+2029, which an attacker
        // could put in a user name to slip past a rule.
        seq.push({ k: 'raw', s: flags.has('s') ? '[\\s\\S]' : '[^\\n]' });
        return false;
      // In multi-line mode JS's ^ and $ also stop at \r and U+2028/2029; Python's only at \n.
      case '^':
        seq.push({ k: 'raw', s: ctx.multiline ? '(?<![^\\n])' : '^' });
        return false;
      case '$':
        seq.push({ k: 'raw', s: ctx.multiline ? '(?![^\\n])' : '$' });
        return false;
      case '\\':
        seq.push(parseEscape(ctx));
        return false;
      default: {
        // A surrogate pair is one character.
        if (c >= '\ud800' && c <= '\udbff' && i < src.length) {
          seq.push({ k: 'raw', s: '(?:' + c + src[i] + ')', lit: c + src[i] });
          i++;
          return false;
        }
        seq.push(lit(c, ctx));
        return false;
      }
    }
  }

  function parseEscape(ctx: Ctx): Node {
    if (i >= src.length) err('bad escape (end of pattern)');
    const c = src[i++]!;
    if (c === 'A') return { k: 'raw', s: ctx.multiline ? '(?<![\\s\\S])' : '^' };
    if (c === 'Z') return { k: 'raw', s: ctx.multiline ? '(?![\\s\\S])' : '$' };
    if (c === 'b') return { k: 'raw', s: '\\b' };
    if (c === 'B') return { k: 'raw', s: '\\B' };
    if (CLASS_ESC.has(c)) return { k: 'raw', s: '\\' + c };
    if (c in SIMPLE_ESC && c !== 'b') return { k: 'raw', s: SIMPLE_ESC[c]!, lit: eval1(c) };
    if (c === 'x' || c === 'u' || c === 'U') return codeEscape(c, ctx);
    if (c === '0') {
      const m = /^[0-7]{0,2}/.exec(src.slice(i))![0];
      i += m.length;
      return lit(String.fromCharCode(parseInt('0' + m, 8)), ctx);
    }
    if (/[1-9]/.test(c)) {
      // Three octal digits are a character, else a group number (one or two digits).
      const oct = /^[0-7]{2}/.exec(src.slice(i));
      if (/[0-7]/.test(c) && oct) {
        i += 2;
        const code = parseInt(c + oct[0], 8);
        if (code > 0o377) err('octal escape value outside of range 0-0o377', i - 4);
        return lit(String.fromCharCode(code), ctx);
      }
      const m = /^\d?/.exec(src.slice(i))![0];
      i += m.length;
      return { k: 'raw', s: '(?:\\' + c + m + ')' };
    }
    if (/[A-Za-z]/.test(c)) err(`bad escape \\${c}`, i - 2);
    return lit(c, ctx);
  }



  function codeEscape(c: string, ctx: Ctx): Node {
    const len = c === 'x' ? 2 : c === 'u' ? 4 : 8;
    const h = src.slice(i, i + len);
    if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(h)) err(`incomplete escape \\${c}${h}`, i - 2);
    i += len;
    const code = parseInt(h, 16);
    if (code > 0x10ffff) err(`bad escape \\${c}${h}`, i - len - 2);
    const ch = String.fromCodePoint(code);
    if (ch.length === 1) {
      const n = lit(ch, ctx);
      return n.k === 'raw' && n.lit !== undefined ? { k: 'raw', s: hexEsc(code), lit: ch } : n;
    }
    return { k: 'raw', s: hexEsc(code) };
  }



  function parseGroup(seq: Node[], ctx: Ctx, depth: number): boolean {
    const start = i;
    i++; // (
    if (src[i] !== '?') {
      const alts = parseAlts(ctx, depth + 1);
      close(start);
      seq.push({ k: 'group', kind: 'cap', open: '(', alts });
      return false;
    }
    i++;
    const rest = src.slice(i, i + 40);
    let m: RegExpExecArray | null;
    if ((m = /^P<([A-Za-z_]\w*)>/.exec(rest)) || (m = /^<([A-Za-z_]\w*)>/.exec(rest))) {
      const name = m[1]!;
      if (names.has(name)) err(`redefinition of group name '${name}'`, start);
      names.add(name);
      i += m[0].length;
      const alts = parseAlts(ctx, depth + 1);
      close(start);
      seq.push({ k: 'group', kind: 'cap', open: '(', name, alts });
      return false;
    }
    if (rest.startsWith('P<')) err('bad character in group name', i);
    if ((m = /^P=([A-Za-z_]\w*)\)/.exec(rest))) {
      if (!names.has(m[1]!)) err(`unknown group name '${m[1]}'`, start);
      i += m[0].length;
      seq.push(ctx.ci ? { k: 'backref', name: m[1]!, ci: true } : { k: 'backref', name: m[1]! });
      return false;
    }
    if (src[i] === '#') {
      const end = src.indexOf(')', i);
      if (end < 0) err('missing ), unterminated comment', start);
      i = end + 1;
      return false;
    }
    if (src[i] === '(') {
      // Conditional (?(name)yes|no)
      const m2 = /^\(([A-Za-z_]\w*|\d+)\)/.exec(src.slice(i));
      if (!m2) err('bad group name in conditional', i);
      const ref = m2![1]!;
      i += m2![0].length;
      const alts = parseAlts(ctx, depth + 1);
      close(start);
      if (alts.length > 2) err('conditional backref with more than two branches', start);
      seq.push({ k: 'cond', ref, yes: alts[0]!, no: alts[1] ?? [] });
      return false;
    }
    for (const [p, kind] of [
      ['<=', 'look'],
      ['<!', 'look'],
      ['=', 'look'],
      ['!', 'look'],
      [':', 'nocap'],
      ['>', 'atomic'],
    ] as const) {
      if (src.startsWith(p, i)) {
        i += p.length;
        const alts = parseAlts(ctx, depth + 1);
        close(start);
        const open = kind === 'nocap' ? '(?:' : kind === 'atomic' ? '(?:' : '(?' + p;
        if (kind === 'atomic') atomicCount++;
        seq.push({ k: 'group', kind, open, alts });
        return false;
      }
    }
    // Inline flags: (?flags) or scoped (?flags-flags:...)
    const fm = /^([aiLmsux]*)(?:-([imsx]+))?([:)])/.exec(src.slice(i));
    if (!fm || (!fm[1] && !fm[2])) return err('unknown extension ?' + (src[i] ?? ''), start);
    i += fm[0].length;
    const on = fm[1]!;
    const off = fm[2] ?? '';
    if (fm[3] === ')') {
      if (off) err('missing :', i - 1);
      // Mid-pattern global flags (Python < 3.11 applied them to the whole pattern,
      // 3.11 rejects them): we apply them to the rest of the enclosing group.
      if (on.includes('s')) flags.add('s');
      if (on.includes('x')) ctx.verbose = true;
      return on.includes('i');
    }
    const inner: Ctx = { ...ctx };
    if (on.includes('i')) inner.ci = true;
    if (off.includes('i')) inner.ci = false;
    if (on.includes('x')) inner.verbose = true;
    if (off.includes('x')) inner.verbose = false;
    const alts = parseAlts(inner, depth + 1);
    close(start);
    seq.push({ k: 'group', kind: 'nocap', open: '(?:', alts });
    return false;
  }

  function close(start: number): void {
    if (src[i] !== ')') err('missing ), unterminated subpattern', start);
    i++;
  }

  const alts = parseAlts(top, 0);
  if (i < src.length) err('unbalanced parenthesis');
  void atomicCount;
  return { alts, flags, names };
}
