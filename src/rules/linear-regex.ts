// A regex run by re2js, Google RE2's linear-time engine in pure JavaScript: matching time grows
// with the line's length only, whatever the line holds. It answers like a RegExp (exec with
// index, groups and, when asked, indices; test), so the matcher uses either alike.

import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';

type Re2js = typeof import('re2js');
let engine: Re2js | undefined;

/**
 * re2js, loaded the first time a regex needs it: evaluating it costs ~14 ms of CPU, which a
 * cron run whose rules all run on V8 should not pay. In dist/ the bundle defines `require` and
 * the build points this call at dist/re2js.cjs, a file of its own (inside a chunk, every run
 * that loads the rules would parse its 270 KB); from the sources it is the npm package.
 */
function re2js(): Re2js {
  if (engine) return engine;
  engine = (typeof require === 'function' ? require('re2js') : createRequire(import.meta.url)('re2js')) as Re2js;
  return engine;
}

export interface RegexRunner {
  exec(text: string): RegExpExecArray | null;
  test(text: string): boolean;
  lastIndex: number;
}

export class LinearRegex implements RegexRunner {
  lastIndex = 0;
  private readonly re: RE2JS;
  private readonly names: [string, number][];
  private readonly groupCount: number;

  constructor(
    source: string,
    flags: string,
    lookbehind: boolean,
    private readonly withIndices: boolean,
  ) {
    const { RE2JS } = re2js();
    let f = 0;
    if (flags.includes('i')) f |= RE2JS.CASE_INSENSITIVE;
    if (flags.includes('s')) f |= RE2JS.DOTALL;
    if (flags.includes('m')) f |= RE2JS.MULTILINE;
    if (lookbehind) f |= RE2JS.LOOKBEHINDS;
    this.re = RE2JS.compile(source, f);
    this.names = Object.entries(this.re.namedGroups());
    this.groupCount = this.re.groupCount();
  }

  test(text: string): boolean {
    return this.re.test(text);
  }

  exec(text: string): RegExpExecArray | null {
    const m = this.re.matcher(text);
    if (!m.find()) return null;
    const out = [] as unknown as RegExpExecArray & { indices?: RegExpIndicesArray };
    for (let g = 0; g <= this.groupCount; g++) out.push(m.group(g) ?? (undefined as unknown as string));
    out.index = m.start(0);
    out.input = text;
    const groups: Record<string, string | undefined> = Object.create(null);
    for (const [name, g] of this.names) groups[name] = out[g];
    out.groups = this.names.length ? (groups as Record<string, string>) : undefined;
    if (this.withIndices) {
      const ind = [] as unknown as RegExpIndicesArray;
      for (let g = 0; g <= this.groupCount; g++) ind.push(out[g] === undefined ? (undefined as unknown as [number, number]) : [m.start(g), m.end(g)]);
      const gi: Record<string, [number, number] | undefined> = Object.create(null);
      for (const [name, g] of this.names) gi[name] = ind[g];
      ind.groups = this.names.length ? (gi as Record<string, [number, number]>) : undefined;
      out.indices = ind;
    }
    return out;
  }
}
