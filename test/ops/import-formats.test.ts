// The ban lists `import` reads, as their publishers write them: a plain list with # and ;
// comments, Spamhaus DROP/EDROP (ranges and an Expires header) in text and JSON lines,
// CrowdSec's `cscli decisions list -o json`, with the hostile values a list can hold.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goDuration } from '../../src/ops/import-json.ts';
import { parseImport } from '../../src/ops/import-parse.ts';

const NOW = Date.parse('2026-12-02T12:00:00Z') / 1000;
const read = (text: string) => parseImport(text, 'list.txt', NOW);

test('a plain list: addresses and ranges, # and ; comments, blank lines; a /32 is its host', () => {
  const r = read('# my list\n192.0.2.7\n198.51.100.0/24 ; a range\n2001:db8:bad::/48  # v6\n\n203.0.113.9/32\n; the end\n');
  assert.equal(r.format, 'list');
  assert.deepEqual(r.entries.map((e) => e.ip), ['192.0.2.7', '198.51.100.0/24', '2001:db8:bad::/48', '203.0.113.9']);
  assert.deepEqual(r.problems, []);
  assert.equal(r.expires, undefined);
});

test('Spamhaus DROP and EDROP: ranges with their SBL ids, the Expires header as the list\'s end', () => {
  const drop = [
    '; Spamhaus DROP List 2026/12/02 - (c) 2026 The Spamhaus Project SLC',
    '; https://www.spamhaus.org/drop/drop.txt',
    '; Last-Modified: Wed, 02 Dec 2026 10:00:00 GMT',
    '; Expires: Thu, 03 Dec 2026 10:00:00 GMT',
    '198.51.100.0/24 ; SBL000001',
    '203.0.113.0/25 ; SBL000002',
    '2001:db8:bad::/48 ; SBL000003',
    '',
  ].join('\n');
  const r = read(drop);
  assert.deepEqual(r.entries.map((e) => [e.ip, e.until]), [['198.51.100.0/24', undefined], ['203.0.113.0/25', undefined], ['2001:db8:bad::/48', undefined]]);
  assert.equal(r.expires, Date.parse('2026-12-03T10:00:00Z') / 1000);
  assert.deepEqual(r.problems, []);
});

test('Spamhaus DROP as JSON lines: each cidr, the metadata line skipped', () => {
  const r = read('{"cidr":"198.51.100.0/24","sblid":"SBL000001","rir":"ripencc"}\n{"cidr":"203.0.113.0/25","sblid":"SBL000002","rir":"arin"}\n{"type":"metadata","timestamp":1764669600,"size":2,"records":2,"copyright":"(c) 2026 The Spamhaus Project SLC"}\n');
  assert.equal(r.format, 'spamhaus-json');
  assert.deepEqual(r.entries.map((e) => e.ip), ['198.51.100.0/24', '203.0.113.0/25']);
});

test('CrowdSec decisions: bans of an Ip or a Range until the time left; captcha, users and simulated skipped and counted', () => {
  const alerts = [
    {
      id: 1,
      scenario: 'crowdsecurity/ssh-bf',
      decisions: [
        { id: 11, origin: 'crowdsec', scenario: 'crowdsecurity/ssh-bf', scope: 'Ip', type: 'ban', value: '192.0.2.7', duration: '3h59m45.100387557s', simulated: false },
        { id: 12, origin: 'cscli', scenario: 'manual', scope: 'Range', type: 'ban', value: '198.51.100.0/24', duration: '24h0m0s', simulated: false },
        { id: 13, origin: 'crowdsec', scenario: 'x', scope: 'Ip', type: 'captcha', value: '192.0.2.8', duration: '1h', simulated: false },
      ],
    },
    {
      id: 2,
      scenario: 'y',
      decisions: [
        { id: 21, origin: 'crowdsec', scenario: 'y', scope: 'Username', type: 'ban', value: 'root', duration: '4h', simulated: false },
        { id: 22, origin: 'crowdsec', scenario: 'y', scope: 'Ip', type: 'ban', value: '192.0.2.9', duration: '4h', simulated: true },
        { id: 23, origin: 'CAPI', scenario: 'z', scope: 'ip', type: 'ban', value: '2001:db8::9', duration: '150ms', until: '2026-12-02T13:00:00Z', simulated: false },
      ],
    },
  ];
  const r = read(JSON.stringify(alerts, null, 1));
  assert.equal(r.format, 'crowdsec');
  assert.deepEqual(r.entries.map((e) => [e.ip, e.until]), [
    ['192.0.2.7', NOW + 3 * 3600 + 59 * 60 + 45.100387557],
    ['198.51.100.0/24', NOW + 24 * 3600],
    ['2001:db8::9', NOW + 3600],
  ]);
  assert.deepEqual(r.problems.sort(), [
    'list.txt: 1 decision (captcha on Ip) skipped: only bans of an Ip or a Range become firewall bans',
    'list.txt: 1 decision (ban on Username) skipped: only bans of an Ip or a Range become firewall bans',
    'list.txt: 1 decision (simulated) skipped: only bans of an Ip or a Range become firewall bans',
  ].sort());
  assert.equal(goDuration('1h2m3s'), 3723);
  assert.equal(goDuration('-1m'), -60);
  assert.ok(Number.isNaN(goDuration('forever')));
});

test('what a list may not ban is refused line by line: no host (0.0.0.0/0, loopback ranges), no time a ban can mean', () => {
  const r = read('0.0.0.0/0\n127.0.0.0/8\n96.0.0.0/3\n224.0.0.1\n::/0\n192.0.2.0/33\n192.0.2.7\n; Expires: not a date\n');
  assert.deepEqual(r.entries.map((e) => e.ip), ['192.0.2.7']);
  assert.equal(r.problems.length, 7, r.problems.join('\n'));
  assert.match(r.problems[0]!, /^list\.txt:1: 0\.0\.0\.0\/0 is not a host address that can be banned \(contains .*\); skipped$/);
  assert.match(r.problems[5]!, /^list\.txt:6: not an IP address or range: "192\.0\.2\.0\/33"$/);
  assert.match(r.problems[6]!, /^list\.txt:8: "Expires: not a date" is not a time$/);
  const json = parseImport(JSON.stringify({ f2bScanExport: 1, bans: [{ ip: '192.0.2.1', until: 1e300 }, { ip: '192.0.2.2', until: 'NaN' }, { ip: '192.0.2.3', until: null }] }), 'x.json', NOW);
  assert.deepEqual(json.entries.map((e) => [e.ip, e.until]), [['192.0.2.3', null]]);
  assert.equal(json.problems.length, 2);
  const cs = parseImport(JSON.stringify([{ decisions: [{ scope: 'Ip', type: 'ban', value: '192.0.2.4', duration: '99999999999h' }] }]), 'cs.json', NOW);
  assert.deepEqual(cs.entries, []);
  assert.match(cs.problems[0]!, /is more than 100 years ahead/);
});
