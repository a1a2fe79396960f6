// Where the client's own text stands in each rule's log lines, and how the service writes it.
// The injection property test (injection-property.test.ts) finds these fields in every line
// of a rule's sample and replaces them with generated text that spells other addresses.
//
// A field is a regex with the `d` flag whose first group, at every match in a line, is text
// the client chose: user names, request paths, query strings, referers, user agents, HELO
// names, mail addresses, quoted strings, and host names from reverse DNS (the attacker owns
// the PTR record of its own address). `write` is what the service does to such text before
// it lands in the log: the escaping of an access log, JSON's, the characters a field cannot
// hold. Only fields the client really controls belong here: a field the service writes
// itself, filled with attacker text, would make the test fail a correct rule.

export type Writer = (s: string) => string;

export interface ClientField {
  /** What the field is, for messages. */
  name: string;
  /** Group 1 of each match (flags `dg`) is the field. */
  at: RegExp;
  write?: Writer;
}

const hex2 = (c: string) => c.charCodeAt(0).toString(16).padStart(2, '0');

/** Printable text as most daemons write it: line breaks and other control characters cannot pass. */
export const asIs: Writer = (s) => s.replace(/[\x00-\x1f\x7f]/g, '');
/** One word: the service splits its input at white space (or refuses it). */
export const word: Writer = (s) => asIs(s).replace(/\s+/g, '') || 'x';
/** An existing account's name (sshd names only accounts that exist outside "invalid user"): the admin chose it. */
export const accountName: Writer = (s) => s.replace(/[^\w.-]/g, '').replace(/^[\d.]+$/, 'u$&') || 'x';
/**
 * A mail address as an SMTP server takes it (RFC 5321): a local part holding spaces, brackets,
 * quotes or commas must be a quoted string ("..." with \" and \\ escaped).
 */
export const mailbox: Writer = (s) => {
  const t = asIs(s);
  return /^[\w.!#$%&'*+/=?^`{|}~@-]*$/.test(t) ? t : `"${t.replace(/["\\]/g, '\\$&')}"@example.com`;
};
/** A host name from reverse DNS: the resolver refuses anything but letters, digits, dots, hyphens. */
export const dnsName: Writer = (s) => s.replace(/[^A-Za-z0-9.-]/g, '') || 'x';
/** An SMTP HELO/EHLO argument a mail server accepts in its host field: a name or an [address literal]. */
export const heloName: Writer = (s) => s.replace(/[^A-Za-z0-9.:\[\]-]/g, '') || 'x';
/** JSON string content (the quotes are the service's). */
export const json: Writer = (s) => JSON.stringify(s).slice(1, -1);
/** nginx access log: '"', '\' and bytes outside printable ASCII as \xHH. */
export const nginxAccess: Writer = (s) => s.replace(/["\\\x00-\x1f\x7f-\uffff]/g, (c) => `\\x${hex2(c).toUpperCase()}`);
/** Apache access log: '"' and '\' backslash-escaped, control bytes as \xhh. */
export const apacheAccess: Writer = (s) => s.replace(/["\\]/g, (c) => `\\${c}`).replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${hex2(c)}`);
/** HAProxy's log escaping of a captured request: '"', '#' and control bytes as #HH. */
export const haproxy: Writer = (s) => s.replace(/[#"\x00-\x1f\x7f]/g, (c) => `#${hex2(c).toUpperCase()}`);
/** logfmt value (Grafana, Gitea): quoted with \" escapes when it holds a space, quote or '='. */
export const logfmt: Writer = (s) => (/[\s"=\\]/.test(s) || s === '' ? JSON.stringify(asIs(s)) : asIs(s));
/** A Basic-auth user name: everything up to the first colon of user:password. */
export const basicUser: Writer = (s) => asIs(s).replace(/:/g, '');
/** Linux audit: a value with a space, quote or control byte is written as hex, without quotes. */
export const auditValue: Writer = (s) => (/^[\x21\x23-\x7e]*$/.test(s) ? `"${s}"` : Buffer.from(s).toString('hex').toUpperCase());
/** A DNS query name as BIND prints it: special characters escaped (\032, \(, \")). */
export const bindName: Writer = (s) =>
  s.replace(/[^A-Za-z0-9.-]/g, (c) => (/[ -~]/.test(c) && c !== ' ' ? `\\${c}` : `\\${String(c.charCodeAt(0) & 255).padStart(3, '0')}`)) || 'x';
/** A variable name from an HTTP header, as CGI makes it. */
export const cgiHeader: Writer = (s) => 'HTTP_' + (s.toUpperCase().replace(/[^A-Z0-9_]/g, '_') || 'X');

/** A string inside double quotes with backslash escapes (Go's %q, Serilog, logfmt values). */
export const backslashQuoted: Writer = (s) => asIs(s).replace(/["\\]/g, '\\$&');

const f = (name: string, at: RegExp, write: Writer = asIs): ClientField => ({ name, at, write });

// ---- shared pieces -----------------------------------------------------------------------

/** Combined / common access log (Apache escaping): user, request line, referer, user agent. */
const apacheAccessLog = [
  f('remote user', /^\S+ \S+ (\S+) \[/d, apacheAccess),
  f('request line', /\] "((?:[^"\\]|\\.)*)" \d{3} /d, apacheAccess),
  f('referer', /\d{3} (?:\d+|-) "((?:[^"\\]|\\.)*)" "/d, apacheAccess),
  f('user agent', /" "((?:[^"\\]|\\.)*)"(?: |$)/d, apacheAccess),
];
/** The same with nginx's escaping. */
const nginxAccessLog = apacheAccessLog.map((x) => ({ ...x, write: x.name === 'remote user' ? word : nginxAccess }));
/** nginx error log: the request line and the Host / Referer headers nginx appends, as sent. */
const nginxErrorLog = [
  f('request line', /, request: "(.*?)"(?:, |$)/d),
  f('Host header', /, host: "(.*?)"(?:, |$)/d),
  f('referrer', /, referrer: "(.*?)"$/d),
];
/** Apache error log: the URI or file path at the end of a message, the referer. */
const apacheErrorLog = [
  f('path', /(?:File does not exist|unable to stat|not found|configuration|Password Mismatch|password mismatch): (\/[^,\s]*)/dg),
  f('referer', /, referer: (.*)$/d),
];
/** PAM's "authentication failure; ... ruser=x rhost=... user=y" */
const pamUnix = [f('PAM ruser', /ruser=(\S*) /d, word), f('PAM user', / user=(\S+)\s*$/d, word)];
/** A mail address in <...> as MTAs log it (quoted local parts may hold anything). */
const mailAddresses = [f('mail address', /(?:from=|to=|F=|RCPT |arg1=|From )<([^<>]*)>/dg, mailbox)];

// ---- every shipped rule -------------------------------------------------------------------

export const clientFields: Record<string, ClientField[]> = {
  sshd: [
    // a name sshd found no account for: any text
    f('user name', /(?:[Ii]nvalid|[Ii]llegal) user (\S+) (?:from |[\d.:a-fA-F]+ port )/dg),
    // an account that exists: the client picks one, the admin wrote its name
    f('account name', / for (?!invalid |illegal )(\S+) from /dg, accountName),
    f('account name', /: User (\S+) (?:from |not allowed)/dg, accountName),
    f('account name', /authenticating user (\S+) [\d.:a-fA-F]+ port /dg, accountName),
    f('account name', /Too many authentication failures for (\S+) \[/dg, accountName),
    f('client version string', /identification '(.*)' from /dg),
    f('client disconnect reason', /Received disconnect from \S+ port \d+:\d+: (.*?)(?: \[preauth\])?$/d),
    f('client algorithm offer', /Their offer: (.*?)(?: \[preauth\])?$/d),
    f('client cipher list', /no matching cipher found: client (\S+) server/d),
    f('user and service', /not allowed: \((.*?)\) -> \((.*?)\)/d),
    f('client version string', /vs\. (.*)$/d),
    f('client version string', / with (.*)\.  Don't panic\.$/d),
    ...pamUnix,
  ],
  dropbear: [f('user name', /(?:for|user) '([^']*)'/dg)],
  'selinux-ssh': [f('account', /acct=("[^"]*"|[0-9A-F]+) /d, auditValue), f('host name', /hostname=([^?\s]\S*) /d, dnsName)],
  'apache-auth': [
    f('user name', /user (\S+?):? (?:not found|authentication failure|password mismatch)/dg),
    f('user name', /user `(.*?)' in realm/d),
    f('realm', /got `(.*?)' but/d),
    f('URI', /failure for "(.*?)"/d),
    ...apacheErrorLog,
  ],
  'apache-badbots': apacheAccessLog,
  'apache-botsearch': [f('script path', /script '(.*?)' not found/d), f('script path', /stderr from (.*): script not found/d), ...apacheErrorLog],
  'apache-noscript': [f('script path', /script '(.*?)' not found/d), f('script path', /stderr from (.*): script not found/d), ...apacheErrorLog],
  'apache-overflows': [
    f('request', /(?:Invalid URI in request|Invalid method in request|after protocol string:) (.*)$/d),
    f('header name', /LimitRequestFieldSize: (.*)$/d),
    ...apacheErrorLog,
  ],
  'apache-shellshock': [f('header variable', /(HTTP_\w+)/dg, cgiHeader), f('command', /line 1: (\S+): command/d)],
  'nginx-http-auth': [f('user name', /user "([^"]*)"/d, basicUser), ...nginxErrorLog],
  'nginx-limit-req': nginxErrorLog,
  'nginx-botsearch': [...nginxAccessLog, f('file path', /(?:open\(\) |\*\d+ )"([^"]*)"/d), ...nginxErrorLog],
  'nginx-bad-request': [...nginxAccessLog, ...nginxErrorLog],
  'lighttpd-auth': [
    f('URI', /for (\S+) username/d),
    f('user name', /username: (\S*?),? IP/d),
    f('digest user name', /auth failed for (.*?) ?: wrong password/d),
    f('digest URIs', /uri mismatch \((.*)\), IP/d),
  ],
  'haproxy-http-auth': [
    f('request', /^[^"]*:\d+ \[[^"]*"(.*)"$/d, haproxy),
    f('request (clf)', / - - \[[^\]]*\] "([^"]*)" \d{3} /d, haproxy),
  ],
  'traefik-auth': [
    f('remote user', /^\S+ \S+ (\S+) \[/d, word),
    f('request line', /\] "(.*?)" \d{3} /d),
    f('referer', /\d{3} \d+ "(.*?)" "/d),
    f('user agent', /\d{3} \d+ "(?:.*?)" "(.*?)" \d+ "/d),
    f('path', /" "(\/[^"]*)" \d+ms$/d),
  ],
  postfix: [
    f('host name', /from ([^\s\[]+)\[/dg, dnsName),
    f('HELO name', /helo=<([^>]*)>/d),
    f('recipient', /: \d{3} [\d.]+ <([^>]*)>: /d, mailbox),
    f('SASL user', /sasl_username=(\S+)/d),
    f('SASL mechanism', /SASL (\S+) authentication/d, word),
    f('pipelined input', /improper command pipelining after \S+ from [^\s[]*\[[^\]]*\]: (.*)$/d),
    f('non-SMTP command', /non-SMTP command from [^\s[]*\[[^\]]*\]: (.*)$/d),
    f('pregreet / non-SMTP text', /(?:PREGREET \d+ after [\d.]+|NON-SMTP COMMAND) from \[[^\]]*\]:\d+(?: after \S+)?: (.*)$/d),
    ...mailAddresses,
  ],
  dovecot: [
    f('user name', /user=<([^>]*)>/d),
    f('user name', /\w+\(([^,()]*),[\da-fA-F.:]+(?:,<[^>]*>)?\)/d),
    f('password (auth_verbose_passwords = plain)', /\(given password: (.*)\)$/d),
  ],
  'courier-auth': [f('user name', /user=([^,]*),/d)],
  'cyrus-imap': [
    f('host name', /(?:badlogin|login): (\S+) \[/d, dnsName),
    f('user name', /\] (?:PLAIN|plaintext|LOGIN) (\S+) (?:SASL|plaintext|User)/d),
    // 3.x writes the user (or APOP challenge) in parentheses, any text; sieve/httpd the mechanism and user as words
    f('user name', /\] \S+ \((.*)\) (?:invalid user|\[|SASL)/d),
    f('user name', /\] Basic (\S+) SASL/d, word),
  ],
  'roundcube-auth': [
    f('user name', /(?:Login failed|Failed login|FAILED login|Successful login) for (\S+) /d),
    f('request URI', /\((?:POST|GET) (.*)\)$/d),
    f('X-Forwarded-For header', /\(X-Forwarded-For: ([^()]*)\)/d),
  ],
  exim: [
    f('HELO name', /\(([^()\s]*)\) \[/dg, heloName),
    f('host name', /(?:H=|failed for |from )([\w.-]+) [([]/dg, dnsName),
    f('SMTP command', /(?:protocol error in|last command was) "(.*?)"/dg),
    f('user name', /set_id=(.*)\)$/d),
    f('EHLO argument', /syntactically invalid argument\(s\): (.*)$/d),
    f('last command', /\(last was "(.*)"\)$/d),
    ...mailAddresses,
  ],
  'exim-spam': [
    f('HELO name', /\(([^()\s]*)\) \[/dg, heloName),
    f('host name', /(?:H=|host=)([\w.-]+) [([]/dg, dnsName),
    f('Message-Id', /Message-Id: (.*?)\)\. From/d),
    f('recipients', /\) for (.*)$/d, (t) => t.split(', ').map(mailbox).join(', ')),
    f('recipient', /rejected RCPT <?([^<>\s:]*)>?:/d, mailbox),
    ...mailAddresses,
  ],
  'sendmail-auth': [
    f('user name', /user=([^,]*), relay/d),
    f('host name', /relay=(?:\S+@)?([^\s@]+) \[/d, dnsName),
    f('auth id', /authid=([^,]*),/d),
    // identd's answer, as daemon.c cleanstrcpy() leaves it
    f('ident user', /relay=(?:IDENT:)?([^\s@]+)@/d, word),
  ],
  'sendmail-reject': [
    f('host name', /(?:relay=|: )([\w.-]+) \[[\d.:a-fA-F]+\]/dg, dnsName),
    f('VRFY argument', /VRFY (\S+) \[rejected\]/d),
    f('ident user', /(?:relay=|: )(?:IDENT:)?([^\s@:]+)@[\w.-]+ \[/d, word),
    f('recipient', /<([^<>]*)>\.\.\./dg, mailbox),
    ...mailAddresses,
  ],
  qmail: [f('host name', /(?:blocked [\d.]+ |:)([A-Za-z][\w.-]*)(?: -$|:[\d.]+::)/d, dnsName)],
  proftpd: [
    f('host name', /\((\S+?)\[[^\]]+\]\)/d, dnsName),
    f('user name', /USER (\S+?)(?::| \()/d),
  ],
  'pure-ftpd': [f('user name', /for user \[(.*)\]$/d), f('session user', /\(([^@()\s]+)@/d, word)],
  vsftpd: [
    f('user name', /\] \[([^\]]*)\] (?:FAIL|OK) LOGIN/d),
    f('user name', /: \[([^\]]*)\] (?:FAIL|OK) LOGIN/d),
    f('anonymous password', /anon password "(.*)"$/d),
    ...pamUnix,
  ],
  wuftpd: [
    f('host name', /(?:from|FROM) (\S+) \[/d, dnsName),
    f('host name', / @ (\S+) \[/d, dnsName),
    f('user name', /\], (\S+)$/d),
    // RFC 931: the client's identd answers with any text
    f('ident user', /(?:from|FROM) (.*) @ /d),
    ...pamUnix,
  ],
  'named-refused': [
    f('query name', /\(((?:[^\\()]|\\.)*)\): (?:view|query|zone|update|bad)/d, bindName),
    f('query name', /'([^'/]*)\/\w+\/IN'/d, bindName),
    f('zone name', /(?:update(?: forwarding)?|request:) '([^'/]*)\/IN'/d, bindName),
    f('query name', /query: (\S+) IN/d, bindName),
  ],
  'mysqld-auth': [f('user name', /user '([^']*)'@/d), f('database', /db: '([^']*)'/d), f('user name', /user: '([^']*)'/d)],
  'mongodb-auth': [
    f('user name', /authenticate (\S+) with/d),
    f('user name', /find user (\S+)$/d),
    f('user name', /authenticate (.*?)@admin from client/d),
    f('mechanism', /from client \S+ with mechanism (\S+): /d, word),
    f('principal', /authentication failed for (.*?) on admin from/d),
    f('user (5.0+)', /"user":"((?:[^"\\]|\\.)*)"/d, json),
    f('principal', /"principalName":"((?:[^"\\]|\\.)*)"/d, json),
    f('database', /"authenticationDatabase":"((?:[^"\\]|\\.)*)"/d, json),
  ],
  squid: [f('URL', / (?:GET|POST|HEAD|CONNECT|PUT) (\S+) /d, word), f('user name', /^\s*[\d.]+\s+\d+ \S+ \S+ \d+ \S+ \S+ (\S+) /d, word),
    f('user name (common/combined)', /^\S+ - (\S+) \[/d, word), f('referer and agent (combined)', /^\S+ - \S+ \[[^\]]*\] "[^"]*" \d{3} \d+ "(.*)" \S+:\S+$/d)],
  gitlab: [
    f('user name', /^[^{].*?Failed Login: username=(.*?) ip=/d),
    f('user name (JSON log)', /^\{.*"message":"Failed Login: username=((?:[^"\\]|\\.)*?) ip=/d, json),
    f('request path (auth.log)', /"(?:path|fullpath)":"((?:[^"\\]|\\.)*)"/d, json),
  ],
  grafana: [f('user name', /uname=("(?:[^"\\]|\\.)*"|\S*)/d, logfmt), f('path', /path=(\S+)/d, logfmt)],
  'webmin-auth': [f('user name', /login as (\S+) from/d)],
  'drupal-auth': [f('URL', /\|(https?:\/\/[^|]*)/dg), f('user name', /failed for (.*)\.$/d)],
  monit: [f('user name', /user '([^']*)'/d)],
  'pam-generic': pamUnix,
  portsentry: [f('host name', /(?:Host|host): ([^/\s]+)\//d, dnsName), f('host name', /\] \(([^()]*)\) protocol/d, dnsName)],
};

// ---- applications ------------------------------------------------------------------------
Object.assign(clientFields, {
  vaultwarden: [f('user name', /Username: (.*)\.$/d)],
  jellyfin: [
    f('user name', /request for "((?:[^"\\]|\\.)*)" (?:has|is|forbidden)/d, backslashQuoted),
    f('user name', /request for ([^"].*?) (?:has been|is not|forbidden)/d),
  ],
  nextcloud: [
    f('user name', /"message":"Login failed: '?((?:[^"\\']|\\.)*?)'? \(Remote IP/d, json),
    f('URL', /"url":"((?:[^"\\]|\\.)*)"/d, json),
    f('user agent', /"userAgent":"((?:[^"\\]|\\.)*)"/d, json),
  ],
  gitea: [f('user name', /attempt for (.*?) from /d), f('user name in the error', /name: (.*)\]$/d), f('email', /\[email: (.*)\]$/d)],
  authelia: [
    f('user name', /level=error msg="Unsuccessful \S+ authentication attempt by user '((?:[^"\\]|\\.)*?)'/d, backslashQuoted),
    f('user name', /"msg":"Unsuccessful \S+ authentication attempt by user '((?:[^"\\]|\\.)*?)'/d, json),
  ],
  asterisk: [
    f('SIP From/To header', /(?:Registration|Request(?: '[A-Z]+')?) from '(.*?)' failed for/d),
    f('caller', /Call from '(.*?)' \(/d),
    f('SIP Call-ID', /\(callid: (\S*)\)/d, word),
    f('dialled extension', /to extension '([^']*)'/d, (t) => word(t).replace(/'/g, '')),
    f('peer name', /for peer '(.*)' \(from/d),
    f('user name', /(?:authenticate as|nonexistent user) '?(.*?)'?$/d),
    f('account', /AccountID="([^"]*)"/d),
    f('challenge answer', /Received(?:Challenge|Hash)="([^"]*)"/dg, word),
  ],
  keycloak: [
    f('client id', /clientId="?([^",\s]*)"?,/d, (t) => asIs(t).replace(/"/g, '')),
    f('user name', /username="?([^",]*?)"?(?:,|$)/d),
    f('redirect URI', /redirect_uri="?([^",\s]*)"?,/d, word),
  ],
  caddy: [
    f('URI', /"uri":"((?:[^"\\]|\\.)*)"/d, json),
    f('user agent', /"User-Agent":\["((?:[^"\\]|\\.)*)"\]/d, json),
  ],
  'traefik-auth': [
    ...clientFields['traefik-auth']!,
    f('JSON user name', /"ClientUsername":"((?:[^"\\]|\\.)*)"/d, json),
    f('JSON path', /"RequestPath":"((?:[^"\\]|\\.)*)"/d, json),
  ],
  postgresql: [
    f('user name', /user "([^"]*)"/dg),
    f('database', /database "([^"]*)"/d),
    f('user@database prefix', /\] (\S+@\S+) (?:LOG|FATAL)/d),
  ],
  coturn: [
    f('user name', /user <([^<>]*)>/dg),
    f('realm', /realm <([^<>]*)>/dg),
    f('origin', /origin <([^<>]*)>/dg),
  ],
  homeassistant: [
    f('host name', /from (\S+) \(/d, dnsName),
    f('URL', /Requested URL: '(.*)'\. \(/d),
    f('user agent', /'\. \((.*)\)$/d),
  ],
  proxmox: [f('user name', / user=(\S+)/d, word), f('error', / msg=(.*)$/d)],
  cockpit: [f('user name', / user=(.*)$/d, word)],
  phpmyadmin: [f('user name', /user denied: (.*) \(/d)],
  wordpress: apacheAccessLog,
  synapse: [f('request line', /\d{3}!? "(.*?)" "/d, (t) => asIs(t).replace(/"/g, '%22')), f('user agent', /" "([^"]*)" \[\d+ dbevts\]$/d)],
  openvpn: [f('certificate subject', /VERIFY ERROR: depth=\d+, (.*)$/d), f('common name', /: (\w+)\/[\d.]+:\d+ /d, word)],
  samba: [
    f('user name', /user \[[^\]]*\]\\\[([^\]]*)\]/d),
    f('domain', /user \[([^\]]*)\]/d),
    f('workstation', /workstation \[([^\]]*)\]/d),
    f('mapped name', /mapped to \[[^\]]*\]\\\[([^\]]*)\]/d),
  ],
  sogo: [
    f('X-Forwarded-For header', /Login from '(.*?)(?:, )?[^,']*' for user/d, (t) => (t ? `${t}, ` : t)),
    f('user name', /for user '([^']*)' might/d),
  ],
  zimbra: [
    f('account name', /\[name=([^;\]]*);/d),
    f('user agent', /;ua=([^;\]]*);/d),
    f('account in the message', /authentication failed for \[([^\]]*)\]/d),
  ],
  immich: [f('e-mail', /attempt for user (.*) from ip address/d)],
  paperless: [f('user name', /for user `(.*?)` from/d)],
  odoo: [f('login', / login:(.*) from /d), f('database', /for db:(\S*) /d, word)],
  'uptime-kuma': [f('user name', /for user (.*)\. IP=/d)],
  emby: [f('request URL', /ms\. (?:POST )?(\S+)$/d, word)],
  portainer: [
    ...apacheAccessLog,
    f('JSON path', /"RequestHost":"((?:[^"\\]|\\.)*)"/d, json),
  ],
  'nginx-forbidden': nginxErrorLog,
  murmur: [f('user name', /=> <\d+:(.*)\(-?\d+\)> Rejected/d)],
  'ejabberd-auth': [f('JID', /authentication for (.*) from (?:IP )?[\d:.a-fA-F]+/d)],
  guacamole: [f('user name', /for user "(.*)" failed/d)],
  nsd: [f('zone', /for (?:zone )?(\S+) from/d, bindName), f('zone', /block (\S+) type/d, bindName)],
  'znc-adminlog': [f('user name', /\] \[(.*)\] failed to login/d)],
  squirrelmail: [f('user name', /\[LOGIN_ERROR\] (.*?) \(/d), f('domain', / \((.*)\) from/d)],
  sieve: [f('host name', /badlogin: ([\w.-]*)\[/d, dnsName)],
  'mssql-auth': [f('user name', /for user '(.*)'\. Reason/d)],
  'uwimap-auth': [f('user name', /user=(.*) auth=/d), f('auth name', /auth=(.*) host=/d), f('host name', /host=(\S+) \[/d, dnsName)],
  'solid-pop3d': [f('user name', /(?:user:|user name:| for user) (.*) - [\d.:a-fA-F]+$/d)],
  softethervpn: [f('user name', /provided was "(.*)", from/d)],
  perdition: [f('user name', /authentication_id="([^"]*)"/d)],
  horde: [f('user name', /FAILED LOGIN for (.*) \[[\d.:a-fA-F]+\] to/d)],
  'froxlor-auth': [f('user name', /user '(.*)' tried/d)],
  monitorix: [f('path', /\] [^:]+: (.*)$/d, word)],
  zoneminder: [f('user name', /for user "(.*)"\]/d), f('user name', /retrieve user (.*) details/d), ...apacheErrorLog],
});

/** Rules whose lines hold no text the client chose, and why. */
export const noClientText: Record<string, string> = {
  slapd: "the lines read hold slapd's numbers and the address (the client's bind DN is on other lines)",
  'xinetd-fail': "the service name (configuration), xinetd's reason and the address",
  stunnel: "stunnel's and OpenSSL's words and the address",
  bitwarden: "Bitwarden writes only its own words and the address",
  mosquitto: "the broker's own words and the address (a CONNECT's protocol version is a number)",
  redis: 'Redis writes the whole line itself: the client only chose to send an HTTP request',
  zabbix: "the agent's own text, its allowed-hosts setting and TLS library messages",
  recidive: "f2b-scan's and fail2ban's own ban lines: jail names come from the configuration, the address from the ban",
};
