// The state as JSON text in pieces, the same text JSON.stringify makes of it: a state of
// 342,000 tickets is 13.5 MB of JSON, and made as one string (twice over while JSON.stringify
// builds it) it was the top of a large run's memory. The writer appends the pieces as they come.

/** Array elements stringified at a time. */
const SLICE = 16_384;

/**
 * Where parts of the text being written begin and end: the writer adds each piece's length to
 * `pos` once it took it, so a generator that marks `pos` between its pieces marks a character
 * offset in the whole text (the state file's index of its tables, state-text.ts).
 */
export class TextSpans {
  pos = 0;
  /** [start, end) of each part marked, in text order. */
  readonly list: [number, number][] = [];
}

/**
 * The JSON text of `value`, in pieces whose concatenation is `JSON.stringify(value)`. With
 * `spans`, the values that write their own pieces mark there where their parts are.
 */
export function* jsonChunks(value: unknown, spans?: TextSpans): Generator<string> {
  let v = value;
  // A value that writes its own JSON in pieces (a state table, table-text.ts).
  if (v !== null && typeof v === 'object' && typeof (v as { jsonPieces?: unknown }).jsonPieces === 'function') {
    yield* (v as { jsonPieces(spans?: TextSpans): Iterable<string> }).jsonPieces(spans);
    return;
  }
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON(): unknown }).toJSON();
  if (Array.isArray(v)) {
    if (v.length <= SLICE) {
      yield JSON.stringify(v);
      return;
    }
    yield '[';
    for (let i = 0; i < v.length; i += SLICE) {
      const part = JSON.stringify(v.slice(i, i + SLICE));
      yield (i > 0 ? ',' : '') + part.slice(1, -1);
    }
    yield ']';
    return;
  }
  if (v === null || typeof v !== 'object') {
    // undefined, a function or a symbol at the top: JSON.stringify gives undefined; none in a state.
    yield JSON.stringify(v) ?? 'null';
    return;
  }
  yield '{';
  let first = true;
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    // What JSON.stringify leaves out of an object.
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    yield `${first ? '' : ','}${JSON.stringify(k)}:`;
    first = false;
    yield* jsonChunks(x, spans);
  }
  yield '}';
}
