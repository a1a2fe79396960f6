// `[fleet] min_hosts = N`: an address is imported only once N distinct trusted hosts have
// published a ban of it that still runs (DenyHosts' sync threshold, CrowdSec's community
// consensus), for fleets that distrust a single reporter. Pure: the sightings live in the
// state between runs (state.fleet.sightings), pruned as their bans end.

/** `JAIL ADDRESS` -> publishing host -> the end of its ban (null: for good). */
export type Sightings = Record<string, Record<string, number | null>>;

export class Consensus {
  private readonly seen = new Map<string, Map<string, number | null>>();

  constructor(
    private readonly minHosts: number,
    private readonly now: number,
    stored: unknown,
  ) {
    if (minHosts <= 1 || typeof stored !== 'object' || stored === null) return;
    for (const [k, hosts] of Object.entries(stored)) {
      if (typeof hosts !== 'object' || hosts === null) continue;
      const m = new Map<string, number | null>();
      for (const [h, until] of Object.entries(hosts)) if (until === null || (typeof until === 'number' && until > now)) m.set(h, until);
      if (m.size) this.seen.set(k, m);
    }
  }

  /** A ban of `ip` in `jail` published by `host`: true once enough distinct hosts agree. */
  agree(jail: string, ip: string, host: string, until: number | null): boolean {
    if (this.minHosts <= 1) return true;
    const k = `${jail} ${ip}`;
    const hosts = this.seen.get(k) ?? new Map<string, number | null>();
    hosts.set(host, until);
    this.seen.set(k, hosts);
    return hosts.size >= this.minHosts;
  }

  /** An unban forgets what was seen of the address (in one jail, or in every jail for `*`). */
  forget(jail: string, ip: string): void {
    if (jail !== '*') this.seen.delete(`${jail} ${ip}`);
    else for (const k of this.seen.keys()) if (k.endsWith(` ${ip}`)) this.seen.delete(k);
  }

  /** What to keep in the state: sightings whose ban still runs. Nothing at all with min_hosts = 1. */
  save(): Sightings | undefined {
    if (this.minHosts <= 1) return undefined;
    const out: Sightings = {};
    for (const [k, hosts] of this.seen) {
      const live = [...hosts].filter(([, until]) => until === null || until > this.now);
      if (live.length) out[k] = Object.fromEntries(live);
    }
    return out;
  }
}
