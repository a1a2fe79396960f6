// bantime.formula: fail2ban evaluates it as Python. We parse the documented subset ourselves
// (numbers, ban.Time, ban.Count, banFactor, arithmetic, shifts, comparisons, `x if c else y`,
// and/or/not, min/max/abs/float/int/round, math.*) and refuse every other name, so a formula
// can never reach an attribute, a builtin or the file system. No eval, no Function.

import type { Place } from '../types.ts';
import { ConfigError } from '../util/errors.ts';
import { tokenize, FormulaSyntaxError, type Token } from './formula-lex.ts';

export interface FormulaVars {
  /** ban.Time / banTime: the jail's bantime in seconds. */
  banTime: number;
  /** ban.Count / banCount: how often the address was banned before. */
  banCount: number;
  /** banFactor: bantime.factor. */
  banFactor: number;
}

export interface Formula {
  text: string;
  /** Throws ConfigError (naming the formula) on a math error such as a division by zero. */
  evaluate(vars: FormulaVars): number;
}

type Node =
  | { t: 'num'; v: number }
  | { t: 'var'; name: keyof FormulaVars }
  | { t: 'const'; v: number }
  | { t: 'unary'; op: string; a: Node }
  | { t: 'bin'; op: string; a: Node; b: Node }
  | { t: 'cmp'; ops: string[]; items: Node[] }
  | { t: 'bool'; op: 'and' | 'or'; a: Node; b: Node }
  | { t: 'not'; a: Node }
  | { t: 'if'; cond: Node; then: Node; else: Node }
  | { t: 'call'; fn: string; args: Node[] };

// Maps, not object literals: a name like `valueOf` or `__proto__` must not find Object.prototype.
const VARIABLES = new Map<string, keyof FormulaVars>(Object.entries({
  'ban.Time': 'banTime',
  'ban.Count': 'banCount',
  banFactor: 'banFactor',
  banTime: 'banTime',
  banCount: 'banCount',
} as Record<string, keyof FormulaVars>));

const CONSTANTS = new Map<string, number>(Object.entries({ True: 1, False: 0, 'math.e': Math.E, 'math.pi': Math.PI }));

/** Allowed functions and their argument counts [min, max]. */
const FUNCTIONS = new Map<string, [number, number]>(Object.entries({
  min: [2, 16],
  max: [2, 16],
  abs: [1, 1],
  float: [1, 1],
  int: [1, 1],
  round: [1, 2],
  'math.exp': [1, 1],
  'math.log': [1, 2],
  'math.log2': [1, 1],
  'math.log10': [1, 1],
  'math.sqrt': [1, 1],
  'math.pow': [2, 2],
  'math.floor': [1, 1],
  'math.ceil': [1, 1],
} as Record<string, [number, number]>));

const KNOWN = [...VARIABLES.keys(), ...CONSTANTS.keys(), ...FUNCTIONS.keys()];
/** `name` is a known name, or the start of one (`math` of `math.exp`). */
function knownOrPrefix(name: string): boolean {
  return KNOWN.some((k) => k === name || k.startsWith(name + '.'));
}

const ALLOWED_HINT =
  'allowed: numbers, ban.Time, ban.Count, banFactor, + - * / // % ** << >> & | ^ ~, comparisons, and/or/not, ' +
  '"x if c else y", min, max, abs, float, int, round, math.exp, math.log, math.sqrt, math.pow, math.floor, math.ceil';

/** Formulas are one line of config; the caps keep a hostile one from exhausting the stack. */
const MAX_LENGTH = 1000;
const MAX_DEPTH = 100;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly toks: Token[]) {}

  /** Reaching a refused token is the error: everything before it parsed. */
  private peek(): Token {
    const t = this.toks[this.i]!;
    if (t.kind === 'bad') throw new FormulaSyntaxError(t.text, t.pos, t.why!);
    return t;
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.i++;
    return t;
  }
  private isOp(text: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === text;
  }
  private isWord(text: string): boolean {
    const t = this.peek();
    return t.kind === 'name' && t.text === text;
  }
  private expect(text: string): void {
    const t = this.peek();
    if (t.kind === 'end') throw new FormulaSyntaxError(t.text, t.pos, `comes too early: "${text}" is missing`);
    if (!(t.kind === 'op' && t.text === text)) throw new FormulaSyntaxError(t.text, t.pos, `is unexpected ("${text}" expected)`);
    this.next();
  }
  private enter(): void {
    if (++this.depth > MAX_DEPTH) {
      const t = this.peek();
      throw new FormulaSyntaxError(t.text, t.pos, `nests deeper than ${MAX_DEPTH} levels`);
    }
  }

  parseAll(): Node {
    const n = this.test();
    const t = this.peek();
    if (t.kind !== 'end') throw new FormulaSyntaxError(t.text, t.pos, 'is unexpected');
    return n;
  }

  // test: or_test ['if' or_test 'else' test]
  private test(): Node {
    this.enter();
    const a = this.orTest();
    let out = a;
    if (this.isWord('if')) {
      this.next();
      const cond = this.orTest();
      const t = this.peek();
      if (!this.isWord('else')) throw new FormulaSyntaxError(t.text, t.pos, 'is unexpected ("else" expected)');
      this.next();
      out = { t: 'if', cond, then: a, else: this.test() };
    }
    this.depth--;
    return out;
  }
  private orTest(): Node {
    let a = this.andTest();
    while (this.isWord('or')) {
      this.next();
      a = { t: 'bool', op: 'or', a, b: this.andTest() };
    }
    return a;
  }
  private andTest(): Node {
    let a = this.notTest();
    while (this.isWord('and')) {
      this.next();
      a = { t: 'bool', op: 'and', a, b: this.notTest() };
    }
    return a;
  }
  private notTest(): Node {
    if (this.isWord('not')) {
      this.next();
      this.enter();
      const a = this.notTest();
      this.depth--;
      return { t: 'not', a };
    }
    return this.comparison();
  }
  private comparison(): Node {
    const first = this.bitOr();
    const ops: string[] = [];
    const items = [first];
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || !['<', '>', '<=', '>=', '==', '!='].includes(t.text)) break;
      this.next();
      ops.push(t.text);
      items.push(this.bitOr());
    }
    return ops.length ? { t: 'cmp', ops, items } : first;
  }
  private binaryLevel(ops: string[], sub: () => Node): Node {
    let a = sub();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || !ops.includes(t.text)) return a;
      this.next();
      a = { t: 'bin', op: t.text, a, b: sub() };
    }
  }
  private bitOr = (): Node => this.binaryLevel(['|'], this.bitXor);
  private bitXor = (): Node => this.binaryLevel(['^'], this.bitAnd);
  private bitAnd = (): Node => this.binaryLevel(['&'], this.shift);
  private shift = (): Node => this.binaryLevel(['<<', '>>'], this.arith);
  private arith = (): Node => this.binaryLevel(['+', '-'], this.term);
  private term = (): Node => this.binaryLevel(['*', '/', '//', '%'], this.factor);
  private factor = (): Node => {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '+' || t.text === '~')) {
      this.next();
      this.enter();
      const a = this.factor();
      this.depth--;
      return { t: 'unary', op: t.text, a };
    }
    return this.power();
  };
  // power: atom ['**' factor]  (right-associative, binds tighter than a unary minus on its left)
  private power(): Node {
    const a = this.atom();
    if (this.isOp('**')) {
      this.next();
      this.enter();
      const b = this.factor();
      this.depth--;
      return { t: 'bin', op: '**', a, b };
    }
    return a;
  }
  private atom(): Node {
    const t = this.next();
    if (t.kind === 'num') return { t: 'num', v: t.value! };
    if (t.kind === 'op' && t.text === '(') {
      const n = this.test();
      this.expect(')');
      this.refuseTrailer();
      return n;
    }
    if (t.kind === 'name') {
      // A dotted name is read whole and must be one we know, checked part by part before looking
      // further: `ban.Time.__class__` stops at `__class__`, `lambda: 1` at `lambda`.
      let name = t.text;
      if (!knownOrPrefix(name)) throw new FormulaSyntaxError(name, t.pos, 'is not allowed');
      while (this.isOp('.')) {
        this.next();
        const part = this.next();
        if (part.kind !== 'name') throw new FormulaSyntaxError(part.text, part.pos, 'is unexpected after "."');
        name = `${name}.${part.text}`;
        if (!knownOrPrefix(name)) throw new FormulaSyntaxError(name, t.pos, 'is not allowed');
      }
      if (this.isOp('(')) {
        const arity = FUNCTIONS.get(name);
        if (!arity) throw new FormulaSyntaxError(name, t.pos, 'is not a function we allow');
        this.next();
        const args: Node[] = [];
        if (!this.isOp(')')) {
          args.push(this.test());
          while (this.isOp(',')) {
            this.next();
            if (this.isOp(')')) break;
            args.push(this.test());
          }
        }
        this.expect(')');
        if (args.length < arity[0] || args.length > arity[1]) {
          throw new FormulaSyntaxError(name, t.pos, `takes ${arity[0] === arity[1] ? arity[0] : `${arity[0]} to ${arity[1]}`} argument(s), not ${args.length}`);
        }
        this.refuseTrailer();
        return { t: 'call', fn: name, args };
      }
      const v = VARIABLES.get(name);
      if (v) return { t: 'var', name: v };
      const c = CONSTANTS.get(name);
      if (c !== undefined) return { t: 'const', v: c };
      throw new FormulaSyntaxError(name, t.pos, FUNCTIONS.has(name) ? 'must be called' : 'is not allowed');
    }
    if (t.kind === 'end') throw new FormulaSyntaxError(t.text, t.pos, 'comes too early: a value is missing');
    throw new FormulaSyntaxError(t.text, t.pos, 'is unexpected');
  }
  /** `(x).attr`, `f(x)(y)` and `x[0]` reach past the values we allow. */
  private refuseTrailer(): void {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '.' || t.text === '(')) throw new FormulaSyntaxError(t.text, t.pos, 'is not allowed here');
  }
}

class MathError extends Error {}

function int(x: number, op: string): bigint {
  if (!Number.isInteger(x)) throw new MathError(`${op} needs whole numbers, got ${x}`);
  return BigInt(x);
}

function pyMod(a: number, b: number): number {
  if (b === 0) throw new MathError('modulo by zero');
  return a - b * Math.floor(a / b);
}

/** Python 3's round(): halves go to the even neighbour. */
function pyRound(x: number, digits = 0): number {
  const m = 10 ** Math.trunc(digits);
  const y = x * m;
  const f = Math.floor(y);
  const d = y - f;
  const r = d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
  return r / m;
}

function binary(op: string, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/':
      if (b === 0) throw new MathError('division by zero');
      return a / b;
    case '//':
      if (b === 0) throw new MathError('division by zero');
      return Math.floor(a / b);
    case '%': return pyMod(a, b);
    case '**':
      if (a === 0 && b < 0) throw new MathError('0 cannot be raised to a negative power');
      if (a < 0 && !Number.isInteger(b)) throw new MathError('a negative number to a fractional power is not real');
      return a ** b;
    case '<<':
    case '>>': {
      int(a, op);
      int(b, op);
      if (b < 0) throw new MathError('negative shift count');
      // As multiplication: JS's << is 32-bit, Python's ints are not.
      return op === '<<' ? a * 2 ** b : Math.floor(a / 2 ** b);
    }
    case '&': return Number(int(a, op) & int(b, op));
    case '|': return Number(int(a, op) | int(b, op));
    case '^': return Number(int(a, op) ^ int(b, op));
  }
  throw new MathError(`unknown operator ${op}`);
}

function call(fn: string, x: number[]): number {
  const a = x[0]!;
  switch (fn) {
    case 'min': return Math.min(...x);
    case 'max': return Math.max(...x);
    case 'abs': return Math.abs(a);
    case 'float': return a;
    case 'int': return Math.trunc(a);
    case 'round': return pyRound(a, x[1]);
    case 'math.exp': return Math.exp(a);
    case 'math.log': {
      if (a <= 0 || (x.length > 1 && (x[1]! <= 0 || x[1] === 1))) throw new MathError('math.log of a number <= 0 (or base 1)');
      return x.length > 1 ? Math.log(a) / Math.log(x[1]!) : Math.log(a);
    }
    case 'math.log2':
    case 'math.log10':
      if (a <= 0) throw new MathError(`${fn} of a number <= 0`);
      return fn === 'math.log2' ? Math.log2(a) : Math.log10(a);
    case 'math.sqrt':
      if (a < 0) throw new MathError('math.sqrt of a negative number');
      return Math.sqrt(a);
    case 'math.pow': return binary('**', a, x[1]!);
    case 'math.floor': return Math.floor(a);
    case 'math.ceil': return Math.ceil(a);
  }
  throw new MathError(`unknown function ${fn}`);
}

function evaluateNode(n: Node, vars: FormulaVars): number {
  switch (n.t) {
    case 'num':
    case 'const':
      return n.v;
    case 'var':
      return vars[n.name];
    case 'unary': {
      const a = evaluateNode(n.a, vars);
      if (n.op === '-') return -a;
      if (n.op === '+') return a;
      return Number(~int(a, '~'));
    }
    case 'bin':
      return binary(n.op, evaluateNode(n.a, vars), evaluateNode(n.b, vars));
    case 'cmp': {
      let left = evaluateNode(n.items[0]!, vars);
      for (let i = 0; i < n.ops.length; i++) {
        const right = evaluateNode(n.items[i + 1]!, vars);
        const op = n.ops[i]!;
        const ok =
          op === '<' ? left < right : op === '>' ? left > right : op === '<=' ? left <= right
          : op === '>=' ? left >= right : op === '==' ? left === right : left !== right;
        if (!ok) return 0;
        left = right;
      }
      return 1;
    }
    case 'bool': {
      const a = evaluateNode(n.a, vars);
      if (n.op === 'and') return a ? evaluateNode(n.b, vars) : a;
      return a ? a : evaluateNode(n.b, vars);
    }
    case 'not':
      return evaluateNode(n.a, vars) ? 0 : 1;
    case 'if':
      return evaluateNode(n.cond, vars) ? evaluateNode(n.then, vars) : evaluateNode(n.else, vars);
    case 'call':
      return call(n.fn, n.args.map((a) => evaluateNode(a, vars)));
  }
}

/** The place of `bantime.formula` in a jail, for messages. */
export function formulaPlace(jailSource: Place, jail: string): Place {
  return { file: jailSource.file, section: jail, key: 'bantime.formula' };
}

/**
 * Parse a formula once. Throws ConfigError naming the formula and the token it refuses.
 * With no variables in it, the same function evaluates constant expressions such as
 * bantime.factor = 2.0 / 2.885385.
 */
export function compileFormula(text: string, place: Place): Formula {
  const shown = text.length > 120 ? `${text.slice(0, 117)}...` : text;
  const refuse = (msg: string) => new ConfigError(place, `formula "${shown}": ${msg}`);
  if (text.length > MAX_LENGTH) throw refuse(`is longer than ${MAX_LENGTH} characters`);
  let ast: Node;
  try {
    ast = new Parser(tokenize(text)).parseAll();
  } catch (e) {
    if (e instanceof FormulaSyntaxError) throw refuse(`"${e.token}" (column ${e.pos + 1}) ${e.why}; ${ALLOWED_HINT}`);
    throw e;
  }
  return {
    text,
    evaluate(vars: FormulaVars): number {
      try {
        const v = evaluateNode(ast, vars);
        if (Number.isNaN(v)) throw new MathError('the result is not a number');
        return v;
      } catch (e) {
        if (e instanceof MathError) {
          throw refuse(`${e.message} (ban.Time=${vars.banTime}, ban.Count=${vars.banCount}, banFactor=${vars.banFactor})`);
        }
        throw e;
      }
    },
  };
}
