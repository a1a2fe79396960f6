// fail2ban's `logencoding` names a Python codec (latin-1, iso-8859-15, cp1252, utf-8, koi8-r, ...;
// `auto` is the locale's). This maps those names, spelled as Python accepts them (any case, `-`,
// `_` or a space between the parts, Python's aliases), to the decoder that reads the same
// characters: Node's own for UTF-8 and Latin-1 (Python's latin-1 is ISO-8859-1 itself, where
// the WHATWG label "latin1" would mean windows-1252), a strict 7-bit reader for ascii, and the
// WHATWG TextDecoder (ICU) for the rest. Pure: no I/O.

/** What reads a log's bytes: 'utf-8', 'latin1', 'ascii', or a WHATWG encoding name. */
export type LogDecoding = 'utf-8' | 'latin1' | 'ascii' | (string & {});

const SAME = (names: string, to: string): [string, string][] => names.split(' ').map((n) => [n, to]);

/** Python codec names and aliases (normalized: lower case, `_` between parts) -> decoder. */
const ALIASES = new Map<string, string>([
  ...SAME('utf_8 utf8 u8 utf utf8_ucs2 utf8_ucs4 cp65001', 'utf-8'),
  ...SAME('latin_1 latin1 l1 iso8859_1 iso_8859_1 iso_8859_1_1987 iso_ir_100 8859 cp819 ibm819 csisolatin1', 'latin1'),
  ...SAME('ascii us_ascii us ansi_x3.4_1968 ansi_x3_4_1968 ansi_x3.4_1986 646 iso646_us cp367 ibm367 iso_ir_6 csascii', 'ascii'),
  ...SAME('latin2 l2', 'iso-8859-2'),
  ...SAME('latin3 l3', 'iso-8859-3'),
  ...SAME('latin4 l4', 'iso-8859-4'),
  ...SAME('cyrillic', 'iso-8859-5'),
  ...SAME('arabic', 'iso-8859-6'),
  ...SAME('greek greek8', 'iso-8859-7'),
  ...SAME('hebrew', 'iso-8859-8'),
  ...SAME('latin5 l5', 'iso-8859-9'),
  ...SAME('latin6 l6', 'iso-8859-10'),
  ...SAME('latin7 l7', 'iso-8859-13'),
  ...SAME('latin8 l8', 'iso-8859-14'),
  ...SAME('latin9 l9', 'iso-8859-15'),
  ...SAME('latin10 l10', 'iso-8859-16'),
  ...SAME('koi8_r', 'koi8-r'),
  ...SAME('koi8_u', 'koi8-u'),
  ...SAME('cp866 866 ibm866', 'ibm866'),
  ...SAME('mac_roman macroman macintosh', 'macintosh'),
  ...SAME('shift_jis sjis s_jis shiftjis csshiftjis cp932 932 ms932 mskanji ms_kanji', 'shift_jis'),
  ...SAME('euc_jp eucjp ujis u_jis', 'euc-jp'),
  ...SAME('iso2022_jp iso_2022_jp csiso2022jp', 'iso-2022-jp'),
  ...SAME('euc_kr euckr korean ksc5601 ks_c_5601 ks_c_5601_1987 ksx1001 ks_x_1001 cp949 949 ms949 uhc', 'euc-kr'),
  ...SAME('gb2312 chinese csiso58gb231280 euc_cn euccn eucgb2312_cn gb2312_1980 gb2312_80 iso_ir_58 gbk 936 cp936 ms936', 'gbk'),
  ...SAME('gb18030 gb18030_2000', 'gb18030'),
  ...SAME('big5 big5_tw csbig5 cp950 950 ms950', 'big5'),
]);

/** Python's spelling rules: case, and `-`, `_`, spaces between the parts, do not matter. */
function normalize(name: string): string {
  return name.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/** The codeset of the locale the run has (LC_ALL, LC_CTYPE, LANG), as Python's `auto` reads it. */
export function localeCodeset(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  const dot = locale.indexOf('.');
  // C and POSIX (and no locale at all, as under cron): Python 3.7+ reads UTF-8 there.
  if (dot < 0) return 'utf-8';
  return locale.slice(dot + 1).split('@')[0]!;
}

/**
 * The decoder for a fail2ban `logencoding` value, or why there is none (an unknown name, or
 * UTF-16/32: not line-based text).
 */
export function logDecoding(name: string, env?: Readonly<Record<string, string | undefined>>): { decoding: LogDecoding } | { error: string } {
  const n = normalize(name);
  if (n === 'auto') return logDecoding(localeCodeset(env), env);
  if (/^(utf_?(16|32)|u(16|32)|ucs_?[24])/.test(n)) {
    return { error: `${JSON.stringify(name)}: UTF-16 and UTF-32 logs are not line-based text f2b-scan can read` };
  }
  const alias = ALIASES.get(n);
  if (alias) return { decoding: alias };
  // iso8859_15, iso_8859_15, cp1252, windows_1252, ...: the WHATWG spelling of the same name.
  const m = /^(?:iso_?8859_?(\d+)|(?:cp|windows_)(125\d))$/.exec(n);
  const label = m ? (m[1] ? `iso-8859-${m[1]}` : `windows-${m[2]}`) : n.replace(/_/g, '-');
  try {
    const enc = new TextDecoder(label).encoding;
    // A WHATWG label that reads differently from Python's codec of that name is no answer.
    if (enc === 'utf-16le' || enc === 'utf-16be' || enc === 'replacement' || enc === 'x-user-defined') throw new Error();
    return { decoding: enc };
  } catch {
    return { error: `${JSON.stringify(name)} is not an encoding f2b-scan knows (a Python codec name such as utf-8, latin-1, iso-8859-15, cp1252)` };
  }
}

/** The decoder a jail's (already checked) logencoding names; UTF-8 when it names none. */
export function decodingOf(logencoding: string): LogDecoding {
  const r = logDecoding(logencoding);
  return 'decoding' in r ? r.decoding : 'utf-8';
}
