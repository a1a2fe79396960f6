// `f2b-scan get <jail> <key> [--json]`: a jail option's effective value and where it came
// from (file and line), with the layers it overrode.

import { DEFAULT } from '../config/index.ts';
import { SERVER_KEYS } from '../config/server-settings.ts';
import { ConfigError } from '../util/errors.ts';
import { findJail, withSession, type OpsOptions, type OpsResult } from './session.ts';

export interface GetResult {
  jail: string;
  key: string;
  /** After %(...)s interpolation. */
  value: string;
  /** As written. */
  raw: string;
  file: string;
  line: number | null;
  /** The section it was written in: the jail's own, or DEFAULT. */
  section: string;
  /** Every layer that wrote it (the jail's and DEFAULT's), oldest first; `inForce` marks the one that counts. */
  layers: { file: string; line: number | null; section: string; value: string; inForce: boolean }[];
}

export async function runGet(opts: Omit<OpsOptions, 'dryRun'> & { jail: string; key: string; json: boolean }): Promise<OpsResult> {
  return withSession(
    { ...opts, dryRun: true },
    async (s) => {
      const jail = findJail(s.config, opts.jail);
      const store = s.config.store;
      const key = opts.key.toLowerCase();
      const e = store.entry(jail.name, key);
      // A server-wide setting (fail2ban.conf's dbpurgeage) holds for every jail.
      if (!e && (SERVER_KEYS as readonly string[]).includes(key)) {
        const setting = s.config.dbpurgeage;
        const r: GetResult = {
          jail: jail.name,
          key,
          value: setting.value,
          raw: setting.value,
          file: setting.place?.file ?? "fail2ban's default",
          line: setting.place?.line ?? null,
          section: setting.place?.section ?? 'Definition',
          layers: [],
        };
        const text = setting.place ? formatGet(r) : `${r.value}\n  fail2ban's default (set it in [Definition] of f2b-scan.local)\n`;
        return { output: opts.json ? JSON.stringify(r) + '\n' : text, messages: [], exitCode: 0 };
      }
      if (!e) throw new ConfigError({ file: s.config.configDir, section: jail.name, key }, `not set in [${jail.name}] nor in [DEFAULT]`);
      const section = e.section ?? (store.history(jail.name, key).includes(e) ? jail.name : DEFAULT);
      const layers = [...store.history(DEFAULT, key).map((x) => ({ x, section: DEFAULT })), ...store.history(jail.name, key).map((x) => ({ x, section: jail.name }))]
        .sort((a, b) => a.x.layer - b.x.layer)
        .map(({ x, section }) => ({ file: x.file, line: x.line || null, section, value: x.value, inForce: x === e }));
      const r: GetResult = {
        jail: jail.name,
        key,
        value: store.get(jail.name, key) ?? '',
        raw: e.value,
        file: e.file,
        line: e.line || null,
        section,
        layers,
      };
      const output = opts.json ? JSON.stringify(r) + '\n' : formatGet(r);
      return { output, messages: [], exitCode: 0 };
    },
    false,
  );
}

function formatGet(r: GetResult): string {
  const at = (f: string, l: number | null) => (l ? `${f}:${l}` : f);
  const lines = [r.value, `  from ${at(r.file, r.line)} [${r.section}]${r.raw !== r.value ? ` as ${JSON.stringify(r.raw)}` : ''}`];
  for (const l of r.layers.filter((x) => !x.inForce).reverse()) lines.push(`  overrides ${at(l.file, l.line)} [${l.section}] ${JSON.stringify(l.value)}`);
  return lines.join('\n') + '\n';
}
