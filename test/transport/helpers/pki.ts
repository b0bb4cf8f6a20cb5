// Runtime: Node (jest). A throw-away PKI that plays IGC-Santé for the unit tests, made with the openssl CLI in a
// temporary folder at test time (no key is ever committed): root "AC RACINE IGC-SANTE TEST", intermediate "AC
// IGC-SANTE ELEMENTAIRE ORGANISATIONS TEST", a server certificate, a revoked one, a PKCS#12 client certificate, another
// CA, a forged intermediate (same name, other key), and CRLs with chosen dates.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CONF = `[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_crl_days = 7
policy = policy_any
unique_subject = no
preserve = yes
[ policy_any ]
commonName = supplied
organizationName = optional
countryName = optional
[ v3_ca ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_server ]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[ v3_client ]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
`;

const stamp = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';

export interface TestPki {
  readonly dir: string;
  /** Root + intermediate, PEM: the trust anchors. */
  readonly anchors: string;
  readonly serverKey: Buffer;
  /** Server certificate + intermediate. */
  readonly serverChain: Buffer;
  readonly revokedKey: Buffer;
  readonly revokedChain: Buffer;
  readonly otherKey: Buffer;
  readonly otherCert: Buffer;
  readonly clientP12: Buffer;
  readonly clientP12Pass: string;
  /** CRL of the root (lists nothing), valid now. */
  readonly rootCrl: Buffer;
  /** CRL of the intermediate listing `revoked`, with the given dates. */
  interCrl(lastUpdate: Date, nextUpdate: Date): Buffer;
  /** CRL of the intermediate made BEFORE `revoked` was revoked (lists nothing). */
  readonly interCrlBeforeRevocation: Buffer;
  /** A CRL carrying the intermediate's name but signed by another key. */
  readonly forgedInterCrl: Buffer;
  /** A CRL of another CA. */
  readonly otherCrl: Buffer;
}

/** Builds the PKI (about a second: seven RSA keys). */
export function makePki(now = new Date()): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'mss-pki-'));
  const run = (cwd: string, ...args: string[]) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  writeFileSync(join(dir, 'ca.cnf'), CONF);
  const ca = (name: string, subj: string, issuer?: string) => {
    const d = join(dir, name);
    mkdirSync(d);
    writeFileSync(join(d, 'index.txt'), '');
    writeFileSync(join(d, 'serial'), '1000\n');
    writeFileSync(join(d, 'crlnumber'), '01\n');
    run(d, 'genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'key.pem');
    if (!issuer) {
      run(d, 'req', '-new', '-x509', '-key', 'key.pem', '-days', '3650', '-config', '../ca.cnf', '-extensions', 'v3_ca', '-subj', subj, '-out', 'cert.pem');
    } else {
      run(d, 'req', '-new', '-key', 'key.pem', '-subj', subj, '-out', 'req.pem');
      run(join(dir, issuer), 'ca', '-batch', '-preserveDN', '-config', '../ca.cnf', '-extensions', 'v3_ca', '-days', '3000', '-keyfile', 'key.pem', '-cert', 'cert.pem', '-in', `../${name}/req.pem`, '-out', `../${name}/cert.pem`, '-notext');
    }
  };
  const leaf = (issuer: string, name: string, subj: string, ext: string) => {
    run(dir, 'genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', `${name}.key`);
    run(dir, 'req', '-new', '-key', `${name}.key`, '-subj', subj, '-out', `${name}.csr`);
    run(join(dir, issuer), 'ca', '-batch', '-config', '../ca.cnf', '-extensions', ext, '-days', '365', '-keyfile', 'key.pem', '-cert', 'cert.pem', '-in', `../${name}.csr`, '-out', `../${name}.crt`, '-notext');
  };
  const interSubj = '/C=FR/O=ASIP-SANTE/CN=AC IGC-SANTE ELEMENTAIRE ORGANISATIONS TEST';
  ca('root', '/C=FR/O=ASIP-SANTE/CN=AC RACINE IGC-SANTE TEST');
  ca('inter', interSubj, 'root');
  ca('other', '/C=FR/O=AUTRE/CN=AC AUTRE TEST');
  ca('forged', interSubj);
  leaf('inter', 'server', '/C=FR/O=OPERATEUR TEST/CN=localhost', 'v3_server');
  leaf('inter', 'revoked', '/C=FR/O=OPERATEUR TEST/CN=localhost revoque', 'v3_server');
  leaf('inter', 'client', '/C=FR/O=HOPITAL TEST/CN=lis@hopital.test.mssante.fr', 'v3_client');
  leaf('other', 'other', '/C=FR/O=AUTRE/CN=localhost', 'v3_server');
  const gencrl = (name: string, out: string, last: Date, next: Date) => {
    run(join(dir, name), 'ca', '-batch', '-config', '../ca.cnf', '-keyfile', 'key.pem', '-cert', 'cert.pem', '-gencrl', '-crl_lastupdate', stamp(last), '-crl_nextupdate', stamp(next), '-out', out);
    return readFileSync(join(dir, name, out));
  };
  const day = 86_400_000;
  const interCrlBeforeRevocation = gencrl('inter', 'before.crl', new Date(now.getTime() - 2 * day), new Date(now.getTime() + 5 * day));
  run(join(dir, 'inter'), 'ca', '-batch', '-config', '../ca.cnf', '-keyfile', 'key.pem', '-cert', 'cert.pem', '-revoke', '../revoked.crt', '-crl_reason', 'keyCompromise');
  const clientP12Pass = 'p12-test-pass';
  run(dir, 'pkcs12', '-export', '-inkey', 'client.key', '-in', 'client.crt', '-passout', `pass:${clientP12Pass}`, '-out', 'client.p12');
  const read = (p: string) => readFileSync(join(dir, p));
  const hour = 3_600_000;
  let n = 0;
  return {
    dir,
    anchors: `${read('root/cert.pem').toString()}${read('inter/cert.pem').toString()}`,
    serverKey: read('server.key'),
    serverChain: Buffer.concat([read('server.crt'), read('inter/cert.pem')]),
    revokedKey: read('revoked.key'),
    revokedChain: Buffer.concat([read('revoked.crt'), read('inter/cert.pem')]),
    otherKey: read('other.key'),
    otherCert: read('other.crt'),
    clientP12: read('client.p12'),
    clientP12Pass,
    rootCrl: gencrl('root', 'root.crl', new Date(now.getTime() - hour), new Date(now.getTime() + 7 * day)),
    interCrl: (last, next) => gencrl('inter', `crl-${n++}.crl`, last, next),
    interCrlBeforeRevocation,
    forgedInterCrl: gencrl('forged', 'forged.crl', new Date(now.getTime() - hour), new Date(now.getTime() + 7 * day)),
    otherCrl: gencrl('other', 'other.crl', new Date(now.getTime() - hour), new Date(now.getTime() + 7 * day)),
  };
}
