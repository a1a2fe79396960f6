// The characters one regex atom can read (`x`, `\[`, `\s`, `[^"]`, `.`), as an exact set of
// UTF-16 code units: JavaScript regexes without the `u` flag read code units, so testing all
// 65,536 of them with the engine itself gives the set exactly, case folding included. Only
// the loop proofs of a few risky regexes need it (a few ms per distinct atom, then cached).

const SIZE = 0x10000;
const cache = new Map<string, Uint8Array>();
let all: string | null = null;

function everyUnit(): string {
  if (all === null) {
    const units = new Array<string>(SIZE);
    for (let c = 0; c < SIZE; c++) units[c] = String.fromCharCode(c);
    all = units.join('');
  }
  return all;
}

/** The code units `atom` reads under `flags` (only i and s matter). */
export function charsOf(atom: string, flags: string): Uint8Array {
  const f = flags.replace(/[^is]/g, '');
  const key = `${f}/${atom}`;
  let set = cache.get(key);
  if (set) return set;
  set = new Uint8Array(SIZE >> 3);
  // Every code unit appears once in everyUnit(): deleting what the atom reads (one native
  // replace) leaves exactly the units it does not read.
  set.fill(0xff);
  const rest = everyUnit().replace(new RegExp(`(?:${atom})`, `g${f}`), '');
  for (let k = 0; k < rest.length; k++) {
    const c = rest.charCodeAt(k);
    set[c >> 3]! &= ~(1 << (c & 7));
  }
  cache.set(key, set);
  return set;
}

export function disjoint(a: Uint8Array, b: Uint8Array): boolean {
  for (let k = 0; k < a.length; k++) if (a[k]! & b[k]!) return false;
  return true;
}

export function subset(a: Uint8Array, b: Uint8Array): boolean {
  for (let k = 0; k < a.length; k++) if (a[k]! & ~b[k]!) return false;
  return true;
}

export function union(sets: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(SIZE >> 3);
  for (const s of sets) for (let k = 0; k < out.length; k++) out[k]! |= s[k]!;
  return out;
}

/** Whether the atom reads the one character `ch` (cheap: no set is built). */
export function reads(atom: string, ch: string, flags: string): boolean {
  return new RegExp(`^(?:${atom})$`, flags.replace(/[^is]/g, '')).test(ch);
}

/** The one character a literal atom stands for (`x`, `\[`, `\n`), or null for classes, `.`, `\s`... */
export function literalChar(atom: string): string | null {
  if (atom.length === 1) return '.^$'.includes(atom) ? null : atom;
  if (atom.length === 2 && atom[0] === '\\') {
    const c = atom[1]!;
    if (!/[A-Za-z0-9]/.test(c)) return c;
    const control: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v' };
    return control[c] ?? null;
  }
  if (/^\\x[0-9a-fA-F]{2}$|^\\u[0-9a-fA-F]{4}$/.test(atom)) return String.fromCharCode(parseInt(atom.slice(2), 16));
  return null;
}
