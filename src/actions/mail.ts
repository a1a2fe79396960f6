// Ban mails (fail2ban's action_mw / action_mwl): a notifying backend, so a failed mail is
// reported but never holds back or undoes a ban. ban() only collects this run's new bans of
// every family; flush() sends one mail per jail. Bans put back after a reboot (restore) or
// retried after a firewall failure (a mail went out in the run that made them) send nothing.

import { MAIL_ACTIONS } from './mail-names.ts';
import { composeMail, type MailBan, type MailKind } from './mail-message.ts';
import { readMailSettings } from './mail-settings.ts';
import { describeTransport, sendMail } from './mail-transport.ts';
import { whoisAll } from './whois.ts';
import { nothingToCreate, sameResultForAll, type Backend, type BackendFactory, type StepResult } from './backend.ts';

const OK: StepResult = { ok: true, command: '' };

export function mailFactory(action: string): BackendFactory {
  const kind: MailKind = MAIL_ACTIONS.get(action) ?? 'plain';
  return (params) => {
    const settings = readMailSettings(params);
    const label = `mail to ${settings.to} via ${describeTransport(settings)}`;
    const queued = new Map<string, MailBan>();

    const backend: Backend = {
      action: params.action,
      enforcing: false,
      ...nothingToCreate,
      async ban(_family, items) {
        const out = new Map<string, StepResult>();
        for (const item of items) {
          if (item.restore || item.retry) {
            out.set(item.ip, { ok: true, command: `no mail (${item.restore ? 'ban put back' : 'ban retried'})` });
            continue;
          }
          queued.set(item.ip, { ip: item.ip, failures: item.failures, start: item.start, until: item.until, lines: item.lines });
          out.set(item.ip, { ok: true, command: label });
        }
        return out;
      },
      async unban(_family, ips) {
        return sameResultForAll(ips, { ok: true, command: 'no mail for an unban' });
      },
      async stop() {
        return OK;
      },
      describeBan(ip) {
        return `${label}: [f2b-scan] ${params.jail}: banned ${ip}`;
      },
      describeUnban() {
        return 'no mail for an unban';
      },
      async flush() {
        const bans = [...queued.values()];
        queued.clear();
        if (bans.length === 0) return new Map();
        const whois = kind === 'plain' ? undefined : await whoisAll(bans.map((b) => b.ip), settings.whoisTimeoutMs);
        const mail = composeMail({ jail: params.jail, host: settings.host, kind, bans, whois });
        const error = await sendMail(settings, mail);
        const command = `${label}: ${mail.subject}`;
        return sameResultForAll(
          bans.map((b) => b.ip),
          error === null ? { ok: true, command } : { ok: false, command, error: `mail not sent: ${error}` },
        );
      },
    };
    return backend;
  };
}
