// ufw: a ban is a ufw rule put in front of the others (`ufw prepend reject from <ip> to
// any [port <ports> proto <protocol>]`), tagged with the comment `f2b-scan <jail>` so a run
// lists, reconciles and stops only its own jail's rules. Options as fail2ban names them:
// blocktype (reject | deny), add (prepend | insert N), destination, application; and port /
// protocol as every f2b-scan backend honours them (a full range 0:65535 means all ports).
// ufw has no batch input: each rule is one ufw command (about 0.3 s each), in one process
// per rule. f2b-scan never enables or disables ufw: that stays the administrator's call.

import { readFileSync } from 'node:fs';
import { run } from '../exec/run.ts';
import { printableCommand } from '../exec/quote.ts';
import { addressFamily, normalizeAddress, type Family } from '../net/address.ts';
import { ActionParamError, nothingToCreate, type ActionParams, type Backend, type BackendFactory, type StepResult } from './backend.ts';

const WORD = /^[A-Za-z0-9_.:/-]+$/;
const APP = /^[A-Za-z0-9 _.+-]+$/;

export interface UfwConfig {
  add: string[];
  blocktype: string;
  destination: string;
  application: string | null;
  /** One rule spec per protocol (words after the address), or one with no port clause. */
  tails: string[][];
  comment: string;
}

/** Port numbers for service names, from /etc/services (ufw takes names only for one port). */
function servicePort(name: string, protocol: string): string | null {
  let text = '';
  try {
    text = readFileSync('/etc/services', 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const words = line.replace(/#.*/, '').trim().split(/\s+/);
    if (words.length < 2) continue;
    const [svc, portProto, ...aliases] = words;
    const [port, proto] = portProto!.split('/');
    if (proto === protocol && (svc === name || aliases.includes(name))) return port!;
  }
  return null;
}

export function ufwConfig(params: ActionParams): UfwConfig {
  const o = params.options;
  const bad = (key: string, why: string): never => {
    throw new ActionParamError(params.action, params.jail, key, why);
  };
  const add = (o.add ?? 'prepend').trim().split(/\s+/);
  if (!(add.length === 1 && add[0] === 'prepend') && !(add.length === 2 && add[0] === 'insert' && /^\d+$/.test(add[1]!))) {
    bad('add', `${JSON.stringify(o.add)} is neither "prepend" nor "insert <position>"`);
  }
  // An iptables blocktype left at jail level (REJECT --reject-with ..., DROP) means the same here.
  const word = (o.blocktype ?? 'reject').trim().split(/\s+/)[0]!.toLowerCase();
  const blocktype = word === 'drop' ? 'deny' : word;
  if (blocktype !== 'reject' && blocktype !== 'deny') bad('blocktype', `${JSON.stringify(o.blocktype)} is neither reject nor deny`);
  const destination = (o.destination ?? 'any').trim();
  if (!WORD.test(destination)) bad('destination', `${JSON.stringify(destination)} is not an address or "any"`);
  const application = o.application?.trim() || null;
  if (application !== null && !APP.test(application)) bad('application', `${JSON.stringify(application)} is not a ufw application name`);

  const protocols = (o.protocol ?? 'tcp').split(/[\s,]+/).filter((p) => p !== '');
  for (const p of protocols) if (!/^[a-z0-9]+$/.test(p)) bad('protocol', `${JSON.stringify(p)} is not a protocol name`);
  const rawPorts = (o.port ?? '')
    .split(',')
    .map((p) => p.trim().replace(/^(\d+)-(\d+)$/, '$1:$2'))
    .filter((p) => p !== '');
  const allPorts = application !== null || rawPorts.length === 0 || rawPorts.some((p) => /^[01]:65535$/.test(p));
  let tails: string[][];
  if (allPorts) tails = [[]];
  else {
    tails = protocols.map((proto) => {
      const ports = rawPorts.map((p) => {
        if (/^\d+(:\d+)?$/.test(p)) return p;
        if (!/^[A-Za-z0-9_-]+$/.test(p)) bad('port', `${JSON.stringify(p)} is not a port, service name or range a:b`);
        return servicePort(p, proto) ?? bad('port', `service ${JSON.stringify(p)} is not in /etc/services for ${proto}`);
      });
      return ['port', ports.join(','), 'proto', proto];
    });
  }
  return { add, blocktype, destination, application, tails, comment: `f2b-scan ${params.options.name ?? params.jail}` };
}

/** The rule words after `ufw <add>` / `ufw delete`: blocktype from ip to dest [app|port...]. */
export function ruleWords(cfg: UfwConfig, ip: string, tail: string[]): string[] {
  const app = cfg.application !== null ? ['app', cfg.application] : [];
  return [cfg.blocktype, 'from', ip, 'to', cfg.destination, ...app, ...tail];
}

/** Splits a `ufw show added` line into words, honouring '…' quotes. */
export function splitWords(line: string): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2]!);
  return out;
}

/** Our rules in `ufw show added`: address -> the rule words to delete it with, per rule. */
export function parseAdded(text: string, comment: string): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  for (const line of text.split('\n')) {
    const words = splitWords(line.trim());
    if (words[0] !== 'ufw' || words.at(-2) !== 'comment' || words.at(-1) !== comment) continue;
    const rule = words.slice(1, -2);
    const from = rule.indexOf('from');
    const ip = from >= 0 ? normalizeAddress(rule[from + 1] ?? '') : null;
    if (!ip) continue;
    out.set(ip, [...(out.get(ip) ?? []), rule]);
  }
  return out;
}

export const ufw: BackendFactory = (params) => {
  const cfg = ufwConfig(params);
  const seen = new Map<string, string[][]>();

  async function held(): Promise<Map<string, string[][]>> {
    const r = await run('ufw', ['show', 'added']);
    if (!r.ok) throw new Error(r.error ?? `${r.command} failed`);
    const rules = parseAdded(r.stdout, cfg.comment);
    seen.clear();
    for (const [ip, rs] of rules) seen.set(ip, rs);
    return rules;
  }

  async function each(ips: string[], argsFor: (ip: string) => string[][], describe: (ip: string) => string): Promise<Map<string, StepResult>> {
    const out = new Map<string, StepResult>();
    for (const ip of ips) {
      let result: StepResult = { ok: true, command: describe(ip) };
      for (const args of argsFor(ip)) {
        const r = await run('ufw', args);
        if (!r.ok) {
          result = { ok: false, command: r.command, error: r.error };
          break;
        }
      }
      out.set(ip, result);
    }
    return out;
  }

  const banArgs = (ip: string) => cfg.tails.map((tail) => [...cfg.add, ...ruleWords(cfg, ip, tail), 'comment', cfg.comment]);
  const unbanArgs = (ip: string) => (seen.get(normalizeAddress(ip) ?? ip) ?? cfg.tails.map((tail) => ruleWords(cfg, ip, tail))).map((rule) => ['delete', ...rule]);

  const backend: Backend = {
    action: params.action,
    enforcing: true,
    // ufw keeps its rules across reboots itself; nothing to create.
    ...nothingToCreate,
    async list(family: Family) {
      return [...(await held()).keys()].filter((ip) => addressFamily(ip) === family);
    },
    ban(_family, items) {
      return each(items.map((i) => i.ip), banArgs, backend.describeBan);
    },
    async unban(_family, ips) {
      const out = await each(ips, unbanArgs, backend.describeUnban);
      for (const [ip, r] of out) if (r.ok) seen.delete(normalizeAddress(ip) ?? ip);
      return out;
    },
    async stop(family) {
      let mine: string[];
      try {
        mine = await backend.list!(family);
      } catch (e) {
        return { ok: false, command: 'ufw show added', error: (e as Error).message };
      }
      const r = await backend.unban(family, mine);
      return [...r.values()].find((x) => !x.ok) ?? { ok: true, command: mine.length ? `ufw delete (${mine.length} rules)` : '' };
    },
    describeBan(ip) {
      return banArgs(ip).map((a) => printableCommand('ufw', a)).join('; ');
    },
    describeUnban(ip) {
      return unbanArgs(ip).map((a) => printableCommand('ufw', a)).join('; ');
    },
  };
  return backend;
};
