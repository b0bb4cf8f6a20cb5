// Runtime: Node (jest). The `mss-outlook` CLI: runCli in-process (classify, help, usage and configuration errors),
// then the real bin/mss-outlook.js on the compiled build (built by the jest globalSetup).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runCli, COMMANDS, type CliIo } from '../../src/cli/main';
import { LISTE_BLANCHE_2025, LISTE_BLANCHE_TRUNCATED, REPO_ROOT } from '../helpers/connector';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

afterAll(removeTempDirs);

const BIN = join(REPO_ROOT, 'bin', 'mss-outlook.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[], opts: { env?: Record<string, string | undefined>; stdin?: string; cwd?: string } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: opts.env ?? {},
    cwd: opts.cwd ?? makeTempDir('mss-outlook-cli-'),
    ...(opts.stdin !== undefined ? { stdin: Readable.from([opts.stdin]) } : {}),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

const lines = (text: string) => text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('classify', () => {
  it('prints one JSON line per address, address/kind/reason first', async () => {
    const r = await cli(['classify', 'Sophie Martin <sophie.martin@medecin.mssante.fr>', 'jean.dupont@gmail.com', 'jean-marie.dupont=infirmier.mssante.fr@dsp.paris', 'pas une adresse']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const out = lines(r.stdout);
    expect(out).toHaveLength(4);
    expect(Object.keys(out[0]).slice(0, 3)).toEqual(['address', 'kind', 'reason']);
    expect(out[0]).toEqual({
      address: 'sophie.martin@medecin.mssante.fr',
      kind: 'mssante',
      reason: 'DIRECTORY_MAILBOX',
      input: 'Sophie Martin <sophie.martin@medecin.mssante.fr>',
      displayName: 'Sophie Martin',
      mailboxType: 'PER',
      directory: { address: 'sophie.martin@medecin.mssante.fr', mailboxType: 'PER', displayName: 'Sophie MARTIN', profession: 'Médecin' },
    });
    expect(out[1]).toEqual({ address: 'jean.dupont@gmail.com', kind: 'external', reason: 'NOT_IN_TRUST_SPACE', input: 'jean.dupont@gmail.com' });
    expect(out[2]).toMatchObject({ kind: 'gateway', reason: 'GATEWAY_DECODED', decodedAddress: 'jean-marie.dupont@infirmier.mssante.fr', gatewayId: 'dsp-paris' });
    expect(out[3]).toEqual({ address: 'pas une adresse', kind: 'invalid', reason: 'INVALID_SYNTAX', input: 'pas une adresse', addressError: 'ADDRESS_SYNTAX' });
  });

  it('reads one address per line from standard input with -, in place', async () => {
    const r = await cli(['classify', 'a@gmail.com', '-', 'z@gmail.com'], { stdin: 'sophie.martin@medecin.mssante.fr\r\n\n  \ncontact.ouest@m2a-ouest.mssante.fr\n' });
    expect(r.code).toBe(0);
    expect(lines(r.stdout).map((l) => l.address)).toEqual(['a@gmail.com', 'sophie.martin@medecin.mssante.fr', 'contact.ouest@m2a-ouest.mssante.fr', 'z@gmail.com']);
    expect(lines(r.stdout)[2]).toMatchObject({ kind: 'mssante', mailboxType: 'ORG' });
  });

  it('uses --liste-blanche (the real 2025-02-28 list)', async () => {
    const r = await cli(['classify', '--liste-blanche', LISTE_BLANCHE_2025(), 'x@medical75.apicrypt.org', 'y@mssante.apicrypt.org', 'z@ch-inconnu.mssante.fr']);
    expect(r.code).toBe(0);
    expect(lines(r.stdout).map((l) => [l.kind, l.reason])).toEqual([
      ['apicrypt', 'APICRYPT_NATIVE_DOMAIN'],
      ['apicrypt-bridge', 'APICRYPT_BRIDGE_DOMAIN'],
      ['external', 'LOOKALIKE_DOMAIN'],
    ]);
  });

  it('uses the same configuration as the connector: --config file and MSS_* variables', async () => {
    const dir = makeTempDir('mss-outlook-cli-');
    const file = join(dir, 'conf.json');
    writeFileSync(file, JSON.stringify({ internalDomains: ['exemple.fr'], gateways: [{ id: 'gw', domain: 'relais.exemple.fr', localTemplate: '{local}.at.{domain}' }] }));
    const r = await cli(['classify', '--config', file, 'a@exemple.fr', 'sophie.martin.at.medecin.mssante.fr@relais.exemple.fr', 'x@m2a.paris']);
    expect(r.code).toBe(0);
    expect(lines(r.stdout).map((l) => l.kind)).toEqual(['internal', 'gateway', 'external']);
    expect(lines(r.stdout)[1].decodedAddress).toBe('sophie.martin@medecin.mssante.fr');

    const viaEnv = await cli(['classify', 'a@exemple.fr'], { env: { MSS_CONFIG: file } });
    expect(lines(viaEnv.stdout)[0].kind).toBe('internal');
  });

  it('a configuration error → exit 1 with the French list of problems', async () => {
    const r = await cli(['classify', 'a@b.fr'], { env: { MSS_PORT: 'abc' } });
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: "Configuration invalide :\n  - server.port : doit être un entier entre 1 et 65535 (reçu « abc »). Corrigez la variable d'environnement MSS_PORT (ou retirez-la).\n",
    });
  });

  it('an unreadable --liste-blanche names the option', async () => {
    const r = await cli(['classify', '--liste-blanche', '/nulle/part.xml', 'a@b.fr']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "Configuration invalide :\n  - trustSpace.listeBlanchePath : fichier introuvable ou illisible (reçu « /nulle/part.xml »). Corrigez l'option --liste-blanche. Ou retirez ce réglage pour utiliser la liste blanche intégrée.\n",
    );
  });

  it('the truncated ANS copy of the liste blanche is refused, not half-loaded', async () => {
    const r = await cli(['classify', '--liste-blanche', LISTE_BLANCHE_TRUNCATED(), 'a@b.fr']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("n'est pas une liste blanche MSSanté utilisable");
  });
});

describe('help', () => {
  it.each([[['help']], [['--help']], [['-h']]])('%j prints the French help, exit 0', async (argv) => {
    const r = await cli(argv);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Usage : mss-outlook <commande> [options] [arguments]');
    expect(r.stdout).toContain('classify');
    expect(r.stdout).toContain('Codes de sortie');
    expect(r.stdout).toContain('MSS_LISTE_BLANCHE');
  });

  it.each([[['help', 'classify']], [['classify', '--help']], [['classify', '-h', 'a@b.fr']]])('%j prints the help of classify', async (argv) => {
    const r = await cli(argv);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage : mss-outlook classify [options] <adresse...>');
    expect(r.stdout).toContain('--liste-blanche <fichier>');
    expect(r.stdout).toContain('« - »');
  });

  it('lists every command of the table', async () => {
    const r = await cli(['help']);
    for (const c of COMMANDS) expect(r.stdout).toContain(`  ${c.name}`);
  });
});

describe('usage errors → exit 2', () => {
  it.each([
    [[], 'Aucune commande donnée.'],
    [['classer', 'a@b.fr'], 'Commande inconnue : « classer ».\nVoir : mss-outlook help\n'],
    [['--verbose'], 'Option inconnue avant la commande : --verbose.\nVoir : mss-outlook help\n'],
    [['classify'], "Donnez au moins une adresse à classer, ou « - » pour les lire sur l'entrée standard.\nVoir : mss-outlook help classify\n"],
    [['classify', '--format', 'csv', 'a@b.fr'], 'Option inconnue : --format.\nVoir : mss-outlook help classify\n'],
    [['classify', '-x', 'a@b.fr'], 'Option inconnue : -x.\nVoir : mss-outlook help classify\n'],
    [['classify', 'a@b.fr', '--config'], "L'option --config attend une valeur <fichier>.\nVoir : mss-outlook help classify\n"],
    [['classify', '--help=oui'], "L'option --help ne prend pas de valeur.\nVoir : mss-outlook help classify\n"],
    [['classify', '-'], "« - » demande une entrée standard, et il n'y en a pas.\nVoir : mss-outlook help classify\n"],
    [['help', 'nimporte'], 'Commande inconnue : « nimporte ».\nVoir : mss-outlook help\n'],
  ])('%j', async (argv, expected) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    if (expected.endsWith('\n')) expect(r.stderr).toBe(expected);
    else expect(r.stderr.startsWith(expected)).toBe(true);
  });

  it('two - are refused', async () => {
    const r = await cli(['classify', '-', '-'], { stdin: 'a@b.fr\n' });
    expect(r.code).toBe(2);
  });

  it('-- ends the options: an address starting with a dash is classified', async () => {
    const r = await cli(['classify', '--', '-x@gmail.com']);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)[0].input).toBe('-x@gmail.com');
  });
});

describe('bin/mss-outlook.js (compiled build)', () => {
  beforeAll(() => {
    if (!existsSync(join(REPO_ROOT, 'build', 'src', 'cli', 'main.js'))) {
      throw new Error('build/src/cli/main.js missing: the jest globalSetup compiles it (npx tsc -p tsconfig.node.json)');
    }
  });

  it('classify from the command line and from a pipe', () => {
    const r = spawnSync(process.execPath, [BIN, 'classify', 'sophie.martin@medecin.mssante.fr', '-'], {
      input: 'jean.dupont@gmail.com\n146026322000196@patient.mssante.fr\n',
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
      cwd: makeTempDir('mss-outlook-cli-'),
      timeout: 20_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(lines(r.stdout).map((l) => [l.address, l.kind])).toEqual([
      ['sophie.martin@medecin.mssante.fr', 'mssante'],
      ['jean.dupont@gmail.com', 'external'],
      ['146026322000196@patient.mssante.fr', 'patient'],
    ]);
  });

  it('exit codes: 2 on usage error, 1 on configuration error', () => {
    const usage = spawnSync(process.execPath, [BIN, 'classify'], { encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 20_000 });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('Donnez au moins une adresse');
    const config = spawnSync(process.execPath, [BIN, 'classify', 'a@b.fr'], { encoding: 'utf8', env: { PATH: process.env.PATH, MSS_HARNESS: 'peut-être' }, timeout: 20_000 });
    expect(config.status).toBe(1);
    expect(config.stderr).toContain('harness.enabled : doit valoir true ou false');
  });

  it('without a build, says in French to run npm run build:node, exit 2', () => {
    const dir = makeTempDir('mss-outlook-nobuild-');
    mkdirSync(join(dir, 'bin'));
    copyFileSync(BIN, join(dir, 'bin', 'mss-outlook.js'));
    const r = spawnSync(process.execPath, [join(dir, 'bin', 'mss-outlook.js'), 'classify', 'a@b.fr'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("mss-outlook n'est pas encore compilé. Lancez d'abord npm run build:node\n");
  });
});
