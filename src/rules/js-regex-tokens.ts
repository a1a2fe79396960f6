// A JavaScript regex source (as the Python translation emits it) cut into tokens: atoms with
// their quantifier, group openings and closings, alternation bars. The loop screen, the loop
// repair and the RE2 translation all read regexes through this one reader, so they agree on
// where an atom, a class or a group starts and ends.

export type Token =
  | { k: 'atom'; text: string; q: string; start: number; end: number }
  | { k: 'open'; head: string; kind: GroupKind; name?: string; start: number; end: number }
  | { k: 'close'; q: string; start: number; end: number }
  | { k: 'alt'; start: number; end: number };

export type GroupKind = 'cap' | 'nocap' | 'ahead' | 'nahead' | 'behind' | 'nbehind';

/** The quantifier at `i` ('' if none), lazy mark included. */
export function quantifierAt(src: string, i: number): string {
  const c = src[i];
  let text = '';
  if (c === '*' || c === '+' || c === '?') text = c;
  else if (c === '{') text = /^\{\d+(?:,\d*)?\}/.exec(src.slice(i))?.[0] ?? '';
  if (text && src[i + text.length] === '?') text += '?';
  return text;
}

/** Whether a quantifier lets its atom repeat without bound. */
export function unbounded(q: string): boolean {
  return q.startsWith('*') || q.startsWith('+') || /^\{\d+,\}/.test(q);
}

/** Whether a quantifier lets its atom be skipped. */
export function optional(q: string): boolean {
  return q.startsWith('*') || q.startsWith('?') || /^\{0[,}]/.test(q);
}

/** Where the class starting at `i` (a '[') ends (index after its ']'). */
function classEnd(src: string, i: number): number {
  let j = i + 1;
  if (src[j] === '^') j++;
  if (src[j] === ']') j++;
  while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** Where the escape starting at `i` (a backslash) ends. */
function escapeEnd(src: string, i: number): number {
  const c = src[i + 1];
  if (c === 'k' && src[i + 2] === '<') return src.indexOf('>', i) + 1;
  if (c === 'x') return i + 4;
  if (c === 'u') return src[i + 2] === '{' ? src.indexOf('}', i) + 1 : i + 6;
  if (c === 'c') return i + 3;
  if (c !== undefined && /[1-9]/.test(c)) return i + 1 + /^\d+/.exec(src.slice(i + 1))![0].length;
  return i + 2;
}

const HEADS: [RegExp, GroupKind][] = [
  [/^\(\?:/, 'nocap'],
  [/^\(\?=/, 'ahead'],
  [/^\(\?!/, 'nahead'],
  [/^\(\?<=/, 'behind'],
  [/^\(\?<!/, 'nbehind'],
  [/^\(\?<([A-Za-z_$][\w$]*)>/, 'cap'],
  [/^\(/, 'cap'],
];

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '(') {
      const rest = src.slice(i, i + 64);
      for (const [re, kind] of HEADS) {
        const m = re.exec(rest);
        if (!m) continue;
        out.push({ k: 'open', head: m[0], kind, ...(m[1] !== undefined ? { name: m[1] } : {}), start: i, end: i + m[0].length });
        i += m[0].length;
        break;
      }
      continue;
    }
    if (c === ')') {
      const q = quantifierAt(src, i + 1);
      out.push({ k: 'close', q, start: i, end: i + 1 + q.length });
      i += 1 + q.length;
      continue;
    }
    if (c === '|') {
      out.push({ k: 'alt', start: i, end: i + 1 });
      i++;
      continue;
    }
    const end = c === '\\' ? escapeEnd(src, i) : c === '[' ? classEnd(src, i) : i + 1;
    const q = quantifierAt(src, end);
    out.push({ k: 'atom', text: src.slice(i, end), q, start: i, end: end + q.length });
    i = end + q.length;
  }
  return out;
}

/** Index of the token closing the group opened at token `open`. */
export function closingOf(tokens: Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.k === 'open') depth++;
    else if (t.k === 'close' && --depth === 0) return k;
  }
  return tokens.length;
}

/** Zero-width tokens: anchors and word boundaries read no character. */
export function zeroWidth(atom: string): boolean {
  return atom === '^' || atom === '$' || atom === '\\b' || atom === '\\B';
}

/** The tokens with every lookaround group removed (a superset language: fewer constraints). */
export function withoutLookarounds(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.k === 'open' && t.kind !== 'cap' && t.kind !== 'nocap') {
      k = closingOf(tokens, k);
      continue;
    }
    out.push(t);
  }
  return out;
}
