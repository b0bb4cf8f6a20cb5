// Runtime: Node (jest). `mss-outlook manifest`, in-process through runCli: rendering the repository's manifest.xml
// for a deployment origin and validating it offline; then each defect a deployment can meet (missing or wrongly
// sized icon, http URL, unassociated FunctionName, duplicate ids, bad GUID, element order, malformed XML, too long
// a name, an origin missing from AppDomains) fails with exit code 1 and a French message naming the line, the
// element and the fix. Real files: the repository's manifest.xml, icons (assets/) and launch-event source.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliIo } from '../../src/cli/main';
import { deploymentId } from '../../src/cli/manifest-render';
import { associatedFunctionNames, findAll, parseManifestXml, pngSize, validateManifest } from '../../src/cli/manifest-validate';

const ROOT = join(__dirname, '..', '..');
const LAUNCHEVENT_SRC = join(ROOT, 'src', 'addin', 'launchevent', 'launchevent.ts');
const ASSETS = join(ROOT, 'assets');
/** Deterministic inputs for the validator, whatever the state of dist/ (other builds may be running). */
const FIXED = ['--launchevent', LAUNCHEVENT_SRC, '--assets', ASSETS];
const ORIGIN = 'https://addin.example.org';

async function cli(argv: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: {}, cwd };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** Every URL-valued attribute and AppDomain of a manifest. */
function urlsOf(xml: string): string[] {
  const root = parseManifestXml(xml);
  const names = ['IconUrl', 'HighResolutionIconUrl', 'SupportUrl', 'SourceLocation', 'bt:Image', 'bt:Url'];
  return [
    ...names.flatMap((n) => findAll(root, n)).map((e) => e.attrs.DefaultValue).filter((v): v is string => v !== undefined),
    ...findAll(root, 'AppDomain').map((d) => d.text.trim()),
  ];
}

describe('mss-outlook manifest: rendering for a deployment', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mss-manifest-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the repository manifest.xml passes --check', async () => {
    const r = await cli(['manifest', '--check', join(ROOT, 'manifest.xml'), ...FIXED], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('manifeste valide');
    expect(r.stdout).toContain('OnMessageSend');
  });

  it('rebases every URL on the origin, derives a stable Id, sets names, version and support page; the result passes --check', async () => {
    const r = await cli(['manifest', '--url', ORIGIN, '--name-fr', 'MSSanté — EHPAD Les Tilleuls', '--name-en', 'MSSanté — Les Tilleuls care home',
      '--version', '1.2.0.0', '--out', 'manifest.xml', ...FIXED], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('écrit et vérifié');
    const xml = readFileSync(join(dir, 'manifest.xml'), 'utf8');
    const template = readFileSync(join(ROOT, 'manifest.xml'), 'utf8');
    const urls = urlsOf(xml);
    expect(urls.length).toBe(urlsOf(template).length);
    for (const u of urls) expect(u.startsWith(ORIGIN)).toBe(true);
    expect(xml.replace(/<!--[\s\S]*?-->/g, '')).not.toContain('localhost'); // the template's own comment still names it
    const root = parseManifestXml(xml);
    const text = (n: string) => root.children.find((c) => c.name === n)!.text.trim();
    expect(text('Id')).toBe(deploymentId(ORIGIN));
    expect(text('Id')).not.toBe(parseManifestXml(template).children.find((c) => c.name === 'Id')!.text.trim());
    expect(text('Version')).toBe('1.2.0.0');
    const name = findAll(root, 'DisplayName')[0];
    expect(name.attrs.DefaultValue).toBe('MSSanté — EHPAD Les Tilleuls');
    expect(name.children.map((c) => [c.attrs.Locale, c.attrs.Value])).toEqual([['en-US', 'MSSanté — Les Tilleuls care home']]);
    expect(findAll(root, 'SupportUrl')[0].attrs.DefaultValue).toBe(`${ORIGIN}/aide.html`);
    expect(findAll(root, 'AppDomain').map((d) => d.text)).toEqual([ORIGIN]);
    // the JavaScript-only runtime of the launch events and the browser runtime page
    const urlById = Object.fromEntries(findAll(root, 'bt:Url').map((u) => [u.attrs.id, u.attrs.DefaultValue]));
    expect(urlById['JSRuntime.Url']).toBe(`${ORIGIN}/launchevent.js`);
    expect(urlById['WebViewRuntime.Url']).toBe(`${ORIGIN}/commands.html`);
    // the template's comments survive (the Mailbox 1.14 justification)
    expect(xml).toContain('Mailbox requirement set, chosen and justified');
    // same structure as the template: same elements in the same order
    const shape = (x: string) => JSON.stringify(parseManifestXml(x), (k, v) => (k === 'attrs' || k === 'text' || k === 'line' ? undefined : v));
    expect(shape(xml)).toBe(shape(template));

    const check = await cli(['manifest', '--check', 'manifest.xml', ...FIXED], dir);
    expect(check).toMatchObject({ code: 0, stderr: '' });
    // rendering again for the same origin gives the same Id (an update, not a second add-in)
    const again = await cli(['manifest', '--url', ORIGIN, ...FIXED], dir);
    expect(again.code).toBe(0);
    expect(parseManifestXml(again.stdout).children.find((c) => c.name === 'Id')!.text).toBe(deploymentId(ORIGIN));
  });

  it('an explicit --id and a port; a --support-url on another origin is reported as missing from AppDomains', async () => {
    const id = '0d9f5a3e-7b1c-4c2e-8f6a-2b3c4d5e6f70';
    const r = await cli(['manifest', '--url', 'https://mss.ehpad.example:8443', '--id', id, ...FIXED], dir);
    expect(r.code).toBe(0);
    const root = parseManifestXml(r.stdout);
    expect(root.children.find((c) => c.name === 'Id')!.text).toBe(id);
    expect(findAll(root, 'AppDomain').map((d) => d.text)).toEqual(['https://mss.ehpad.example:8443']);
    // a help page on another origin is an origin the manifest uses: it joins AppDomains
    const s = await cli(['manifest', '--url', ORIGIN, '--support-url', 'https://intranet.ehpad.example/aide-mss', '--out', 'm.xml', ...FIXED], dir);
    expect(s.code).toBe(0);
    const withHelp = parseManifestXml(readFileSync(join(dir, 'm.xml'), 'utf8'));
    expect(findAll(withHelp, 'SupportUrl')[0].attrs.DefaultValue).toBe('https://intranet.ehpad.example/aide-mss');
    expect(findAll(withHelp, 'AppDomain').map((d) => d.text)).toEqual([ORIGIN, 'https://intranet.ehpad.example']);
  });

  it('wrong usage: http origin, a path, a bad GUID, a bad version, nothing to do (exit 2, French, nothing written)', async () => {
    const cases: [string[], string][] = [
      [['--url', 'http://addin.example.org'], 'https://'],
      [['--url', 'https://addin.example.org/mss'], 'sans chemin'],
      [['--url', ORIGIN, '--id', 'not-a-guid'], "n'est pas un GUID"],
      [['--url', ORIGIN, '--version', '1.0'], 'quatre nombres'],
      [[], '--url'],
      [['--check', 'x.xml', '--url', ORIGIN], 'ne se combine pas'],
    ];
    for (const [args, text] of cases) {
      const r = await cli(['manifest', ...args, '--out', 'out.xml'], dir);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toContain(text);
      expect(r.stderr).toContain('mss-outlook help manifest');
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a name longer than Office allows (125) is refused: exit 1, nothing written', async () => {
    const r = await cli(['manifest', '--url', ORIGIN, '--name-fr', 'é'.repeat(126), '--out', 'm.xml', ...FIXED], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/<DisplayName> \[STRING_TOO_LONG\] : le nom affiché \(DefaultValue\) fait 126 caractères ; Office en accepte au plus 125\./);
    expect(existsSync(join(dir, 'm.xml'))).toBe(false);
  });

  it('help lists the command', async () => {
    const general = await cli(['help'], dir);
    expect(general.stdout).toMatch(/^ {2}manifest +Produit le manifeste/m);
    const own = await cli(['manifest', '--help'], dir);
    expect(own.stdout).toContain('--check <fichier>');
  });
});

describe('mss-outlook manifest --check: each defect fails with a clear message', () => {
  let dir: string;
  let good: string;
  beforeAll(async () => {
    const r = await cli(['manifest', '--url', ORIGIN, ...FIXED], tmpdir());
    expect(r.code).toBe(0);
    good = r.stdout;
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mss-manifest-check-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes `xml`, runs --check with `extra` options; returns the result. */
  async function check(xml: string, extra: string[] = FIXED) {
    writeFileSync(join(dir, 'm.xml'), xml);
    return cli(['manifest', '--check', 'm.xml', ...extra], dir);
  }
  /** The 1-based line of the first occurrence of `needle`. */
  const lineOf = (xml: string, needle: string) => xml.slice(0, xml.indexOf(needle)).split('\n').length;
  /** Replaces exactly one occurrence. */
  function replaceOnce(xml: string, from: string, to: string): string {
    expect(xml.split(from).length - 1).toBe(1);
    return xml.replace(from, to);
  }

  it('a missing icon file', async () => {
    const assets = join(dir, 'assets');
    mkdirSync(assets);
    for (const f of readdirSync(ASSETS).filter((n) => n.endsWith('.png') && n !== 'icon-80.png')) copyFileSync(join(ASSETS, f), join(assets, f));
    const r = await check(good, ['--launchevent', LAUNCHEVENT_SRC, '--assets', assets]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`m.xml:${lineOf(good, '<bt:Image id="Icon.80x80"')} <bt:Image id="Icon.80x80"> [ICON_MISSING] : le fichier d'icône « icon-80.png » est introuvable`);
    expect(r.stderr).toContain('Correction : Ajoutez icon-80.png (PNG)');
    expect(r.stderr).toContain('1 problème : manifeste refusé');
  });

  it('an icon of the wrong pixel size (read from the PNG header)', async () => {
    const assets = join(dir, 'assets');
    mkdirSync(assets);
    for (const f of readdirSync(ASSETS).filter((n) => n.endsWith('.png'))) copyFileSync(join(ASSETS, f), join(assets, f));
    copyFileSync(join(ASSETS, 'icon-32.png'), join(assets, 'icon-80.png'));
    const r = await check(good, ['--launchevent', LAUNCHEVENT_SRC, '--assets', assets]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[ICON_WRONG_SIZE] : « icon-80.png » fait 32×32 pixels, mais le manifeste la déclare en 80×80.');
  });

  it('an http:// URL', async () => {
    const xml = replaceOnce(good, `"${ORIGIN}/assets/icon-64.png"/>\n  <High`, `"http://addin.example.org/assets/icon-64.png"/>\n  <High`);
    const r = await check(xml);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`m.xml:${lineOf(xml, '<IconUrl')} <IconUrl> [URL_NOT_HTTPS] : l'adresse « http://addin.example.org/assets/icon-64.png » n'est pas en HTTPS`);
    expect(r.stderr).toContain('Correction : Servez le connecteur en HTTPS');
  });

  it('an unassociated FunctionName (the launch-event script never associates it)', async () => {
    const xml = replaceOnce(good, 'FunctionName="onMessageSendHandler"', 'FunctionName="onMessageSendHandlr"');
    const r = await check(xml);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`m.xml:${lineOf(xml, 'onMessageSendHandlr')} <LaunchEvent Type="OnMessageSend"> [FUNCTION_NOT_ASSOCIATED] : la fonction « onMessageSendHandlr » n'est associée nulle part`);
    expect(r.stderr).toContain('onMessageSendHandler, onMessageRecipientsChangedHandler, onMessageAttachmentsChangedHandler');
    // and the other way round: a script that forgets one association
    const script = readFileSync(LAUNCHEVENT_SRC, 'utf8').replace(/^\s*Office\.actions\.associate\('onMessageAttachmentsChangedHandler'.*$/m, '');
    writeFileSync(join(dir, 'launchevent.ts'), script);
    const r2 = await check(good, ['--launchevent', join(dir, 'launchevent.ts'), '--assets', ASSETS]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('« onMessageAttachmentsChangedHandler » n\'est associée nulle part');
  });

  it('a built launch-event script made for another connector origin', async () => {
    // a built (classic script) file as webpack emits it: the origin inlined, one associate call per handler
    const built = (origin: string) => `!function(){var o=${JSON.stringify(origin)};function h(e){e.completed()}` +
      ['onMessageSendHandler', 'onMessageRecipientsChangedHandler', 'onMessageAttachmentsChangedHandler'].map((n) => `Office.actions.associate("${n}",h);`).join('') + '}();';
    writeFileSync(join(dir, 'launchevent.js'), built('https://localhost:3000'));
    const r = await check(good, ['--launchevent', join(dir, 'launchevent.js'), '--assets', ASSETS]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`m.xml:${lineOf(good, '<Override type="javascript"')} <Override type="javascript"> [LAUNCHEVENT_ORIGIN_MISMATCH] : le script des événements (${join(dir, 'launchevent.js')}) n'a pas été construit pour ${ORIGIN}`);
    expect(r.stderr).toContain(`Correction : Reconstruisez l'add-in avec cette adresse (MSS_PUBLIC_URL=${ORIGIN} npm run build)`);
    writeFileSync(join(dir, 'launchevent.js'), built(ORIGIN));
    expect(await check(good, ['--launchevent', join(dir, 'launchevent.js'), '--assets', ASSETS])).toMatchObject({ code: 0, stderr: '' });
  });

  it('an unreadable launch-event script cannot vouch for any FunctionName', async () => {
    const r = await check(good, ['--launchevent', join(dir, 'absent.js'), '--assets', ASSETS]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[FUNCTION_NOT_CHECKED]');
    expect(r.stderr.match(/FUNCTION_NOT_CHECKED/g)).toHaveLength(3);
  });

  it('a duplicate resource id and a duplicate control id', async () => {
    let xml = replaceOnce(good, '<bt:Image id="Icon.64x64"', '<bt:Image id="Icon.32x32"');
    xml = replaceOnce(xml, 'id="msgReadOpenPaneButton"', 'id="msgComposeOpenPaneButton"');
    const r = await check(xml);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`<bt:Image id="Icon.32x32"> [RESOURCE_ID_DUPLICATE] : l'id de ressource « Icon.32x32 » est déjà défini ligne ${lineOf(xml, '<bt:Image id="Icon.32x32"')}.`);
    expect(r.stderr).toContain(`<Control id="msgComposeOpenPaneButton"> [CONTROL_ID_DUPLICATE] : l'id « msgComposeOpenPaneButton » est déjà utilisé ligne ${lineOf(xml, 'id="msgComposeOpenPaneButton"')}.`);
    expect(r.stderr).toContain('2 problèmes');
  });

  it('a resid that points to nothing', async () => {
    const xml = replaceOnce(good, '<Description resid="ReadButton.Tooltip"/>', '<Description resid="ReadButton.Tooltp"/>');
    const r = await check(xml);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('<Description resid="ReadButton.Tooltp"> [RESID_UNDEFINED]');
  });

  it('a bad GUID and a bad version', async () => {
    let xml = replaceOnce(good, `<Id>${deploymentId(ORIGIN)}</Id>`, '<Id>5f0b7f0e-3c1a-4f6e-9a57-6d2b1c8e4a1</Id>');
    xml = replaceOnce(xml, '<Version>0.2.0.0</Version>', '<Version>0.2</Version>');
    const r = await check(xml);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`m.xml:${lineOf(xml, '<Id>')} <Id> [ID_NOT_GUID] : « 5f0b7f0e-3c1a-4f6e-9a57-6d2b1c8e4a1 » n'est pas un GUID`);
    expect(r.stderr).toContain('<Version> [VERSION_INVALID]');
  });

  it('elements out of schema order, and a required one missing', async () => {
    let xml = replaceOnce(good, `  <Id>${deploymentId(ORIGIN)}</Id>\n  <Version>0.2.0.0</Version>\n`, `  <Version>0.2.0.0</Version>\n  <Id>${deploymentId(ORIGIN)}</Id>\n`);
    xml = replaceOnce(xml, `  <SupportUrl DefaultValue="${ORIGIN}/aide.html"/>\n`, '');
    const r = await check(xml);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('<Id> [ELEMENT_ORDER] : <Id> doit venir avant <Version>');
    expect(r.stderr).toContain("<SupportUrl> [ELEMENT_MISSING] : l'élément obligatoire <SupportUrl> manque.");
  });

  it('an origin used but missing from AppDomains', async () => {
    const xml = replaceOnce(good, `<SupportUrl DefaultValue="${ORIGIN}/aide.html"/>`, '<SupportUrl DefaultValue="https://intranet.ehpad.example/aide.html"/>');
    const r = await check(xml);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`m.xml:${lineOf(xml, '<AppDomains>')} <AppDomains> [APPDOMAIN_MISSING] : l'origine https://intranet.ehpad.example est utilisée par le manifeste mais absente de <AppDomains>`);
    expect(r.stderr).toContain('Correction : Ajoutez <AppDomain>https://intranet.ehpad.example</AppDomain>');
  });

  it('malformed XML gives the line', async () => {
    const xml = replaceOnce(good, '<Permissions>ReadWriteItem</Permissions>', '<Permissions>ReadWriteItem</Permission>');
    const r = await check(xml);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^m\\.xml:${lineOf(xml, '<Permissions>')} \\(document\\) \\[XML_MALFORMED\\] : le fichier n'est pas du XML bien formé`, 'm'));
  });

  it('a file that is not there: usage error', async () => {
    const r = await cli(['manifest', '--check', 'absent.xml'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('introuvable');
  });
});

describe('manifest validator helpers', () => {
  it('reads the PNG header of the real icons', () => {
    for (const s of [16, 32, 64, 80, 128]) expect(pngSize(readFileSync(join(ASSETS, `icon-${s}.png`)))).toEqual({ width: s, height: s });
    expect(pngSize(Buffer.from('GIF89a not a png at all....'))).toBeUndefined();
  });

  it('finds the associated names in the source and in a minified bundle', () => {
    expect(associatedFunctionNames(readFileSync(LAUNCHEVENT_SRC, 'utf8')).sort()).toEqual(
      ['onMessageAttachmentsChangedHandler', 'onMessageRecipientsChangedHandler', 'onMessageSendHandler']);
    expect(associatedFunctionNames('!function(){var n=1;Office.actions.associate("onMessageSendHandler",n),Office.actions.associate( "b" ,n)}();'))
      .toEqual(['onMessageSendHandler', 'b']);
  });

  it('the built launch-event file, when present, associates every FunctionName of manifest.xml', () => {
    const built = join(ROOT, 'dist', 'launchevent.js');
    const opts = { assetsDir: ASSETS, associated: existsSync(built) ? associatedFunctionNames(readFileSync(built, 'utf8')) : associatedFunctionNames(readFileSync(LAUNCHEVENT_SRC, 'utf8')) };
    expect(validateManifest(readFileSync(join(ROOT, 'manifest.xml'), 'utf8'), opts)).toEqual([]);
  });

  it('the deployment Id is an RFC 4122 version 5 UUID, stable per origin', () => {
    const id = deploymentId(ORIGIN);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deploymentId(ORIGIN)).toBe(id);
    expect(deploymentId('https://autre.example.org')).not.toBe(id);
    // independent reference: Python's uuid.uuid5(uuid.NAMESPACE_URL, 'https://www.example.com')
    expect(deploymentId('https://www.example.com')).toBe('a0787afd-c170-5773-8d60-02739168de9f');
  });
});
