// A tiny DNS server on 127.0.0.1 for resolver tests: answers A/AAAA queries from a table, says
// NXDOMAIN for other names, or stays silent (to test timeouts). Only loopback traffic.

import { createSocket, type Socket } from 'node:dgram';
import { parseAddress } from '../../src/net/address.ts';

export interface DnsServer {
  /** `127.0.0.1:port` for Resolver.setServers */
  server: string;
  queries: string[];
  close(): Promise<void>;
}

function readName(msg: Buffer, off: number): [string, number] {
  const labels: string[] = [];
  while (msg[off]! !== 0) {
    const len = msg[off]!;
    labels.push(msg.subarray(off + 1, off + 1 + len).toString('ascii'));
    off += 1 + len;
  }
  return [labels.join('.').toLowerCase(), off + 1];
}

/** `records`: name -> addresses. `silent`: never answer. */
export async function startDnsServer(records: Record<string, string[]>, silent = false): Promise<DnsServer> {
  const sock: Socket = createSocket('udp4');
  const queries: string[] = [];
  sock.on('message', (msg, rinfo) => {
    const [name, end] = readName(msg, 12);
    const qtype = msg.readUInt16BE(end);
    queries.push(`${name} ${qtype === 1 ? 'A' : qtype === 28 ? 'AAAA' : qtype}`);
    if (silent) return;
    const known = Object.hasOwn(records, name);
    const answers = (known ? records[name]! : []).map((a) => parseAddress(a)!).filter((a) => (qtype === 1 ? a.family === 4 : qtype === 28 ? a.family === 6 : false));
    const header = Buffer.alloc(12);
    header.writeUInt16BE(msg.readUInt16BE(0), 0); // id
    header.writeUInt16BE(0x8180 | (known ? 0 : 3), 2); // response, RD, RA, rcode NOERROR / NXDOMAIN
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const question = msg.subarray(12, end + 4);
    const rrs = answers.map((a) => {
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
      rr.writeUInt16BE(a.family === 4 ? 1 : 28, 2);
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(60, 6); // TTL
      rr.writeUInt16BE(a.bytes.length, 10);
      return Buffer.concat([rr, Buffer.from(a.bytes)]);
    });
    sock.send(Buffer.concat([header, question, ...rrs]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  const { port } = sock.address();
  return { server: `127.0.0.1:${port}`, queries, close: () => new Promise((resolve) => sock.close(() => resolve())) };
}
