// Docker's json-file log driver (the default: /var/lib/docker/containers/<id>/<id>-json.log)
// wraps each line a container printed:
//   {"log":"[2024-08-31 02:11:22.129][vaultwarden::api::identity][ERROR] Username ...\n","stream":"stderr","time":"2024-08-31T00:11:22.130285771Z"}
// unwrapDockerLine() gives back the container's line, so a rule reads it as if the service
// had written its own log file, and Docker's time, for lines that carry none of their own.
// The wrapper is Docker's: a container cannot write a line of this file that is not inside
// "log", so nothing it prints can pass for Docker's fields.

export interface DockerLine {
  /** The line as the container printed it (without its line break). */
  text: string;
  /** Docker's receive time (epoch seconds), or null when it cannot be read. */
  time: number | null;
}

const PREFIX = '{"log":"';
const TIME = /"time":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)"/;

/** The container's line inside a json-file record, or null when the line is no such record. */
export function unwrapDockerLine(line: string): DockerLine | null {
  if (!line.startsWith(PREFIX)) return null;
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return null;
  }
  const log = (record as { log?: unknown }).log;
  if (typeof log !== 'string') return null;
  return { text: log.replace(/\r?\n$/, ''), time: dockerTime(line) };
}

function dockerTime(line: string): number | null {
  const m = TIME.exec(line);
  if (!m) return null;
  const whole = Date.parse(`${m[1]}${m[3]}`);
  if (!Number.isFinite(whole)) return null;
  // nanoseconds do not fit Date: add the fraction by hand
  return whole / 1000 + (m[2] ? Number(`0${m[2]}`) : 0);
}
