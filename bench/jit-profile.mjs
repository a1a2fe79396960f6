// Instructions by function, V8's generated code included: cachegrind names none of the code V8
// compiles at run time (all of it is "???"), which is most of a scan. Under callgrind with
// --dump-instr=yes every instruction address keeps its count, and node's --perf-basic-prof writes
// where each piece of generated code lies (/tmp/perf-PID.map: "start size name"): together they
// give the JavaScript functions and regexes their instructions, without a sampling profiler's
// noise on this VM. --no-compact-code-space keeps code where the map says it is.

/** node's flags for a run read by readJitProfile(). */
export const JIT_MAP_FLAGS = ['--perf-basic-prof', '--no-compact-code-space'];

/** The V8 perf map's entries, sorted by start, and a lookup of an address in them. */
export function readPerfMap(text) {
  const entries = [];
  for (const line of text.split('\n')) {
    const a = line.indexOf(' ');
    const b = line.indexOf(' ', a + 1);
    if (a < 0 || b < 0) continue;
    entries.push({ start: parseInt(line.slice(0, a), 16), size: parseInt(line.slice(a + 1, b), 16), name: line.slice(b + 1) });
  }
  entries.sort((x, y) => x.start - y.start);
  const starts = entries.map((e) => e.start);
  return (addr) => {
    let lo = 0;
    let hi = starts.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= addr) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return at >= 0 && addr < entries[at].start + entries[at].size ? entries[at].name : null;
  };
}

/**
 * A V8 code name as a row: "JS:*onLine file:///…/dist/chunk-X.js:294:18" → "JS onLine (chunk-X.js:294)",
 * "RegExp:^(?<mlfid>…" → "regex ^(?<mlfid>…" (cut), "Builtin:RecordWriteSaveFP" → "builtin
 * RecordWriteSaveFP" (as the builtins cachegrind names). The tier marks (*, ^, ~) are dropped: a
 * function's instructions are counted together whichever tier ran them.
 */
export function codeRow(name) {
  if (name.startsWith('RegExp:')) return `regex ${name.slice(7, 87)}`;
  if (name.startsWith('Builtin:')) return `builtin ${name.slice(8)}`;
  const m = /^(?:(JS|LazyCompile|Function|Script|Eval):)?[*^~+-]?(\S*)(?: (\S+))?/.exec(name);
  if (m[1] === undefined && name.includes(':')) return `V8 ${name.slice(0, 80)}`;
  const fn = m[2] || '(anonymous)';
  const where = m[3] ? m[3].replace(/^.*\//, '').replace(/:(\d+):\d+$/, ':$1') : '';
  return `JS ${fn}${where ? ` (${where})` : ''}`;
}

/**
 * Self instructions by row: generated code by its perf map name (codeRow), V8's builtins by
 * name, the rest of the C++ by `kindOf` (instructions.mjs). Reads callgrind's format: a cost line
 * is its positions (as `positions:` lists them, the instruction's first: absolute 0x…, relative
 * +N/-N, or * the same) then the count; names compressed as "(id) name" then "(id)"; after each
 * calls= line one line of inclusive cost, not counted here.
 */
export function readJitProfile(callgrindText, lookup, kindOf) {
  const rows = new Map();
  const names = new Map();
  const named = (s) => {
    const m = /^\((\d+)\)(?: (.*))?$/.exec(s);
    if (!m) return s;
    if (m[2] !== undefined) names.set(m[1], m[2]);
    return names.get(m[1]) ?? s;
  };
  const add = (row, n) => rows.set(row, (rows.get(row) ?? 0) + n);
  let fn = '';
  let generated = false;
  let last = 0;
  let callCost = false;
  // The count's column: after "instr line" unless the header says otherwise.
  let countAt = 2;
  for (const line of callgrindText.split('\n')) {
    const c = line.charCodeAt(0);
    const isCost = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 42;
    if (isCost) {
      const sp = line.indexOf(' ');
      const pos = sp < 0 ? line : line.slice(0, sp);
      if (pos === '*') {
        // the same address
      } else if (c === 43 || c === 45) last += (c === 43 ? 1 : -1) * Number(pos.slice(1));
      else last = Number(pos);
      if (callCost) {
        callCost = false;
        continue;
      }
      const parts = line.split(' ');
      const n = Number(parts[countAt] ?? 0);
      if (!Number.isFinite(n) || n === 0) continue;
      if (!generated) add(fn.startsWith('Builtins_') ? `builtin ${fn.slice(9)}` : kindOf(fn), n);
      else {
        const name = lookup(last);
        add(name === null ? 'generated code not in the map' : codeRow(name), n);
      }
    } else if (line.startsWith('positions:')) countAt = line.slice(10).trim().split(/\s+/).length;
    else if (line.startsWith('fn=')) {
      fn = named(line.slice(3));
      generated = fn === '???' || /^0x[0-9a-f]+$/i.test(fn);
    } else if (line.startsWith('cfn=')) named(line.slice(4));
    else if (line.startsWith('calls=')) callCost = true;
  }
  return rows;
}
