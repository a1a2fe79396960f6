// Where a ban mail goes and how: the action's own options (`sendmail-whois[dest=…, sender=…]`,
// as the stock action_mw writes them) over the jail's keys ([DEFAULT] or the jail:
// destemail, sender, sendername, mta, smtp.*). Checked when the backend is made, so a
// typo is one clear message instead of a failed mail at ban time.

import { hostname } from 'node:os';
import { ActionParamError, type ActionParams } from './backend.ts';
import { DEFAULT_WHOIS_TIMEOUT_MS } from './whois.ts';

export type Mta = 'smtp' | 'sendmail';

export interface MailSettings {
  to: string;
  from: { name: string; address: string };
  mta: Mta;
  smtp: { host: string; port: number; secure: boolean; user?: string; pass?: string };
  /** The sendmail program for mta = sendmail. */
  sendmailPath: string;
  whoisTimeoutMs: number;
  /** This host's name, for the mail's text. */
  host: string;
}

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

export function readMailSettings(params: ActionParams): MailSettings {
  const opt = params.options;
  const jail = params.jailOptions ?? {};
  const bad = (key: string, message: string) => new ActionParamError(params.action, params.jail, key, message);
  // The first value set: action options first (stock names: dest, sender), then the jail's keys.
  const first = (...values: (string | undefined)[]): string | undefined => {
    for (const v of values) {
      const s = v?.trim();
      if (s) return s;
    }
    return undefined;
  };
  const pick = (key: string) => first(opt[key], jail[key]);
  const host = hostname();
  // fail2ban's sender default is root@<fq-hostname>: fill in the host names it means.
  const hostTags = (s: string) => s.replace(/<fq-hostname>|<sh-hostname>/g, (t) => (t === '<sh-hostname>' ? host.split('.')[0]! : host));
  // A line break in an address or name would start a new mail header.
  const oneLine = (key: string, v: string) => {
    if (/[\r\n]/.test(v)) throw bad(key, 'must be one line');
    return v;
  };

  const to = oneLine('dest', hostTags(first(opt.dest, opt.destemail, jail.destemail) ?? 'root@localhost'));
  const address = oneLine('sender', hostTags(pick('sender') ?? `root@${host}`));
  const name = oneLine('sendername', pick('sendername') ?? 'f2b-scan');

  const mtaText = (pick('mta') ?? 'smtp').toLowerCase();
  // `mail` is fail2ban's other mailer name; like sendmail it hands the mail to the local MTA.
  const mta: Mta | undefined = mtaText === 'smtp' ? 'smtp' : mtaText === 'sendmail' || mtaText === 'mail' ? 'sendmail' : undefined;
  if (!mta) throw bad('mta', `"${mtaText}" is not a mail transport (smtp or sendmail)`);

  const secureText = pick('smtp.secure') ?? 'false';
  const secure = TRUE.has(secureText.toLowerCase()) ? true : FALSE.has(secureText.toLowerCase()) ? false : undefined;
  if (secure === undefined) throw bad('smtp.secure', `"${secureText}" is not true or false`);
  const portText = pick('smtp.port') ?? (secure ? '465' : '25');
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw bad('smtp.port', `"${portText}" is not a port number`);
  const smtp: MailSettings['smtp'] = { host: pick('smtp.host') ?? 'localhost', port, secure };
  const user = pick('smtp.user');
  if (user !== undefined) {
    smtp.user = user;
    smtp.pass = opt['smtp.pass'] ?? jail['smtp.pass'] ?? '';
  }

  const timeoutText = pick('whois.timeout');
  let whoisTimeoutMs = DEFAULT_WHOIS_TIMEOUT_MS;
  if (timeoutText !== undefined) {
    const s = Number(timeoutText);
    if (!Number.isFinite(s) || s <= 0) throw bad('whois.timeout', `"${timeoutText}" is not a number of seconds`);
    whoisTimeoutMs = Math.round(s * 1000);
  }

  return {
    to,
    from: { name, address },
    mta,
    smtp,
    sendmailPath: pick('sendmail.path') ?? '/usr/sbin/sendmail',
    whoisTimeoutMs,
    host,
  };
}
