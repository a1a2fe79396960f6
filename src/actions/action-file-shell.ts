// Puts values that came from a log (<matches>, <F-USER>, ...) into an action file's shell
// command without ever making them shell syntax. The text itself never enters the script:
// each value is passed in an environment variable and the tag becomes a quoted reference to
// it, shaped for where the tag stands (bare, inside "...", inside '...'). A shell expands a
// variable's value once and never reads it again as code, so `$(touch /tmp/x)`, backticks
// or `;` in a user name stay text. Even where the quote tracking below were wrong (an odd
// construct in a custom action), the worst outcome is the reference printed literally or
// with stray quotes: still no command runs.

export interface LogValues {
  /** The script with every log tag replaced by a variable reference. */
  script: string;
  /** Variables to give the shell: name -> value. */
  env: Record<string, string>;
}

/** Tags whose values come from a log line (fail2ban's escaped tags) rather than from the configuration. */
export function isLogTag(name: string): boolean {
  return name === 'matches' || name === 'ipmatches' || name === 'ipjailmatches' || name.startsWith('F-');
}

/** The environment variable carrying a log tag's value: <F-USER> -> F2B_F_USER. */
export function envName(tag: string): string {
  return `F2B_${tag.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
}

type Ctx = 'code' | 'subst' | 'bt' | 'dq' | 'sq';
const TAG = /^<([^\s<>]+)>/;

/**
 * Replaces each log tag in `script` (a tag `value` knows) by a reference to its variable.
 * `value` returns undefined for tags that are not log tags.
 */
export function insertLogValues(script: string, value: (tag: string) => string | undefined): LogValues {
  const env: Record<string, string> = {};
  const stack: Ctx[] = ['code'];
  const top = () => stack[stack.length - 1]!;
  const isCode = () => top() === 'code' || top() === 'subst' || top() === 'bt';
  let out = '';
  let i = 0;
  while (i < script.length) {
    const c = script[i]!;
    if (c === '<') {
      const m = TAG.exec(script.slice(i, i + 200));
      const v = m && isLogTag(m[1]!) ? value(m[1]!) : undefined;
      if (m && v !== undefined) {
        const name = envName(m[1]!);
        // A NUL cannot travel in the environment; it has no business in a log line either.
        env[name] = v.replace(/\0/g, '');
        out += reference(name, top());
        i += m[0].length;
        continue;
      }
    }
    const ctx = top();
    if (ctx === 'sq') {
      if (c === "'") stack.pop();
      out += c;
      i++;
      continue;
    }
    if (c === '\\') {
      out += script.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (ctx === 'dq') {
      if (c === '"') stack.pop();
      else if (c === '$' && script[i + 1] === '(') {
        stack.push('subst');
        out += '$(';
        i += 2;
        continue;
      } else if (c === '`') stack.push('bt');
      out += c;
      i++;
      continue;
    }
    // Code: a command line, a $( ) or ( ) body, or a backtick substitution.
    if (c === '#' && isCode() && (i === 0 || /[\s;&|()]/.test(script[i - 1]!))) {
      const end = script.indexOf('\n', i);
      const stop = end < 0 ? script.length : end;
      out += script.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === "'") stack.push('sq');
    else if (c === '"') stack.push('dq');
    else if (c === '`') {
      if (ctx === 'bt') stack.pop();
      else stack.push('bt');
    } else if (c === '(') stack.push('subst');
    else if (c === ')' && ctx === 'subst') stack.pop();
    out += c;
    i++;
  }
  return { script: out, env };
}

function reference(name: string, ctx: Ctx): string {
  switch (ctx) {
    case 'dq':
      return `\${${name}}`;
    case 'sq':
      // Close the single quotes, expand inside double quotes, reopen.
      return `'"\${${name}}"'`;
    default:
      // Quoted so the value is one word: no splitting, no globbing.
      return `"\${${name}}"`;
  }
}
