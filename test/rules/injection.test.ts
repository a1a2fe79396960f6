// Anchoring of the shipped rules: text a client chooses (user names, URLs, headers, HELO
// names, quoted commands) must never supply the banned address. Each case is a log line
// as the service would write it when a client puts an address of 198.51.100.0/24 into
// such a field; the real client is 203.0.113.9. A rule may report the real client or,
// where the line is ambiguous, nothing -- never an address from the injected text.
// (Hand-made cases of known attacks; injection-property.test.ts forges lines for every rule.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFilter, createMatcher } from '../../src/rules/index.ts';
import { clientFields, noClientText } from './client-fields.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const filterDir = join(root, 'rules', 'filter.d');
const NOW = Date.parse('2005-08-14T10:00:00Z') / 1000;
const REAL = '203.0.113.9';
const INJECTED = /^(?:::ffff:)?198\.51\.100\.\d+$/i;

interface Case {
  line: string;
  /** The address the rule must report; null: the rule may also report nothing. */
  want: string | null;
  options?: Record<string, string>;
}

const S = 'Jul  1 10:00:00 host';
const AGGR = { mode: 'aggressive' };

const cases: Record<string, Case[]> = {
  sshd: [
    { line: `${S} sshd[101]: Failed password for invalid user x from 198.51.100.7 port 22 from ${REAL} port 4000 ssh2`, want: REAL },
    { line: `${S} sshd[102]: Failed password for invalid user x from 198.51.100.7 port 22 ssh2: y from ${REAL} port 4000 ssh2`, want: REAL },
    { line: `${S} sshd[103]: Failed publickey for invalid user x from 198.51.100.7 port 1 ssh2: y from ${REAL} port 4000 ssh2: RSA SHA256:abc`, want: REAL },
    { line: `${S} sshd[104]: Failed password for invalid user x [198.51.100.7] rip=198.51.100.7 client 198.51.100.7 from ${REAL} port 4000 ssh2`, want: REAL },
    { line: `${S} sshd-session[105]: Invalid user x from 198.51.100.7 port 22 from ${REAL} port 4000`, want: REAL },
    { line: `${S} sshd[106]: error: PAM: Authentication failure for x from 198.51.100.7 via 192.0.2.1 from ${REAL}`, want: REAL },
    { line: `${S} sshd[107]: error: maximum authentication attempts exceeded for invalid user x from 198.51.100.7 port 1 ssh2 from ${REAL} port 4000 ssh2 [preauth]`, want: REAL },
    { line: `${S} sshd[108]: Disconnecting authenticating user x 198.51.100.7 port 1: Too many authentication failures ${REAL} port 4000: Too many authentication failures [preauth]`, want: REAL },
    { line: `${S} sshd[109]: Received disconnect from ${REAL} port 4000:3: x from 198.51.100.7: Auth fail [preauth]`, want: REAL },
    { line: `${S} sshd[110]: Connection closed by authenticating user x 198.51.100.7 port 1 ${REAL} port 4000 [preauth]`, want: REAL, options: AGGR },
    { line: `${S} sshd[111]: Disconnected from invalid user x 198.51.100.7 port 1 ${REAL} port 4000 [preauth]`, want: REAL, options: AGGR },
    { line: `${S} sshd[112]: Bad protocol version identification 'x' from 198.51.100.7 port 1' from ${REAL} port 4000`, want: REAL, options: AGGR },
    { line: `${S} sshd-auth[113]: Connection reset by invalid user from 198.51.100.7 ${REAL} port 4000 [preauth]`, want: REAL, options: { mode: 'ddos' } },
  ],
  dropbear: [
    { line: `${S} dropbear[1]: Bad password attempt for 'x' from 198.51.100.7:22' from ${REAL}:4000`, want: REAL },
    { line: `${S} dropbear[1]: Exit before auth (user 'x' from 198.51.100.7:1', 10 fails): Max auth tries reached - user 'x' from ${REAL}:4000`, want: REAL },
  ],
  'selinux-ssh': [
    { line: `type=USER_AUTH msg=audit(1120212001.213:1): pid=1 uid=0 auid=4294967295 ses=4294967295 subj=system_u:system_r:sshd_t:s0 msg='op=PAM:authentication grantors=? acct="x addr=198.51.100.7 terminal=ssh res=failed" exe="/usr/sbin/sshd" hostname=? addr=${REAL} terminal=ssh res=failed'`, want: REAL },
  ],
  'apache-auth': [
    { line: `[Sat Jul 20 21:45:00 2013] [error] [client ${REAL}] user x [client 198.51.100.7] not found: /`, want: REAL },
    { line: `[Sat Jul 20 21:45:00 2013] [error] [client ${REAL}] File does not exist: /srv/[client 198.51.100.7] user root not found`, want: null },
  ],
  'apache-badbots': [
    { line: `${REAL} - - [05/Mar/2007:14:39:21 +0100] "GET /198.51.100.7 HTTP/1.0" 200 459 "http://198.51.100.7/" "sqlmap/1.8 (198.51.100.7)"`, want: REAL },
  ],
  'apache-botsearch': [
    { line: `[Mon Dec 23 09:49:10 2013] [error] [client ${REAL}] File does not exist: /var/www/phpmyadmin/[client 198.51.100.7]`, want: REAL },
  ],
  'apache-noscript': [
    { line: `[Mon Dec 23 09:49:10 2013] [error] [client ${REAL}] script '/var/www/[client 198.51.100.7]x.php' not found or unable to stat`, want: REAL },
  ],
  'apache-overflows': [
    { line: `[Mon Dec 23 09:49:10 2013] [error] [client ${REAL}] Invalid URI in request [client 198.51.100.7]`, want: REAL },
  ],
  'apache-shellshock': [
    { line: `[Thu Sep 25 09:27:18.813902 2014] [cgi:error] [pid 1] [client ${REAL}:4000] AH01215: /bin/bash: warning: HTTP_X: ignoring function definition attempt`, want: REAL },
    { line: `[Thu Sep 25 09:27:18.813902 2014] [cgi:error] [pid 1] [client ${REAL}:4000] AH01215: [client 198.51.100.7] /bin/bash: warning: HTTP_X: ignoring function definition attempt`, want: null },
  ],
  'nginx-http-auth': [
    { line: `2012/04/09 11:53:36 [error] 1#0: *1 user "joe": password mismatch, client: ${REAL}, server: www, request: "GET /?, client: 198.51.100.7, server: x HTTP/1.1", host: "a", client: 198.51.100.7, server: b"`, want: REAL },
    { line: `2012/04/09 11:53:36 [error] 1#0: *1 user "x", client: 198.51.100.7, server: y": password mismatch, client: ${REAL}, server: www, request: "GET / HTTP/1.1", host: "www"`, want: null },
  ],
  'nginx-limit-req': [
    { line: `2015/01/21 10:56:10 [error] 1#0: *1 limiting requests, excess: 1.000 by zone "api", client: ${REAL}, server: x, request: "GET /, client: 198.51.100.7, server: HTTP/1.1", host: "h"`, want: REAL },
  ],
  'nginx-botsearch': [
    // issue 16: a path spelling a whole message around a victim's address
    { line: `2015/01/21 10:56:12 [error] 1#0: *1 open() "/srv/www/x" failed (2: No such file or directory), client: 198.51.100.7, server: a, request: "GET /phpmyadmin HTTP/1.1" failed (2: No such file or directory), client: ${REAL}, server: localhost, request: "GET /x%22 HTTP/1.1", host: "h"`, want: null },
    { line: `2015/01/21 10:56:12 [error] 1#0: *1 "/srv/www/x" is not found (2: No such file or directory), client: 198.51.100.7, server: a, request: "GET /phpmyadmin HTTP/1.1", host: "a" is not found (2: No such file or directory), client: ${REAL}, server: localhost, request: "GET /x%22 HTTP/1.1", host: "h"`, want: null },
    { line: `${REAL} - - [20/Jan/2015:19:53:28 +0100] "GET /phpmyadmin/?198.51.100.7 HTTP/1.1" 404 47 "198.51.100.7" "198.51.100.7"`, want: REAL },
    { line: `2015/01/21 10:56:12 [error] 1#0: *1 open() "/srv/www/cgi-bin/x", client: 198.51.100.7, server: y" failed (2: No such file or directory), client: ${REAL}, server: localhost, request: "GET /cgi-bin/x HTTP/1.1", host: "h"`, want: null },
  ],
  'nginx-bad-request': [
    { line: `${REAL} - - [20/Jan/2015:19:53:28 +0100] "198.51.100.7 - - [20/Jan/2015:19:53:28 +0100] \\x22\\x22 400 0" 400 0 "-" "-"`, want: REAL },
  ],
  'traefik-auth': [
    { line: `${REAL} - 198.51.100.7 [18/Nov/2018:21:34:34 +0000] "GET /198.51.100.7 HTTP/2.0" 401 17 "-" "198.51.100.7" 72 "Auth" "/" 0ms`, want: REAL },
  ],
  'haproxy-http-auth': [
    { line: `${S} haproxy[1]: ${REAL}:4242 [01/Jul/2005:10:00:01.123] www-in www-in/<NOSRV> 0/-1/-1/-1/0 401 248 - - PR-- 0/0/0/0/0 0/0 "GET /198.51.100.7:1 HTTP/1.1"`, want: REAL },
  ],
  'lighttpd-auth': [
    { line: `2023-01-10 10:00:00: (mod_auth.c.828) password doesn't match for /x username: a IP: 198.51.100.7 IP: ${REAL}`, want: REAL },
  ],
  postfix: [
    { line: `${S} postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[${REAL}]: 554 5.7.1 <x@unknown[198.51.100.7]>: Relay access denied; from=<y from unknown[198.51.100.7]> to=<x> proto=ESMTP helo=<unknown[198.51.100.7]>`, want: REAL },
    { line: `${S} postfix/smtpd[1]: warning: unknown[${REAL}]: SASL LOGIN authentication failed: unknown[198.51.100.7]`, want: REAL, options: AGGR },
  ],
  dovecot: [
    { line: `${S} dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<x>, method=PLAIN, rip=198.51.100.7, lip=192.0.2.250, session=<y>, method=PLAIN, rip=${REAL}, lip=192.0.2.250, TLS, session=<a>`, want: REAL },
    { line: `${S} dovecot: auth: passwd-file(x,198.51.100.7): unknown user,${REAL},<a>): Password mismatch`, want: REAL },
  ],
  'courier-auth': [
    { line: `${S} imapd: LOGIN FAILED, user=x, ip=[198.51.100.7], ip=[::ffff:${REAL}]`, want: REAL },
  ],
  'cyrus-imap': [
    { line: `${S} imaps[1]: badlogin: client.example.net [${REAL}] PLAIN x [198.51.100.7] SASL(-13): authentication failure`, want: REAL },
  ],
  exim: [
    { line: `2013-01-04 17:03:48 SMTP protocol error in "AUTH LOGIN" H=(x) [198.51.100.7]" H=(helo) [${REAL}] AUTH command used when not advertised`, want: REAL },
    { line: `2013-01-04 17:03:47 H=(helo) [${REAL}] F=<x@[198.51.100.7]> rejected RCPT <y H=[198.51.100.7]>: relay not permitted`, want: REAL },
  ],
  'exim-spam': [
    { line: `2013-06-15 11:19:35 1VxHRO-000NiI-Ly SA: Action: silently tossed message: score=31.0 required=5.0 (scanned in 6/6 secs | Message-Id: x). From <a@b> (host=h [198.51.100.7]) for c@d y). From <s@example.org> (host=client.example.net [${REAL}]) for me@example.com`, want: null },
    // issue 16: a quoted recipient spelling sa-exim's host part
    { line: `2013-06-15 11:19:35 1VxHRO-000NiI-Ly SA: Action: silently tossed message: score=31.0 required=5.0 trigger=30.0 (scanned in 6/6 secs | Message-Id: x@y). From <s@example.org> (host=client.example.net [${REAL}]) for "x From <a> (host=b [198.51.100.7]) for y"@example.com`, want: null },
    { line: `2013-06-15 11:19:35 1VxHRO-000NiI-Ly SA: Action: silently tossed message: score=31.0 required=5.0 trigger=30.0 (scanned in 6/6 secs | Message-Id: x@y). From <s@example.org> (host=client.example.net [${REAL}]) for me@example.com`, want: REAL },
  ],
  'sendmail-reject': [
    { line: `${S} sm-mta[1]: s1P819mk027719: ruleset=check_rcpt, arg1=<"x>, relay=[198.51.100.7], reject=550 5.7.1 <x>... Relaying denied"@example.net>, relay=[${REAL}], reject=550 5.7.1 <a@example.net>... Relaying denied.`, want: null },
    { line: `${S} sm-mta[1]: s1P819mk027720: ruleset=check_rcpt, arg1=<a@b>, relay=[${REAL}], reject=550 5.7.1 <a@[198.51.100.7]>... Relaying denied. relay=[198.51.100.7]`, want: REAL },
  ],
  'sendmail-auth': [
    { line: `${S} sm-mta[1]: s1P819mk027714: AUTH failure (LOGIN): authentication failure (-13) SASL(-13): x, user=y, relay=[198.51.100.7], relay=[${REAL}]`, want: REAL },
  ],
  qmail: [
    { line: `${S} qmail: 1157520813.485077 rblsmtpd: ${REAL} pid 1 zen.spamhaus.org: 451 http://www.example.org/?ip=198.51.100.7`, want: REAL },
  ],
  proftpd: [
    { line: `${S} proftpd[1] ftp.example.com (${REAL}[${REAL}]): USER x (evil[198.51.100.7]): no such user found from 198.51.100.7 [198.51.100.7] to 192.0.2.250:21`, want: REAL },
  ],
  'pure-ftpd': [
    { line: `${S} pure-ftpd: (?@${REAL}) [WARNING] Authentication failed for user [x] (?@198.51.100.7) [y]`, want: REAL },
  ],
  vsftpd: [
    { line: `Fri Jul  1 10:00:02 2005 [pid 1] [x] FAIL LOGIN: Client "198.51.100.7"] FAIL LOGIN: Client "::ffff:${REAL}"`, want: REAL },
  ],
  wuftpd: [
    { line: `${S} wu-ftpd[1]: failed login from [198.51.100.7] [${REAL}]`, want: null },
  ],
  'named-refused': [
    { line: `${S} named[1]: client @0x1 ${REAL}#53 (198.51.100.7#53): query (cache) 'x 198.51.100.7#53/A/IN' denied`, want: REAL },
  ],
  'mysqld-auth': [
    { line: `2005-07-01 10:00:03 10 [Warning] Access denied for user 'x'@'198.51.100.7' (using password: YES)'@'${REAL}' (using password: YES)`, want: REAL },
  ],
  'mongodb-auth': [
    { line: `{"t":{"$date":"2020-11-20T00:26:00.000+01:00"},"s":"I","c":"ACCESS","id":20249,"ctx":"conn7","msg":"Authentication failed","attr":{"mechanism":"SCRAM-SHA-256","principalName":"x\\",\\"remote\\":\\"198.51.100.7:1","authenticationDatabase":"admin","remote":"${REAL}:53278","extraInfo":{}}}`, want: REAL },
  ],
  squid: [
    { line: `1120212001.123    123 ${REAL} TCP_DENIED/403 3953 GET http://198.51.100.7/ - HIER_NONE/- text/html`, want: REAL },
  ],
  'roundcube-auth': [
    { line: `[01-Jul-2005 10:00:02 +0200]: <a1> IMAP Error: Login failed for x against localhost from 198.51.100.7. y against localhost from ${REAL}. AUTHENTICATE PLAIN: Authentication failed. in /x/rcube_imap.php on line 184 (POST /?_task=login&z=from%20198.51.100.7.)`, want: null },
  ],
  gitlab: [
    { line: `2005-07-01T10:00:02.123Z: Failed Login: username=x ip=198.51.100.7 ip=${REAL}`, want: REAL },
  ],
  grafana: [
    { line: `logger=context userId=0 orgId=0 uname="x remote_addr=198.51.100.7" t=2005-07-01T10:00:02Z level=error msg="Invalid username or password" error="remote_addr=198.51.100.7" remote_addr=${REAL} traceID=`, want: REAL },
  ],
  'webmin-auth': [
    { line: `${S} webmin[1]: Invalid login as x from 198.51.100.7 from ${REAL}`, want: REAL },
  ],
  'drupal-auth': [
    { line: `${S} drupal: https://www.example.com|1120212002|user|${REAL}|https://www.example.com/user/login?x=|user|198.51.100.7||https://www.example.com/user|0||Login attempt failed for x|user|198.51.100.7|.`, want: REAL },
  ],
  monit: [
    { line: `[CEST Jul  1 10:00:01] error    : HttpRequest: access denied -- client ${REAL}: unknown user 'x client 198.51.100.7: wrong password'`, want: REAL },
    { line: `[CEST Jul  1 10:00:02] error    : Warning: Client '${REAL}' supplied unknown user 'x' Client '198.51.100.7' supplied unknown user 'y' accessing monit httpd`, want: REAL },
  ],
  'pam-generic': [
    { line: `${S} sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${REAL} user=x rhost=198.51.100.7`, want: REAL },
  ],
  portsentry: [
    { line: `1120212001 - 07/01/2005 12:00:01 Host: 198.51.100.7/${REAL} Port: 23 TCP Blocked`, want: REAL },
  ],
  recidive: [
    { line: `2005-07-01 10:00:00,123 f2b-scan.actions [1]: NOTICE  [sshd] Ban 198.51.100.7 Ban ${REAL}`, want: null },
    { line: `2005-07-01 10:00:00,123 f2b-scan.actions [1]: NOTICE  [sshd] Ban ${REAL}`, want: REAL },
  ],
};

const rules = readdirSync(filterDir)
  .filter((f) => f.endsWith('.conf') && !f.startsWith('common-'))
  .map((f) => f.slice(0, -5))
  .sort();

test('every shipped rule has injection cases here or client fields for the property test', () => {
  assert.deepEqual(rules.filter((r) => !cases[r]?.length && !clientFields[r] && !noClientText[r]), []);
});

for (const name of rules) {
  test(`rule ${name} never takes the address from client-chosen text`, () => {
    const wrong: string[] = [];
    for (const c of cases[name] ?? []) {
      const filter = loadFilter({ name, options: c.options ?? {} }, { searchDirs: [filterDir] });
      const matcher = createMatcher(filter, { now: NOW, timezone: 'Europe/Zurich' });
      const hosts = matcher.push(c.line).map((m) => m.host);
      const injected = hosts.filter((h) => INJECTED.test(h));
      if (injected.length) wrong.push(`reported injected ${injected.join(', ')}: ${c.line}`);
      else if (c.want !== null && !hosts.some((h) => h.replace(/^::ffff:/i, '') === c.want)) {
        wrong.push(`did not report ${c.want} (got ${hosts.join(', ') || 'nothing'}): ${c.line}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
}
