// fail2ban's regex tags, expanded into Python regex text before translation.
// <HOST> is an address or a host name; the groups it leaves (ip4 / ip6 / dns) tell the
// matcher which one was written. <F-NAME>...</F-NAME> captures a named field (user,
// content, mlfid, nofail, ...). <SKIPLINES> lets a multi-line rule step over lines.

// An IPv4 address, optionally written IPv4-mapped (::ffff:192.0.2.1 counts as 192.0.2.1; Erlang
// services such as ejabberd 17 write it ::FFFF:192.0.2.1).
const IP4 = String.raw`(?:::[fF]{4,6}:)?(?P<ip4>(?:\d{1,3}\.){3}\d{1,3})`;
// An IPv6 address in any compressed form; a trailing '::' is allowed. A zone suffix
// ("fe80::1%eth0", as sshd and others write link-local peers) is read but not captured:
// the address is the plain one.
const IP6 = String.raw`(?P<ip6>(?:[0-9a-fA-F]{1,4}::?|::){1,7}(?:[0-9a-fA-F]{1,4}|(?<=:):))(?:%[\w.-]{1,32})?`;
// Either, optionally in brackets ([2001:db8::1] as web servers and Postfix write it).
const ADDR = String.raw`\[?(?:${IP4}|${IP6})\]?`;
// A host name: word characters, dots and dashes, ending in a word character.
const DNS = String.raw`(?P<dns>[\w\-.^_]*\w)`;
const CIDR = String.raw`(?P<cidr>\d+)`;
const SUBNET = String.raw`\[?(?:${IP4}|${IP6})(?:/${CIDR})?\]?`;
const HOST = String.raw`(?:${ADDR}|${DNS})`;

const FIXED: Record<string, string> = {
  HOST,
  ADDR,
  IP4,
  IP6,
  DNS,
  CIDR,
  SUBNET,
};

/** Expand fail2ban's tags in one (already <key>-substituted) regex. */
export function expandRegexTags(re: string): string {
  let skip = 0;
  return re.replace(/<(\/?)F-([A-Za-z][A-Za-z0-9_]*)>|<(HOST|ADDR|IP4|IP6|DNS|CIDR|SUBNET|SKIPLINES)>/g, (_m, close: string, f: string, tag: string) => {
    // <F-ID> is the failure id (group "fid"); every other field keeps its own name.
    if (f !== undefined) return close ? ')' : `(?P<${f === 'ID' ? 'fid' : f.toLowerCase()}>`;
    if (tag === 'SKIPLINES') return String.raw`\n(?P<skiplines${skip++}>(?:(?:.*\n)*?))`;
    return FIXED[tag]!;
  });
}

/** Group names that identify who failed (one of them must be captured for a failure). */
export const HOST_GROUPS = ['ip4', 'ip6', 'dns'] as const;
export const ID_GROUPS = ['fid', 'ip4', 'ip6', 'dns'] as const;
