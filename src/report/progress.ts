// A progress bar on stderr for a large backlog (first run, a flood, a long outage):
// bytes, lines/s and ETA. Only on a terminal: never in cron or CI output.

import type { ProgressSink } from '../scan/collect-failures.ts';

/** Backlogs smaller than this finish too fast for a bar to help. */
export const PROGRESS_THRESHOLD = 50 * 1024 * 1024;

export async function terminalProgress(backlogBytes: number, stream: NodeJS.WriteStream = process.stderr): Promise<ProgressSink | null> {
  if (!stream.isTTY || backlogBytes < PROGRESS_THRESHOLD) return null;
  const { default: cliProgress } = await import('cli-progress');
  const started = Date.now();
  let lines = 0;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'f2b-scan [{bar}] {percentage}% | {mb}/{totalMb} MB | {rate} lines/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const mb = (b: number) => (b / 1048576).toFixed(0);
  // The bar hides the cursor: Ctrl-C (or a kill) must show it again before the process
  // dies of the signal as it would have without us (no lock or state is written here).
  // Hooked before the bar is drawn: a ^C typed the instant it appears finds the hook there.
  const onSignal = (signal: NodeJS.Signals) => {
    unhook();
    bar.stop();
    process.kill(process.pid, signal);
  };
  const unhook = () => {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(sig, onSignal);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, onSignal);
  bar.start(backlogBytes, 0, { mb: '0', totalMb: mb(backlogBytes), rate: '0' });
  let done = 0;
  return {
    tick(bytes, n) {
      done += bytes;
      lines += n;
      const secs = Math.max(0.001, (Date.now() - started) / 1000);
      bar.update(Math.min(done, backlogBytes), { mb: mb(done), rate: Math.round(lines / secs).toLocaleString('en') });
    },
    stop() {
      unhook();
      bar.stop();
    },
  };
}
