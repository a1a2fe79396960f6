// A log's bytes as text, in the encoding its jail's logencoding names (util/log-encoding.ts maps
// fail2ban's Python codec names to these decoders). UTF-8 stays Node's own fast path; where
// Node's decoders read a byte otherwise than Python's codec of that name, the byte is read as
// Python reads it (test/sources/log-encoding.test.ts compares every byte value).

import { isUtf8 } from 'node:buffer';
import type { LogDecoding } from '../util/log-encoding.ts';

/** cp1252's 0x80-0x9F as Python's codec reads them (U+FFFD: a byte it leaves undefined). */
const CP1252_80_9F = [...'€\uFFFD‚ƒ„…†‡ˆ‰Š‹Œ\uFFFDŽ\uFFFD\uFFFD‘’“”•–—˜™š›œ\uFFFDžŸ'];

/** Decodes buf[a, e) as text; `bad` is set when some bytes were not valid in the encoding. */
export type Decode = (buf: Buffer, a: number, e: number, bad: { seen: boolean }) => string;

/** The decoder for a log's encoding (see util/log-encoding.ts); UTF-8 stays Node's own fast path. */
export function decoderFor(decoding: LogDecoding): Decode {
  switch (decoding) {
    case 'utf-8':
      return (buf, a, e, bad) => {
        if (!bad.seen && !isUtf8(buf.subarray(a, e))) bad.seen = true;
        return buf.toString('utf8', a, e);
      };
    case 'latin1':
      return (buf, a, e) => buf.toString('latin1', a, e);
    case 'ascii':
      return (buf, a, e, bad) => {
        const s = buf.toString('latin1', a, e);
        if (!/[\x80-\xff]/.test(s)) return s;
        bad.seen = true;
        return s.replace(/[\x80-\xff]/g, '\uFFFD');
      };
    case 'windows-1252':
      // Node's TextDecoder reads windows-1252 as Latin-1 (0x80-0x9F stay C1 controls): map them.
      return (buf, a, e, bad) => {
        const s = buf.toString('latin1', a, e);
        if (!/[\x80-\x9f]/.test(s)) return s;
        return s.replace(/[\x80-\x9f]/g, (c) => {
          const u = CP1252_80_9F[c.charCodeAt(0) - 0x80]!;
          if (u === '\uFFFD') bad.seen = true;
          return u;
        });
      };
    default: {
      const strict = new TextDecoder(decoding, { fatal: true });
      const lenient = new TextDecoder(decoding);
      const fix = icuFixes(decoding);
      return (buf, a, e, bad) => {
        const bytes = buf.subarray(a, e);
        let s: string;
        try {
          s = strict.decode(bytes);
        } catch {
          bad.seen = true;
          s = lenient.decode(bytes);
        }
        return fix ? fix(s, bad) : s;
      };
    }
  }
}

/**
 * Where ICU's decoder reads other characters than Python's codec of the same name: ICU swaps
 * the controls 0x1A, 0x1C and 0x7F in some tables (ibm866, shift_jis) and gives a windows-125x
 * byte that Python leaves undefined its C1 control (U+0080-U+009F) instead of an error.
 */
function icuFixes(decoding: string): ((s: string, bad: { seen: boolean }) => string) | null {
  const probe = new TextDecoder(decoding).decode(Uint8Array.from([0x1a, 0x1c, 0x7f]));
  const swap = new Map<string, string>();
  if (probe.length === 3) [...probe].forEach((c, i) => c !== '\x1a\x1c\x7f'[i] && swap.set(c, '\x1a\x1c\x7f'[i]!));
  const c1IsUndefined = decoding.startsWith('windows-');
  if (swap.size === 0 && !c1IsUndefined) return null;
  return (s, bad) => {
    if (swap.size > 0 && /[\x1a\x1c\x7f]/.test(s)) s = s.replace(/[\x1a\x1c\x7f]/g, (c) => swap.get(c) ?? c);
    if (c1IsUndefined && /[\x80-\x9f]/.test(s)) {
      bad.seen = true;
      s = s.replace(/[\x80-\x9f]/g, '\uFFFD');
    }
    return s;
  };
}

