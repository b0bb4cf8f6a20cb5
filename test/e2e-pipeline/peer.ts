// Runtime: Node (jest). The operator stand-in of the pipeline tests: smtp-server on 127.0.0.1 with STARTTLS (a
// server certificate of the throw-away IGC-Santé PKI), recording every DATA it accepts by Message-ID. It can be
// stopped and restarted on the same port (operator down). It announces DSN (RFC 3461) like MSSanté operators and,
// when asked (`keep`), keeps each message's bytes and SMTP envelope (MAIL FROM / RCPT TO and their DSN parameters).
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerEnvelope } from 'smtp-server';
import { makePki, type TestPki } from '../transport/helpers/pki';

export interface Peer {
  readonly port: number;
  /** Message-ID → number of DATA received with it. */
  readonly received: Map<string, number>;
  /** With `keep`: every accepted message, in order. */
  readonly messages: { readonly raw: Buffer; readonly envelope: SMTPServerEnvelope }[];
  total(): number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Starts a peer (port 0 ⇒ a free port, kept across restarts). */
export async function startPeer(pki: TestPki, port = 0, options: { keep?: boolean; delayMs?: number } = {}): Promise<Peer> {
  const received = new Map<string, number>();
  const messages: Peer['messages'][number][] = [];
  let server: SMTPServer | undefined;
  let actualPort = port;
  const open = async () => {
    const s = new SMTPServer({
      key: pki.serverKey,
      cert: pki.serverChain,
      authOptional: true,
      logger: false,
      hideDSN: false,
      size: 30 * 1024 * 1024,
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          if (options.keep) messages.push({ raw, envelope: JSON.parse(JSON.stringify(session.envelope)) as SMTPServerEnvelope });
          const head = raw.toString('utf8').split('\r\n\r\n')[0];
          const id = /^Message-ID:\s*(<[^>]+>)/im.exec(head)?.[1] ?? '(aucun)';
          received.set(id, (received.get(id) ?? 0) + 1);
          // a slow operator: the 250 to DATA comes `delayMs` after the final "."
          if (options.delayMs) setTimeout(() => cb(), options.delayMs);
          else cb();
        });
      },
    });
    s.on('error', () => undefined);
    s.listen(actualPort, '127.0.0.1');
    await once(s.server, 'listening');
    actualPort = (s.server.address() as AddressInfo).port;
    server = s;
  };
  await open();
  return {
    get port() {
      return actualPort;
    },
    received,
    messages,
    total: () => [...received.values()].reduce((a, b) => a + b, 0),
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      // close the listener and drop the open sessions at once (an operator that goes away)
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        const conns = (s as unknown as { connections?: Set<{ close?: () => void; _socket?: { destroy(): void } }> }).connections;
        conns?.forEach((c) => c._socket?.destroy());
      });
    },
    async start() {
      if (!server) await open();
    },
  };
}

/** Writes the PKI files the worker processes read: anchors, CRLs, the applicative mailbox's PKCS#12. */
export function writePkiFiles(pki: TestPki, dir: string): { anchors: string; crls: string[]; p12: string; p12Pass: string } {
  const anchors = join(dir, 'anchors.pem');
  writeFileSync(anchors, pki.anchors);
  const rootCrl = join(dir, 'root.crl');
  writeFileSync(rootCrl, pki.rootCrl);
  const interCrl = join(dir, 'inter.crl');
  writeFileSync(interCrl, pki.interCrl(new Date(Date.now() - 3_600_000), new Date(Date.now() + 7 * 86_400_000)));
  const p12 = join(dir, 'app.p12');
  writeFileSync(p12, pki.clientP12);
  const p12Pass = join(dir, 'app.p12.pass');
  writeFileSync(p12Pass, pki.clientP12Pass);
  return { anchors, crls: [rootCrl, interCrl], p12, p12Pass };
}

export { makePki };
