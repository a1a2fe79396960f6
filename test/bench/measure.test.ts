// bench/measure.mjs runs every measured command: what it measures must be the command as the
// field runs it, not the bench machine's shell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error: a plain .mjs script of the bench, without types
import { fieldEnv, timeOnce } from '../../bench/measure.mjs';

test('a measured command runs without NODE_EXTRA_CA_CERTS (node would read every root certificate at its start) and with the rest of the environment', async () => {
  const env = { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', F2B_SCAN_THREADS: '2' };
  const r = await timeOnce('sh', ['-c', 'echo "${NODE_EXTRA_CA_CERTS-unset} ${F2B_SCAN_THREADS-unset}"'], { env, stdout: 'keep' });
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), 'unset 2');
  assert.ok(Number.isFinite(r.cpuMs), 'its CPU time is still measured');
  assert.deepEqual(fieldEnv(env), { PATH: process.env.PATH, F2B_SCAN_THREADS: '2' });
  assert.equal(env.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt', 'the given environment is left as it was');
});
