// The fleet stage: hosts share their bans through a Redis stream. Loaded only with
// `await import('./fleet/index.ts')` when [fleet] url is set, so a run without a fleet
// loads no Redis code. Nothing outside src/fleet may import these files statically.

export { readFleetSettings, redactUrl, type FleetSettings } from './settings.ts';
export {
  exchange,
  type ExchangeOptions,
  type FleetExchangeResult,
  type ImportedBan,
  type ImportedUnban,
  type NewBan,
} from './exchange.ts';
export { readFleetStatus, formatFleetStatus, type FleetStatus } from './status.ts';
export { finishWithHeartbeat } from './heartbeat.ts';
export type { DropReason } from './entry.ts';
