// Runtime: Node (jest). The receipts.* settings of loadConfig: defaults (IMAP host = the SMTP host of the same
// operator, port 143, « Accusés MSSanté », move, 60 s, 14 days), environment overrides, and the French problems.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_REFERENCE, ConfigError, loadConfig } from '../../../src/connector/config';
import { createConnectorReceiptPoller, pscCredentialsFor } from '../../../src/connector/receipts/connector-poller';
import { openSqliteStore } from '../../../src/connector/store';
import { makeTempDir, removeTempDirs } from '../../helpers/tmp';

afterAll(removeTempDirs);

function withFile(content: unknown, env: Record<string, string> = {}) {
  const dir = makeTempDir('mss-receipts-config-');
  writeFileSync(join(dir, 'anchors.pem'), '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
  const file = join(dir, 'mss-outlook.json');
  writeFileSync(file, JSON.stringify(content));
  return () => loadConfig({ file, env: { MSS_DATA_DIR: join(dir, 'data'), ...env }, cwd: dir });
}

function problems(load: () => unknown): string[] {
  try {
    load();
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  throw new Error('no ConfigError');
}

const OUTBOUND = { smtpHost: 'smtp.operateur.fr', smtpServername: 'mss.operateur.fr', trustAnchorsPath: 'anchors.pem' };

test('defaults: no operator, no IMAP host (no poller); with an operator, its host, port 143 and its certificate name', () => {
  expect(withFile({})().receipts).toEqual({ enabled: true, imapPort: 143, pollSeconds: 60, folder: 'Accusés MSSanté', disposal: 'move', sinceDays: 14 });
  expect(withFile({ outbound: OUTBOUND })().receipts).toEqual({
    enabled: true,
    imapHost: 'smtp.operateur.fr',
    imapPort: 143,
    imapServername: 'mss.operateur.fr',
    pollSeconds: 60,
    folder: 'Accusés MSSanté',
    disposal: 'move',
    sinceDays: 14,
  });
});

test('file and environment values; a separate IMAP host does not inherit the SMTP certificate name', () => {
  const c = withFile(
    { outbound: OUTBOUND, receipts: { imapHost: 'imap.operateur.fr', folder: 'MSSanté/Accusés', disposal: 'flag', sinceDays: 30, pollSeconds: 120 } },
    { MSS_IMAP_PORT: '1143', MSS_RECEIPTS_POLL_SECONDS: '30', MSS_RECEIPTS: 'non' },
  )();
  expect(c.receipts).toEqual({ enabled: false, imapHost: 'imap.operateur.fr', imapPort: 1143, pollSeconds: 30, folder: 'MSSanté/Accusés', disposal: 'flag', sinceDays: 30 });
});

test('bad values: every problem named, in French, with the fix', () => {
  const found = problems(withFile({ receipts: { folder: 'INBOX', disposal: 'delete', pollSeconds: 1, sinceDays: '14', imapHost: 'imap operateur', enabled: 'peut-être', extra: 1 } }));
  expect(found).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^receipts\.extra : réglage inconnu/),
      expect.stringMatching(/^receipts\.folder : doit être un nom de dossier IMAP .*\(reçu « INBOX »\)\. Corrigez receipts\.folder dans le fichier/),
      expect.stringMatching(/^receipts\.disposal : doit valoir « move » .* \(reçu « delete »\)/),
      expect.stringMatching(/^receipts\.pollSeconds : doit être un entier entre 10 et 3600 \(reçu « 1 »\)/),
      expect.stringMatching(/^receipts\.sinceDays : doit être un entier entre 1 et 90/),
      expect.stringMatching(/^receipts\.imapHost : doit être le nom d'hôte du serveur IMAP/),
      expect.stringMatching(/^receipts\.enabled : doit valoir true ou false/),
    ]),
  );
  expect(problems(withFile({ receipts: { folder: 'Accusés\nMSSanté' } }))).toEqual([expect.stringMatching(/^receipts\.folder : /)]);
});

test('every receipts.* setting is documented in CONFIG_REFERENCE, in French', () => {
  const keys = CONFIG_REFERENCE.filter((e) => e.key.startsWith('receipts.')).map((e) => e.key);
  expect(keys).toEqual(['receipts.enabled', 'receipts.imapHost', 'receipts.imapPort', 'receipts.imapServername', 'receipts.pollSeconds', 'receipts.folder', 'receipts.disposal', 'receipts.sinceDays']);
});

test('createConnectorReceiptPoller: none without an operator or when receipts.enabled is false; a mailbox opens with a live PSC session of one of its authors', async () => {
  const store = openSqliteStore(join(makeTempDir('mss-receipts-wiring-'), 'mss-outlook.sqlite'));
  try {
    expect(createConnectorReceiptPoller(withFile({})(), store, undefined)).toBeUndefined();
    expect(createConnectorReceiptPoller(withFile({ outbound: OUTBOUND, receipts: { enabled: false } })(), store, undefined)).toBeUndefined();
    const poller = createConnectorReceiptPoller(withFile({ outbound: OUTBOUND })(), store, undefined);
    expect(poller).toBeDefined();
    // nothing accepted yet: a poll opens nothing
    expect(await poller?.pollOnce()).toMatchObject({ mailboxes: 0, skipped: 0, failed: 0 });
  } finally {
    await store.close();
  }
  const tokens = { getAccessToken: async () => ({ value: 't', expiresAt: 0 }) };
  const psc = { hasSession: (u: string) => u === 'oid-2', tokenSource: (u: string) => (u === 'oid-2' ? tokens : undefined as never) };
  const credentialsFor = pscCredentialsFor(psc);
  expect(credentialsFor('bal@h.mssante.fr', ['oid-1', 'oid-2'])).toEqual({ kind: 'psc', mailbox: 'bal@h.mssante.fr', tokens });
  expect(credentialsFor('bal@h.mssante.fr', ['oid-1'])).toBeUndefined();
  expect(pscCredentialsFor(undefined)('bal@h.mssante.fr', ['oid-2'])).toBeUndefined();
});
