// Runtime: Node (jest). Offline checks of manifest.xml (office-addin-manifest validate needs the internet):
// well-formed, required MailApp elements in schema order, HTTPS everywhere, every resid defined, control ids unique,
// icons present at the declared pixel sizes, the "Envoyer en MSSanté" button on compose and read surfaces,
// the Smart Alerts launch event wired to the JavaScript-only runtime.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { SaxesParser } from 'saxes';
import { PNG } from 'pngjs';

interface El { name: string; attrs: Record<string, string>; children: El[]; text: string }

function parseXml(xml: string): El {
  const parser = new SaxesParser({ xmlns: false });
  const root: El = { name: '#root', attrs: {}, children: [], text: '' };
  const stack: El[] = [root];
  parser.on('opentag', (t) => {
    const el: El = { name: t.name, attrs: t.attributes as Record<string, string>, children: [], text: '' };
    stack[stack.length - 1].children.push(el);
    stack.push(el);
  });
  parser.on('text', (t) => { stack[stack.length - 1].text += t; });
  parser.on('closetag', () => { stack.pop(); });
  parser.write(xml).close();
  return root.children[0];
}
const all = (el: El, name: string): El[] =>
  [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => all(c, name))];
const one = (el: El, name: string): El => {
  const found = all(el, name);
  if (found.length === 0) throw new Error(`<${name}> manquant`);
  return found[0];
};

const root = path.resolve(__dirname, '../..');
const manifest = parseXml(readFileSync(path.join(root, 'manifest.xml'), 'utf8'));

describe('manifest.xml (offline validation)', () => {
  it('is a MailApp whose top-level elements follow the schema order', () => {
    expect(manifest.name).toBe('OfficeApp');
    expect(manifest.attrs['xsi:type']).toBe('MailApp');
    const order = ['Id', 'Version', 'ProviderName', 'DefaultLocale', 'DisplayName', 'Description', 'IconUrl',
      'HighResolutionIconUrl', 'SupportUrl', 'AppDomains', 'Hosts', 'Requirements', 'FormSettings', 'Permissions', 'Rule',
      'DisableEntityHighlighting', 'VersionOverrides'];
    const names = manifest.children.map((c) => c.name);
    expect(names).toEqual(order);
    expect(one(manifest, 'Id').text).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(one(manifest, 'Version').text).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(one(manifest, 'DefaultLocale').text).toBe('fr-FR');
  });

  it('uses HTTPS for every URL', () => {
    const urls = [
      ...all(manifest, 'bt:Url'), ...all(manifest, 'bt:Image'), ...all(manifest, 'SourceLocation'),
      ...all(manifest, 'IconUrl'), ...all(manifest, 'HighResolutionIconUrl'), ...all(manifest, 'SupportUrl'),
    ].map((e) => e.attrs.DefaultValue).filter((v): v is string => v !== undefined);
    expect(urls.length).toBeGreaterThan(10);
    for (const u of urls) expect(u).toMatch(/^https:\/\//);
    for (const d of all(manifest, 'AppDomain')) expect(d.text).toMatch(/^https:\/\//);
  });

  it('defines every resid it references, and control ids are unique', () => {
    const defined = new Set([...all(manifest, 'bt:Url'), ...all(manifest, 'bt:Image'), ...all(manifest, 'bt:String')]
      .map((e) => e.attrs.id));
    const walk = (el: El): string[] => [el.attrs.resid, ...el.children.flatMap(walk)].filter((x): x is string => !!x);
    const referenced = walk(manifest);
    expect(referenced.length).toBeGreaterThan(10);
    for (const r of referenced) expect(defined).toContain(r);
    const ids = all(manifest, 'Control').map((c) => c.attrs.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has the "Envoyer en MSSanté" button on the compose and read surfaces', () => {
    const points = all(manifest, 'ExtensionPoint');
    const surfaces = points.map((p) => p.attrs['xsi:type']);
    expect(surfaces).toEqual(expect.arrayContaining(['MessageComposeCommandSurface', 'MessageReadCommandSurface', 'LaunchEvent']));
    const label = all(manifest, 'bt:String').find((s) => s.attrs.id === 'SendButton.Label');
    expect(label?.attrs.DefaultValue).toBe('Envoyer en MSSanté');
    for (const type of ['MessageComposeCommandSurface', 'MessageReadCommandSurface']) {
      const p = points.find((x) => x.attrs['xsi:type'] === type)!;
      expect(one(p, 'Label').attrs.resid).toBe('GroupLabel');
      expect(one(one(p, 'Control'), 'Label').attrs.resid).toBe('SendButton.Label');
      expect(one(p, 'Action').attrs['xsi:type']).toBe('ShowTaskpane');
    }
  });

  it('wires OnMessageSend (SoftBlock) and the recipients / attachments events to the JavaScript-only runtime, Mailbox 1.14', () => {
    const ev = all(manifest, 'LaunchEvent');
    expect(ev.map((e) => [e.attrs.Type, e.attrs.FunctionName, e.attrs.SendMode]))
      .toEqual([
        ['OnMessageRecipientsChanged', 'onMessageRecipientsChangedHandler', undefined],
        ['OnMessageAttachmentsChanged', 'onMessageAttachmentsChangedHandler', undefined],
        ['OnMessageSend', 'onMessageSendHandler', 'SoftBlock'],
      ]);
    // one OnMessageSend per add-in (onmessagesend-onappointmentsend-events.md, Limitations); event types unique
    expect(new Set(ev.map((e) => e.attrs.Type)).size).toBe(ev.length);
    // every event is one of Outlook's, with a FunctionName usable as an action id (≤ 64 characters)
    for (const e of ev) {
      expect(['OnMessageSend', 'OnMessageRecipientsChanged', 'OnMessageAttachmentsChanged']).toContain(e.attrs.Type);
      expect(e.attrs.FunctionName).toMatch(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/);
    }
    const runtime = one(manifest, 'Runtime');
    expect(one(runtime, 'Override').attrs.type).toBe('javascript');
    const launch = all(manifest, 'ExtensionPoint').find((p) => p.attrs['xsi:type'] === 'LaunchEvent')!;
    expect(one(launch, 'SourceLocation').attrs.resid).toBe(runtime.attrs.resid);
    expect(one(manifest, 'bt:Sets').attrs.DefaultMinVersion).toBe('1.14');
    const js = all(manifest, 'bt:Url').find((u) => u.attrs.id === one(runtime, 'Override').attrs.resid)!;
    expect(js.attrs.DefaultValue).toMatch(/\/launchevent\.js$/);
  });

  it('the info bar icon resid used by the handlers (Icon.16x16) is declared', () => {
    expect(all(manifest, 'bt:Image').map((i) => i.attrs.id)).toContain('Icon.16x16');
  });

  it('the FunctionNames are those the launch-event source associates (one top-level associate line each)', () => {
    const source = readFileSync(path.join(root, 'src/addin/launchevent/launchevent.ts'), 'utf8');
    const associated = [...source.matchAll(/^\s*Office\.actions\.associate\('(\w+)',/gm)].map((m) => m[1]).sort();
    expect(all(manifest, 'LaunchEvent').map((e) => e.attrs.FunctionName).sort()).toEqual(associated);
  });

  it('ships every icon it declares, as PNG files of the declared size', () => {
    const images = all(manifest, 'bt:Image').filter((i) => i.attrs.DefaultValue);
    const declared = [...images.map((i) => [i.attrs.DefaultValue, Number(/(\d+)x\d+/.exec(i.attrs.id)?.[1])] as const),
      [one(manifest, 'IconUrl').attrs.DefaultValue, 64] as const,
      [one(manifest, 'HighResolutionIconUrl').attrs.DefaultValue, 128] as const];
    const sizes = new Set(declared.map(([, s]) => s));
    for (const s of [16, 32, 64, 80, 128]) expect(sizes).toContain(s);
    for (const [url, size] of declared) {
      const file = path.join(root, 'assets', path.basename(new URL(url).pathname));
      expect(existsSync(file)).toBe(true);
      const png = PNG.sync.read(readFileSync(file));
      expect([png.width, png.height]).toEqual([size, size]);
    }
  });
});
