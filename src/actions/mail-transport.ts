// Hands a ban mail to nodemailer: its SMTP transport (mta = smtp) or its sendmail transport
// (mta = sendmail). nodemailer is imported here, on the first mail, so a run that bans
// nothing never loads it. Timeouts keep a dead mail server from holding up the run.

import type { MailSettings } from './mail-settings.ts';
import type { MailText } from './mail-message.ts';

const CONNECT_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 30_000;

/** Where the mail went, for outcomes: `smtp://host:port` or the sendmail path. */
export function describeTransport(s: MailSettings): string {
  return s.mta === 'smtp' ? `smtp://${s.smtp.host}:${s.smtp.port}` : s.sendmailPath;
}

/** Sends one mail; resolves to null when the transport accepted it, else the reason. */
export async function sendMail(s: MailSettings, mail: MailText): Promise<string | null> {
  const nodemailer = (await import('nodemailer')).default;
  const transport =
    s.mta === 'smtp'
      ? nodemailer.createTransport({
          host: s.smtp.host,
          port: s.smtp.port,
          secure: s.smtp.secure,
          ...(s.smtp.user !== undefined ? { auth: { user: s.smtp.user, pass: s.smtp.pass ?? '' } } : {}),
          connectionTimeout: CONNECT_TIMEOUT_MS,
          greetingTimeout: CONNECT_TIMEOUT_MS,
          socketTimeout: SOCKET_TIMEOUT_MS,
        })
      : nodemailer.createTransport({ sendmail: true, path: s.sendmailPath, newline: 'unix' });
  try {
    const info = await transport.sendMail({
      from: { name: s.from.name, address: s.from.address },
      to: s.to,
      subject: mail.subject,
      text: mail.text,
    });
    const rejected = (info as { rejected?: unknown[] }).rejected ?? [];
    return rejected.length > 0 ? `${describeTransport(s)} refused ${rejected.map(String).join(', ')}` : null;
  } catch (e) {
    return `${describeTransport(s)}: ${oneLine((e as Error).message)}`;
  } finally {
    transport.close();
  }
}

function oneLine(s: string): string {
  return s.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'failed';
}
