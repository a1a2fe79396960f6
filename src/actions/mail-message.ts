// The text of a ban mail, from plain values (pure: tested without a mail server). One mail
// per jail and run: one ban gives `[f2b-scan] sshd: banned 192.0.2.2`, several give
// `[f2b-scan] sshd: banned 3 addresses` with one section per address. Log lines are put in
// as text; nothing here (or in the transport) reads them as anything else.

import { isoSeconds } from '../util/time-text.ts';
import type { Epoch } from '../types.ts';
import type { BanItem } from './backend.ts';
import type { WhoisAnswer } from './whois.ts';

/** What the stock action names ask for: ban only, + whois (`_mw`), + whois and log lines (`_mwl`). */
export type MailKind = 'plain' | 'whois' | 'lines';

/** What a ban mail tells about one ban. */
export type MailBan = Pick<BanItem, 'ip' | 'failures' | 'start' | 'until' | 'lines'>;

export interface MailText {
  subject: string;
  text: string;
}

export function composeMail(input: {
  jail: string;
  host: string;
  kind: MailKind;
  bans: MailBan[];
  whois?: Map<string, WhoisAnswer>;
}): MailText {
  const { jail, bans } = input;
  const subject =
    bans.length === 1 ? `[f2b-scan] ${jail}: banned ${bans[0]!.ip}` : `[f2b-scan] ${jail}: banned ${bans.length} addresses`;
  const out: string[] = ['Hi,', ''];
  out.push(
    bans.length === 1
      ? `f2b-scan on ${input.host} has just banned ${bans[0]!.ip} in the jail ${jail}.`
      : `f2b-scan on ${input.host} has just banned ${bans.length} addresses in the jail ${jail}: ${bans.map((b) => b.ip).join(', ')}.`,
  );
  for (const ban of bans) {
    out.push('');
    if (bans.length > 1) out.push(`==== ${ban.ip} ====`);
    out.push(...banSection(input.kind, ban, input.whois?.get(ban.ip)));
  }
  out.push('', 'Regards,', 'f2b-scan', '');
  return { subject, text: out.join('\n') };
}

function banSection(kind: MailKind, ban: MailBan, whois: WhoisAnswer | undefined): string[] {
  const out = [
    `Address:   ${ban.ip}`,
    `Failures:  ${ban.failures}`,
    `Banned at: ${formatTime(ban.start)}`,
    `Ban time:  ${ban.until === null ? 'permanent' : `${formatDuration(ban.until - ban.start)} (until ${formatTime(ban.until)})`}`,
  ];
  if (kind !== 'plain') {
    out.push('', `Whois for ${ban.ip}:`, '', whois?.text ?? 'No whois information: whois was not asked.');
  }
  if (kind === 'lines') {
    out.push('', ban.lines.length > 0 ? `Log lines with failures of ${ban.ip}:` : `No log lines were kept for ${ban.ip}.`);
    out.push(...ban.lines);
  }
  return out;
}

export function formatTime(t: Epoch): string {
  return `${isoSeconds(t).replace('T', ' ').replace(/Z$/, '')} UTC`;
}

export function formatDuration(seconds: number): string {
  let s = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
  ] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  if (s > 0 || parts.length === 0) parts.push(`${s}s`);
  return parts.join(' ');
}
