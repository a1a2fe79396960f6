// Per-host Ed25519 keys (Node's own crypto). Each host signs with its private key; every
// host acts only on entries that verify with the public key its trust file lists for the
// host name the entry carries. Revoking a host is deleting its line.
//
// Trust file, one key a line: `NAME ed25519 BASE64` (the 32 raw bytes of the public key, as
// `f2b-scan fleet keygen` prints them); `#` starts a comment. A name may have several lines
// (a key being rotated): any of them verifies.

import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

export type TrustedKeys = Map<string, KeyObject[]>;

/** Host names as entries carry them: no whitespace or control characters. */
export const HOST_NAME = /^[^\s\x00-\x1f\x7f]{1,255}$/;

/** A new key pair: the private key as PKCS#8 PEM, the trust line for the others. */
export function generateHostKey(host: string): { privatePem: string; trustLine: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    trustLine: trustLine(host, publicKey),
  };
}

/** `NAME ed25519 BASE64` for a public key (or the public half of a private key). */
export function trustLine(host: string, key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const x = pub.export({ format: 'jwk' }).x!;
  return `${host} ed25519 ${Buffer.from(x, 'base64url').toString('base64')}`;
}

/** The private key in PEM text, or why it is not one we can sign with. */
export function parsePrivateKey(text: string): KeyObject | string {
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch {
    // f2b-scan 0.1 kept a shared HMAC secret here (hex from `openssl rand`).
    return /-----BEGIN/.test(text)
      ? 'is not a private key in PEM form'
      : 'holds no Ed25519 private key (a shared secret of f2b-scan 0.1? Shared secrets are gone: run `f2b-scan fleet keygen --host NAME --out FILE` on each host)';
  }
  if (key.asymmetricKeyType !== 'ed25519') return `holds a ${key.asymmetricKeyType} key; the fleet signs with Ed25519 (f2b-scan fleet keygen)`;
  return key;
}

/** A trust file's lines; the problems name the line. */
export function parseTrustedKeys(text: string): { keys: TrustedKeys; problems: { line: number; why: string }[] } {
  const keys: TrustedKeys = new Map();
  const problems: { line: number; why: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const l = raw.replace(/#.*$/, '').trim();
    if (!l) return;
    const words = l.split(/\s+/);
    const [name, kind, b64] = words as [string, string | undefined, string | undefined];
    if (words.length !== 3 || kind !== 'ed25519') {
      problems.push({ line: i + 1, why: `expected "NAME ed25519 PUBLIC-KEY" (as f2b-scan fleet keygen prints it), got ${JSON.stringify(l.slice(0, 60))}` });
      return;
    }
    if (!HOST_NAME.test(name)) {
      problems.push({ line: i + 1, why: `${JSON.stringify(name)} is not a host name` });
      return;
    }
    const raw32 = /^[A-Za-z0-9+/]{43}=$/.test(b64!) ? Buffer.from(b64!, 'base64') : null;
    if (!raw32 || raw32.length !== 32) {
      problems.push({ line: i + 1, why: `the key of ${name} is not 32 bytes in base64` });
      return;
    }
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw32.toString('base64url') }, format: 'jwk' });
    const list = keys.get(name) ?? [];
    list.push(key);
    keys.set(name, list);
  });
  return { keys, problems };
}
