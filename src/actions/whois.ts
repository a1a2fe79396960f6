// Who owns an address, for ban mails: the `whois` program (Debian package whois) run with
// an argument array and a timeout. Whois servers may be unreachable, slow or absent: the
// answer is then a plain sentence saying why, never an exception, and never a held-up run.

import { run } from '../exec/run.ts';

export const DEFAULT_WHOIS_TIMEOUT_MS = 10_000;
/** A whois answer longer than this is cut: a mail is read by a person. */
const MAX_CHARS = 20_000;

export interface WhoisAnswer {
  ok: boolean;
  /** The whois output, or the sentence that says why there is none. */
  text: string;
}

/** Runs `whois <ip>`; `ip` is a parsed address, never text from a log. */
export async function whois(ip: string, timeoutMs = DEFAULT_WHOIS_TIMEOUT_MS): Promise<WhoisAnswer> {
  const r = await run('whois', [ip], { timeoutMs });
  const out = r.stdout.trim();
  if (!r.ok) {
    // whois exits non-zero for some registries that still answered: keep what it printed.
    if (out !== '' && r.code !== null) return { ok: true, text: cut(out) };
    return { ok: false, text: `No whois information: ${r.error ?? 'whois failed'}.` };
  }
  if (out === '') return { ok: false, text: 'No whois information: whois printed nothing.' };
  return { ok: true, text: cut(out) };
}

function cut(text: string): string {
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}\n[... whois output cut at ${MAX_CHARS} characters]` : text;
}

/** Whois for several addresses, a few at a time (one slow server must not serialise them all). */
export async function whoisAll(ips: readonly string[], timeoutMs: number, parallel = 4): Promise<Map<string, WhoisAnswer>> {
  const out = new Map<string, WhoisAnswer>();
  let next = 0;
  const worker = async () => {
    while (next < ips.length) {
      const ip = ips[next++]!;
      out.set(ip, await whois(ip, timeoutMs));
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, ips.length) }, worker));
  return out;
}
