// The regex parts of a datepattern are written in Python's dialect; this turns the few Python-only
// forms that datepatterns use into JavaScript. (The rule engine has its own, fuller translator for
// failregex; dates stay independent of it.)

export interface PyTranslation {
  source: string;
  /** JS flags asked for by inline groups such as `(?i)`. */
  flags: string;
}

/** Throws Error with a short reason when the pattern uses something JS cannot express. */
export function translatePythonRegex(src: string): PyTranslation {
  let out = '';
  let flags = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) throw new Error('pattern ends with a lone backslash');
      if (!inClass && n === 'Z') out += '$';
      else if (!inClass && n === 'A') out += '^';
      else out += c + n;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // a ']' right after '[' or '[^' is a literal in Python
      if (src[i + 1] === '^') { out += '^'; i++; }
      if (src[i + 1] === ']') { out += '\\]'; i++; }
      continue;
    }
    if (c === '(' && src[i + 1] === '?') {
      const rest = src.slice(i + 2);
      let m: RegExpExecArray | null;
      if ((m = /^P<([A-Za-z_]\w*)>/.exec(rest))) {
        out += `(?<${m[1]}>`;
        i += 1 + m[0].length;
        continue;
      }
      if ((m = /^P=([A-Za-z_]\w*)\)/.exec(rest))) {
        out += `\\k<${m[1]}>`;
        i += 1 + m[0].length;
        continue;
      }
      if ((m = /^([aiLmsux]+)\)/.exec(rest))) {
        for (const f of m[1]!) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
        i += 1 + m[0].length;
        continue;
      }
      if (rest.startsWith('(')) throw new Error('conditional groups (?(...)...) are not supported');
      if (rest.startsWith('#')) {
        const end = src.indexOf(')', i);
        if (end < 0) throw new Error('unterminated comment group');
        i = end;
        continue;
      }
    }
    out += c;
  }
  if (inClass) throw new Error('unterminated character class');
  return { source: out, flags };
}

/**
 * The number (1-based) of the first plain capturing group `( … )` of a JS pattern, counting named
 * groups before it as JS does; 0 when there is none. That group holds the date text.
 */
export function firstPlainGroup(src: string): number {
  let inClass = false;
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') { i++; continue; }
    if (inClass) { if (c === ']') inClass = false; continue; }
    if (c === '[') { inClass = true; if (src[i + 1] === '^') i++; if (src[i + 1] === ']') i++; continue; }
    if (c !== '(') continue;
    if (src[i + 1] !== '?') return n + 1;
    if (src[i + 2] === '<' && src[i + 3] !== '=' && src[i + 3] !== '!') n++;
  }
  return 0;
}
