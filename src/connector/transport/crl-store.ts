// Runtime: Node (connector). The IGC-Santé certificate revocation lists (CRL) known to the connector: parsed with
// pkijs (no hand-written ASN.1), signature-checked against the configured IGC-Santé trust anchors, kept in memory for
// the synchronous TLS check, and the last valid one per issuer kept in the data folder (SC.MSS/CONF.22: "conserver la
// dernière CRL non expirée"). CRLs are public documents: writing them to disk leaks nothing.
//
// Rules (docs/transport.md, "Révocation"):
// - a CRL is accepted only if signed by one of the trust anchors and not older than the one held (no roll-back);
// - a CRL past its nextUpdate is still used to REFUSE a revoked certificate (revocation is final), but a certificate
//   it does not list is refused with TLS_CRL_EXPIRED, unless the policy says `staleCrl: 'accept'` (then a warning);
// - no CRL at all for an issuer ⇒ TLS_CRL_UNAVAILABLE (fail closed).

import { X509Certificate, createHash, webcrypto } from 'node:crypto';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { NOOP_LOGGER, type TransportLogger } from './logger';

/** Options of {@link CrlStore.create}. */
export interface CrlStoreOptions {
  /** PEM of the IGC-Santé CA certificates (root and intermediates) that may sign CRLs. */
  readonly anchors: string | Buffer;
  /** Folder where the last valid CRL of each issuer is kept (`<dir>/<sha256(issuer)>.crl`). Absent ⇒ memory only. */
  readonly dir?: string;
  /** Clock (ms since epoch). Default `Date.now`. */
  readonly now?: () => number;
  /** Logger (codes and issuer names only). Default: none. */
  readonly logger?: TransportLogger | false;
  /** HTTP client used by {@link CrlStore.refresh}. Default global `fetch`. */
  readonly fetch?: typeof fetch;
}

/** One CRL held for one issuer. */
export interface HeldCrl {
  /** Issuer subject, as Node's X509Certificate prints it. */
  readonly issuer: string;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  /** Revoked serial numbers, upper-case hex without leading zeros. */
  readonly revoked: ReadonlySet<string>;
  readonly der: Buffer;
}

/** The revocation status of one certificate. */
export type RevocationStatus =
  | { readonly status: 'good'; readonly nextUpdate?: Date }
  | { readonly status: 'revoked' }
  | { readonly status: 'no-crl' }
  | { readonly status: 'stale'; readonly nextUpdate: Date };

/** Why {@link CrlStore.add} did not take a CRL. */
export type CrlAddResult =
  | { readonly accepted: true; readonly issuer: string }
  | { readonly accepted: false; readonly reason: 'unparsable' | 'unknown-issuer' | 'bad-signature' | 'not-newer' | 'not-yet-valid' };

/** Upper-case hex without leading zeros: the common form of Node's `serialNumber` and a CRL entry. */
export function normaliseSerial(hex: string): string {
  const s = hex.replace(/[^0-9a-f]/gi, '').replace(/^0+/, '').toUpperCase();
  return s === '' ? '0' : s;
}

function toDer(input: Buffer | string): Buffer {
  const text = typeof input === 'string' ? input : input.toString('latin1');
  const m = /-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/.exec(text);
  if (m) return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
  return typeof input === 'string' ? Buffer.from(input, 'base64') : input;
}

/** Splits a PEM bundle into certificates. */
export function splitPemCertificates(pem: string | Buffer): X509Certificate[] {
  const text = pem.toString();
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((m) => new X509Certificate(m[0]));
}

const fileNameOf = (issuer: string): string => `${createHash('sha256').update(issuer).digest('hex').slice(0, 32)}.crl`;

/** The CRLs of the IGC-Santé trust anchors. Create with {@link CrlStore.create}. */
export class CrlStore {
  private readonly held = new Map<string, HeldCrl>();
  private readonly anchors: readonly X509Certificate[];
  private readonly now: () => number;
  private readonly logger: TransportLogger;
  private readonly dir?: string;
  private readonly fetchImpl: typeof fetch;

  private constructor(opts: CrlStoreOptions) {
    this.anchors = splitPemCertificates(opts.anchors);
    if (this.anchors.length === 0) throw new Error('CrlStore : aucune autorité IGC-Santé dans `anchors` (PEM attendu).');
    this.now = opts.now ?? Date.now;
    this.logger = opts.logger || NOOP_LOGGER;
    this.dir = opts.dir;
    this.fetchImpl = opts.fetch ?? fetch;
  }

  /** Builds a store and reloads the CRLs kept in `dir` (each one re-verified). */
  static async create(opts: CrlStoreOptions): Promise<CrlStore> {
    const store = new CrlStore(opts);
    if (store.dir) {
      await mkdir(store.dir, { recursive: true });
      for (const name of await readdir(store.dir)) {
        if (!name.endsWith('.crl')) continue;
        const result = await store.add(await readFile(join(store.dir, name)), { persist: false });
        if (!result.accepted) store.logger.warn({ event: 'crl.reload.rejected', reason: result.reason }, 'CRL conservée ignorée');
      }
    }
    return store;
  }

  /** The CRLs held, one per issuer. */
  list(): readonly HeldCrl[] {
    return [...this.held.values()];
  }

  /**
   * Offers a CRL (DER or PEM). Taken when it parses, is signed by a trust anchor, is already in force and is not
   * older than the one held for the same issuer; then kept in `dir` as the last valid CRL of that issuer.
   */
  async add(input: Buffer | string, options: { persist?: boolean } = {}): Promise<CrlAddResult> {
    let crl: pkijs.CertificateRevocationList;
    const der = toDer(input);
    try {
      crl = pkijs.CertificateRevocationList.fromBER(new Uint8Array(der));
    } catch {
      return { accepted: false, reason: 'unparsable' };
    }
    const issuerDer = Buffer.from(crl.issuer.toSchema().toBER(false));
    const anchor = this.anchors.find((a) => Buffer.from(pkijs.Certificate.fromBER(new Uint8Array(a.raw)).subject.toSchema().toBER(false)).equals(issuerDer));
    if (!anchor) return { accepted: false, reason: 'unknown-issuer' };
    const issuerCertificate = pkijs.Certificate.fromBER(new Uint8Array(anchor.raw));
    let valid = false;
    try {
      valid = await crl.verify({ issuerCertificate }, new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'] }));
    } catch {
      valid = false;
    }
    if (!valid) return { accepted: false, reason: 'bad-signature' };
    const thisUpdate = crl.thisUpdate.value;
    const nextUpdate = crl.nextUpdate?.value;
    if (thisUpdate.getTime() > this.now() + 5 * 60_000) return { accepted: false, reason: 'not-yet-valid' };
    const previous = this.held.get(anchor.subject);
    if (previous && previous.thisUpdate.getTime() > thisUpdate.getTime()) return { accepted: false, reason: 'not-newer' };
    const revoked = new Set<string>(
      (crl.revokedCertificates ?? []).map((r) => normaliseSerial(Buffer.from(r.userCertificate.valueBlock.valueHexView).toString('hex'))),
    );
    this.held.set(anchor.subject, { issuer: anchor.subject, thisUpdate, nextUpdate, revoked, der });
    if (this.dir && options.persist !== false) {
      const path = join(this.dir, fileNameOf(anchor.subject));
      await writeFile(`${path}.tmp`, der);
      await rename(`${path}.tmp`, path);
    }
    this.logger.info({ event: 'crl.accepted', issuerCn: cnOf(anchor.subject), entries: revoked.size, nextUpdate: nextUpdate?.toISOString() }, 'CRL IGC-Santé prise en compte');
    return { accepted: true, issuer: anchor.subject };
  }

  /**
   * Downloads CRLs (IGC-Santé publication points) and offers each one to {@link add}. A failure keeps the CRL held
   * (SC.MSS/CONF.22). Returns what happened to each URL.
   */
  async refresh(urls: readonly string[]): Promise<ReadonlyArray<{ url: string; result: CrlAddResult | { accepted: false; reason: 'download-failed' } }>> {
    const out: Array<{ url: string; result: CrlAddResult | { accepted: false; reason: 'download-failed' } }> = [];
    for (const url of urls) {
      try {
        const res = await this.fetchImpl(url);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        out.push({ url, result: await this.add(Buffer.from(await res.arrayBuffer())) });
      } catch {
        this.logger.warn({ event: 'crl.download.failed' }, 'CRL non téléchargée : la dernière CRL valide est conservée');
        out.push({ url, result: { accepted: false, reason: 'download-failed' } });
      }
    }
    return out;
  }

  /** Revocation status of `cert` as seen from the CRL of its issuer (synchronous: used inside the TLS handshake). */
  statusOf(cert: X509Certificate): RevocationStatus {
    const crl = this.held.get(cert.issuer);
    if (!crl) return { status: 'no-crl' };
    if (crl.revoked.has(normaliseSerial(cert.serialNumber))) return { status: 'revoked' };
    if (crl.nextUpdate && crl.nextUpdate.getTime() < this.now()) return { status: 'stale', nextUpdate: crl.nextUpdate };
    return { status: 'good', nextUpdate: crl.nextUpdate };
  }

  /** True when `subject` is one of the anchors (a root needs no CRL of its own). */
  isAnchor(cert: X509Certificate): boolean {
    return this.anchors.some((a) => a.raw.equals(cert.raw));
  }
}

/** The CN of a Node-formatted DN (for logs: CA names are not personal data). */
export function cnOf(dn: string): string | undefined {
  return /(?:^|\n)CN=([^\n]+)/.exec(dn)?.[1];
}
