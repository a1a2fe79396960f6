// A real SMTP server for mail tests (the smtp-server package) on 127.0.0.1 and a free port.
// It keeps every message it receives, with the envelope, the headers and the decoded text
// body, so tests can assert on what a person would read. No STARTTLS (a self-signed
// certificate would only test certificate checks); AUTH is accepted over plain text when
// `users` is given, and then required.

import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  /** Header name (lower case) -> value, unfolded. */
  headers: Map<string, string>;
  /** The text body, transfer encoding undone. */
  text: string;
  /** The user that logged in, if any. */
  user?: string;
}

export interface SmtpLab {
  port: number;
  received: ReceivedMail[];
  /** Resolves when `n` messages have arrived (or rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  stop(): Promise<void>;
}

export async function startSmtpServer(opts: { users?: Record<string, string> } = {}): Promise<SmtpLab> {
  const received: ReceivedMail[] = [];
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    disabledCommands: opts.users ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !opts.users,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (opts.users && opts.users[auth.username ?? ''] === auth.password) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const mail = parseMessage(Buffer.concat(chunks).toString('utf8'));
        received.push({
          ...mail,
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          ...(typeof session.user === 'string' ? { user: session.user } : {}),
        });
        for (const w of waiters.splice(0)) w();
        cb();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    async waitFor(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${n} mail(s), got ${received.length}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return received;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Headers and text body of a single-part message as nodemailer writes a text mail. */
export function parseMessage(raw: string): { headers: Map<string, string>; text: string } {
  const src = raw.replace(/\r\n/g, '\n');
  const split = src.indexOf('\n\n');
  const head = split < 0 ? src : src.slice(0, split);
  const body = split < 0 ? '' : src.slice(split + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), decodeWords(line.slice(i + 1).trim()));
  }
  const cte = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  let text = body;
  if (cte === 'quoted-printable') {
    const bytes = body.replace(/=\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    text = Buffer.from(bytes, 'latin1').toString('utf8');
  } else if (cte === 'base64') {
    text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  return { headers, text };
}

/** RFC 2047 encoded words (=?UTF-8?Q?...?= / ?B?) in a header. */
function decodeWords(v: string): string {
  return v.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=\s*/g, (_, _cs: string, enc: string, data: string) => {
    if (enc.toUpperCase() === 'B') return Buffer.from(data, 'base64').toString('utf8');
    const bytes = data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  });
}
