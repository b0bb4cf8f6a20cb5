// Runtime: Node (CLI). Offline validation of an Outlook add-in only (XML) manifest, for `mss-outlook manifest`:
// `office-addin-manifest validate` posts XML manifests to a Microsoft web service (OUTLOOK.md §4.4), which CI and
// closed hospital networks cannot reach. Parsed with saxes (strict XML 1.0, line numbers). Checks: well-formed;
// MailApp top-level elements present and in schema order (docs/develop/manifest-element-ordering.md); Id GUID,
// Version n.n.n.n; Office string lengths (DisplayName ≤ 125, Description ≤ 250, ShortStrings ≤ 125, LongStrings
// ≤ 250: learn.microsoft.com/javascript/api/manifest/displayname, …/description, …/string); every URL https
// (…/manifest/image: HTTPS only); AppDomains cover every origin used; icons present as PNG files of the declared
// pixel size, ribbon sizes 16/32/80 (…/manifest/image); resource ids unique, every resid defined; control and
// group ids unique; every FunctionName associated by the launch-event script (OUTLOOK.md §8.1: an unassociated
// handler under SoftBlock blocks every send); the launch events on the browser runtime; size ≤ 256 KB.

import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SaxesParser } from 'saxes';

/** One problem found in a manifest: where, what, and how to fix it (French). */
export interface ManifestProblem {
  /** Stable code, e.g. `URL_NOT_HTTPS`. */
  readonly code: string;
  /** 1-based line of the element's start tag, when known. */
  readonly line?: number;
  /** The element concerned, e.g. `<IconUrl>` or `<bt:Image id="Icon.16x16">`. */
  readonly element: string;
  readonly message: string;
  readonly fix: string;
}

/** Where the validator finds what the manifest points to. */
export interface ValidateOptions {
  /** Folder holding the icon files: each icon URL is looked up by its file name (the connector serves dist/assets/). */
  readonly assetsDir: string;
  /**
   * Names the launch-event script gives to `Office.actions.associate` (see {@link associatedFunctionNames});
   * undefined when the script could not be read (then any FunctionName is a problem).
   */
  readonly associated: readonly string[] | undefined;
  /** The script the names come from, for messages. */
  readonly associatedFrom?: string;
  /**
   * Text of the BUILT launch-event script (dist/launchevent.js), when that is what was read: it must contain the
   * origin of the manifest's JavaScript runtime URL, which webpack inlines as the connector address (classic Outlook's
   * JavaScript-only runtime has no `location`, OUTLOOK.md §1.7). Absent for a TypeScript source: not checked.
   */
  readonly builtScript?: string;
}

/** A parsed element with its start line. */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
  readonly line: number;
}

/** Office limits (see the file comment for the sources). */
export const MANIFEST_LIMITS = {
  displayName: 125,
  description: 250,
  providerName: 125,
  shortString: 125,
  longString: 250,
  url: 2048,
  manifestBytes: 256 * 1024,
} as const;

/**
 * Top-level children of a MailApp <OfficeApp>, in schema order (docs/develop/manifest-element-ordering.md, "mail
 * add-ins"). `required` = this project's deployment requirements (the schema's own plus IconUrl, HighResolutionIconUrl,
 * SupportUrl, Hosts and VersionOverrides, without which Outlook shows no icon, no help link, no button, no Smart Alerts).
 */
export const MAILAPP_ORDER: readonly { readonly name: string; readonly required: boolean }[] = [
  { name: 'Id', required: true },
  { name: 'AlternateId', required: false },
  { name: 'Version', required: true },
  { name: 'ProviderName', required: true },
  { name: 'DefaultLocale', required: true },
  { name: 'DisplayName', required: true },
  { name: 'Description', required: true },
  { name: 'IconUrl', required: true },
  { name: 'HighResolutionIconUrl', required: true },
  { name: 'SupportUrl', required: true },
  { name: 'AppDomains', required: false },
  { name: 'Hosts', required: true },
  { name: 'Requirements', required: true },
  { name: 'FormSettings', required: true },
  { name: 'Permissions', required: true },
  { name: 'Rule', required: true },
  { name: 'DisableEntityHighlighting', required: false },
  { name: 'VersionOverrides', required: true },
];

const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const VERSION_RE = /^\d{1,5}\.\d{1,5}\.\d{1,5}\.\d{1,5}$/;
const LOCALE_RE = /^[a-z]{2,3}-[A-Z]{2}$/;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Ribbon icon sizes Outlook requires on every command icon (learn.microsoft.com/javascript/api/manifest/image). */
const REQUIRED_RIBBON_SIZES = [16, 32, 80];
/** Elements whose DefaultValue (and Override Value) is a URL. */
const URL_ELEMENTS = new Set(['IconUrl', 'HighResolutionIconUrl', 'SupportUrl', 'SourceLocation', 'bt:Image', 'bt:Url']);

/** Parses `xml` with saxes into elements with start lines; throws {@link ManifestXmlError} when not well-formed. */
export function parseManifestXml(xml: string): XmlElement {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '', line: 0 };
  const stack: XmlElement[] = [root];
  let startLine = 1;
  parser.on('opentagstart', () => {
    startLine = parser.line;
  });
  parser.on('opentag', (tag) => {
    const el: XmlElement = { name: tag.name, attrs: tag.attributes as Record<string, string>, children: [], text: '', line: startLine };
    stack[stack.length - 1].children.push(el);
    if (!tag.isSelfClosing) stack.push(el);
  });
  parser.on('text', (t) => {
    stack[stack.length - 1].text += t;
  });
  parser.on('cdata', (t) => {
    stack[stack.length - 1].text += t;
  });
  parser.on('closetag', (tag) => {
    if (!tag.isSelfClosing) stack.pop();
  });
  try {
    parser.write(xml).close();
  } catch (e) {
    throw new ManifestXmlError((e as Error).message, parser.line);
  }
  const top = root.children[0];
  if (!top) throw new ManifestXmlError('document vide', 1);
  return top;
}

/** The manifest is not well-formed XML. */
export class ManifestXmlError extends Error {
  constructor(
    readonly detail: string,
    readonly line: number,
  ) {
    super(`XML mal formé (ligne ${line}) : ${detail}`);
    this.name = 'ManifestXmlError';
  }
}

/** Every element of the tree named `name`, in document order. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (e.name === name) out.push(e);
    e.children.forEach(walk);
  };
  walk(el);
  return out;
}

/**
 * The names a launch-event script associates: every `Office.actions.associate('name', …)` call with a literal
 * name, in the TypeScript source or in the built (even minified) file, where the literal survives.
 */
export function associatedFunctionNames(script: string): string[] {
  const names = [...script.matchAll(/Office\.actions\.associate\(\s*(['"`])([A-Za-z_$][\w$]*)\1/g)].map((m) => m[2]);
  return [...new Set(names)];
}

/** Width and height from a PNG's IHDR chunk, or undefined when the bytes are not a PNG. */
export function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

function elementLabel(el: XmlElement): string {
  const id = el.attrs.id ?? el.attrs.Type;
  return id ? `<${el.name} ${el.attrs.id !== undefined ? 'id' : 'Type'}="${id}">` : `<${el.name}>`;
}

/** Validates a manifest; returns every problem found (empty = valid). Never throws on bad input. */
export function validateManifest(xml: string, opts: ValidateOptions): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const add = (code: string, el: XmlElement | undefined, element: string, message: string, fix: string) =>
    problems.push({ code, ...(el && el.line > 0 ? { line: el.line } : {}), element, message, fix });

  const bytes = Buffer.byteLength(xml, 'utf8');
  if (bytes > MANIFEST_LIMITS.manifestBytes) {
    add('MANIFEST_TOO_LARGE', undefined, '<OfficeApp>', `le manifeste fait ${bytes} octets, Outlook en accepte au plus ${MANIFEST_LIMITS.manifestBytes} (256 Ko).`, 'Retirez des commentaires ou des ressources inutiles.');
  }

  let root: XmlElement;
  try {
    root = parseManifestXml(xml);
  } catch (e) {
    const err = e as ManifestXmlError;
    problems.push({ code: 'XML_MALFORMED', line: err.line, element: '(document)', message: `le fichier n'est pas du XML bien formé : ${err.detail}.`, fix: 'Corrigez la syntaxe XML à la ligne indiquée (balise non fermée, guillemet, caractère & non échappé…), ou régénérez le fichier avec mss-outlook manifest --url.' });
    return problems;
  }

  if (root.name !== 'OfficeApp' || root.attrs['xsi:type'] !== 'MailApp') {
    add('NOT_A_MAIL_ADDIN', root, `<${root.name}>`, `l'élément racine doit être <OfficeApp xsi:type="MailApp"> (trouvé <${root.name}${root.attrs['xsi:type'] ? ` xsi:type="${root.attrs['xsi:type']}"` : ''}>).`, 'Partez du manifest.xml livré avec mss-outlook (mss-outlook manifest --url …).');
    return problems;
  }

  checkOrder(root, add);
  const child = (name: string) => root.children.find((c) => c.name === name);

  const id = child('Id');
  if (id && !GUID_RE.test(id.text.trim())) {
    add('ID_NOT_GUID', id, '<Id>', `« ${id.text.trim()} » n'est pas un GUID (attendu : 8-4-4-4-12 chiffres hexadécimaux, ex. 5f0b7f0e-3c1a-4f6e-9a57-6d2b1c8e4a10).`, 'Donnez un GUID avec --id, ou laissez mss-outlook en dériver un de l\'adresse (--url).');
  }
  const version = child('Version');
  if (version && !VERSION_RE.test(version.text.trim())) {
    add('VERSION_INVALID', version, '<Version>', `« ${version.text.trim()} » n'est pas une version n.n.n.n (ex. 1.0.0.0).`, 'Donnez quatre nombres séparés par des points avec --version.');
  }
  const locale = child('DefaultLocale');
  if (locale && !LOCALE_RE.test(locale.text.trim())) {
    add('LOCALE_INVALID', locale, '<DefaultLocale>', `« ${locale.text.trim()} » n'est pas une langue au format ll-CC (ex. fr-FR).`, 'Mettez fr-FR.');
  }

  checkStrings(root, add);
  const origins = checkUrls(root, add);
  checkAppDomains(root, origins, add);
  checkResources(root, add);
  checkIcons(root, opts.assetsDir, add);
  checkFunctions(root, opts, add);
  return problems;
}

type Add = (code: string, el: XmlElement | undefined, element: string, message: string, fix: string) => void;

function checkOrder(root: XmlElement, add: Add): void {
  const known = MAILAPP_ORDER.map((e) => e.name);
  let last = -1;
  let lastName = '';
  for (const c of root.children) {
    const pos = known.indexOf(c.name);
    if (pos < 0) {
      add('ELEMENT_UNKNOWN', c, `<${c.name}>`, `<${c.name}> n'est pas un élément de premier niveau d'un complément de messagerie.`, `Retirez-le ou déplacez-le ; éléments permis, dans l'ordre : ${known.join(', ')}.`);
      continue;
    }
    if (pos <= last) {
      add('ELEMENT_ORDER', c, `<${c.name}>`, pos === last ? `<${c.name}> apparaît deux fois.` : `<${c.name}> doit venir avant <${lastName}> (ordre imposé par le schéma).`, `Remettez les éléments dans l'ordre : ${known.join(', ')}.`);
      continue;
    }
    last = pos;
    lastName = c.name;
  }
  for (const e of MAILAPP_ORDER) {
    if (e.required && !root.children.some((c) => c.name === e.name)) {
      add('ELEMENT_MISSING', root, `<${e.name}>`, `l'élément obligatoire <${e.name}> manque.`, `Ajoutez <${e.name}> à sa place (ordre : ${known.join(', ')}), ou régénérez le manifeste avec mss-outlook manifest --url.`);
    }
  }
}

function checkStrings(root: XmlElement, add: Add): void {
  const check = (el: XmlElement, value: string | undefined, max: number, what: string) => {
    if (value === undefined || value.trim() === '') {
      add('STRING_EMPTY', el, elementLabel(el), `${what} est vide.`, 'Donnez un texte (1 caractère au moins).');
    } else if ([...value].length > max) {
      add('STRING_TOO_LONG', el, elementLabel(el), `${what} fait ${[...value].length} caractères ; Office en accepte au plus ${max}.`, `Raccourcissez le texte à ${max} caractères au plus.`);
    }
  };
  const withOverrides = (el: XmlElement, max: number, what: string) => {
    check(el, el.attrs.DefaultValue, max, `${what} (DefaultValue)`);
    for (const o of el.children.filter((c) => c.name === 'Override' || c.name === 'bt:Override')) check(o, o.attrs.Value, max, `${what} (${o.attrs.Locale ?? 'Override'})`);
  };
  const top = (name: string) => root.children.find((c) => c.name === name);
  const dn = top('DisplayName');
  if (dn) withOverrides(dn, MANIFEST_LIMITS.displayName, 'le nom affiché');
  const desc = top('Description');
  if (desc) withOverrides(desc, MANIFEST_LIMITS.description, 'la description');
  const provider = top('ProviderName');
  if (provider) check(provider, provider.text.trim(), MANIFEST_LIMITS.providerName, 'le nom de l\'éditeur');
  for (const group of findAll(root, 'bt:ShortStrings')) for (const s of group.children) withOverrides(s, MANIFEST_LIMITS.shortString, `le texte court « ${s.attrs.id ?? '?'} »`);
  for (const group of findAll(root, 'bt:LongStrings')) for (const s of group.children) withOverrides(s, MANIFEST_LIMITS.longString, `le texte long « ${s.attrs.id ?? '?'} »`);
}

/** Checks every URL; returns the origins used (scheme://host:port). */
function checkUrls(root: XmlElement, add: Add): Set<string> {
  const origins = new Set<string>();
  const check = (el: XmlElement, value: string | undefined) => {
    if (value === undefined) return;
    let url: URL;
    try {
      url = new URL(value.trim());
    } catch {
      add('URL_INVALID', el, elementLabel(el), `« ${value} » n'est pas une URL absolue.`, 'Donnez une adresse complète https://… (régénérez avec mss-outlook manifest --url https://votre-connecteur).');
      return;
    }
    if (url.protocol !== 'https:') {
      add('URL_NOT_HTTPS', el, elementLabel(el), `l'adresse « ${value} » n'est pas en HTTPS : Outlook n'accepte que https://.`, 'Servez le connecteur en HTTPS (server.tls ou un proxy inverse) et régénérez avec mss-outlook manifest --url https://….');
      return;
    }
    if ([...value].length > MANIFEST_LIMITS.url) add('STRING_TOO_LONG', el, elementLabel(el), `l'adresse fait plus de ${MANIFEST_LIMITS.url} caractères.`, 'Raccourcissez l\'adresse.');
    origins.add(url.origin);
  };
  const walk = (el: XmlElement, parentIsUrl: boolean) => {
    const isUrl = URL_ELEMENTS.has(el.name);
    if (isUrl) check(el, el.attrs.DefaultValue);
    if (parentIsUrl && (el.name === 'Override' || el.name === 'bt:Override')) check(el, el.attrs.Value);
    for (const c of el.children) walk(c, isUrl);
  };
  walk(root, false);
  for (const d of findAll(root, 'AppDomain')) {
    const v = d.text.trim();
    let url: URL | undefined;
    try {
      url = new URL(v);
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== 'https:') add('URL_NOT_HTTPS', d, '<AppDomain>', `le domaine « ${v} » doit être une origine https:// (ex. https://addin.exemple.fr).`, 'Écrivez l\'origine complète en https://, sans chemin.');
  }
  return origins;
}

function checkAppDomains(root: XmlElement, origins: Set<string>, add: Add): void {
  const declared = new Set<string>();
  for (const d of findAll(root, 'AppDomain')) {
    try {
      declared.add(new URL(d.text.trim()).origin);
    } catch {
      // reported by checkUrls
    }
  }
  const where = root.children.find((c) => c.name === 'AppDomains') ?? root;
  for (const o of origins) {
    if (!declared.has(o)) {
      add('APPDOMAIN_MISSING', where, '<AppDomains>', `l'origine ${o} est utilisée par le manifeste mais absente de <AppDomains> : sur Outlook de bureau, ses pages s'ouvriraient dans le navigateur au lieu du volet.`, `Ajoutez <AppDomain>${o}</AppDomain> dans <AppDomains>.`);
    }
  }
}

function checkResources(root: XmlElement, add: Add): void {
  const resources = findAll(root, 'Resources');
  const defined = new Map<string, XmlElement>();
  for (const group of ['bt:Images', 'bt:Urls', 'bt:ShortStrings', 'bt:LongStrings']) {
    for (const container of resources.flatMap((r) => r.children.filter((c) => c.name === group))) {
      for (const res of container.children) {
        const rid = res.attrs.id;
        if (rid === undefined) {
          add('RESOURCE_ID_MISSING', res, `<${res.name}>`, `une ressource de ${group} n'a pas d'attribut id.`, 'Donnez-lui un id unique.');
          continue;
        }
        if (defined.has(rid)) {
          add('RESOURCE_ID_DUPLICATE', res, elementLabel(res), `l'id de ressource « ${rid} » est déjà défini ligne ${defined.get(rid)!.line}.`, 'Chaque ressource (image, URL, texte) doit avoir un id unique : renommez l\'une des deux et ses références resid.');
        } else {
          defined.set(rid, res);
        }
      }
    }
  }
  const walk = (el: XmlElement) => {
    const r = el.attrs.resid;
    if (r !== undefined && !defined.has(r)) {
      add('RESID_UNDEFINED', el, `<${el.name} resid="${r}">`, `resid « ${r} » ne correspond à aucune ressource de <Resources>.`, `Définissez « ${r} » dans bt:Images, bt:Urls, bt:ShortStrings ou bt:LongStrings, ou corrigez la référence.`);
    }
    el.children.forEach(walk);
  };
  walk(root);
  // control and group ids: unique in the manifest (OfficeTab ids are the built-in tab, repeated by design)
  const seen = new Map<string, XmlElement>();
  for (const el of [...findAll(root, 'Group'), ...findAll(root, 'Control')].sort((a, b) => a.line - b.line)) {
    const cid = el.attrs.id;
    if (cid === undefined) {
      add('CONTROL_ID_MISSING', el, `<${el.name}>`, `<${el.name}> n'a pas d'attribut id.`, 'Donnez-lui un id unique.');
    } else if (seen.has(cid)) {
      add('CONTROL_ID_DUPLICATE', el, elementLabel(el), `l'id « ${cid} » est déjà utilisé ligne ${seen.get(cid)!.line}.`, 'Les id de groupes et de boutons doivent être uniques dans le manifeste : renommez l\'un des deux.');
    } else {
      seen.set(cid, el);
    }
  }
}

function checkIcons(root: XmlElement, assetsDir: string, add: Add): void {
  const images = new Map<string, XmlElement>();
  for (const img of findAll(root, 'Resources').flatMap((r) => findAll(r, 'bt:Image'))) if (img.attrs.id && !images.has(img.attrs.id)) images.set(img.attrs.id, img); // a duplicate is reported by checkResources

  /** Each icon file and the pixel sizes it is declared at. */
  const expected = new Map<string, { el: XmlElement; sizes: Set<number> }>();
  const expect = (el: XmlElement, url: string | undefined, size: number | undefined) => {
    if (url === undefined) return;
    let file: string;
    try {
      file = basename(new URL(url.trim()).pathname);
    } catch {
      return; // reported by checkUrls
    }
    const entry = expected.get(file) ?? { el, sizes: new Set<number>() };
    if (size !== undefined) entry.sizes.add(size);
    expected.set(file, entry);
  };
  const icon = root.children.find((c) => c.name === 'IconUrl');
  if (icon) expect(icon, icon.attrs.DefaultValue, 64);
  const hi = root.children.find((c) => c.name === 'HighResolutionIconUrl');
  if (hi) expect(hi, hi.attrs.DefaultValue, 128);
  for (const img of images.values()) {
    const m = /(\d+)x(\d+)$/.exec(img.attrs.id ?? '');
    expect(img, img.attrs.DefaultValue, m && m[1] === m[2] ? Number(m[1]) : undefined);
  }
  for (const iconEl of findAll(root, 'Icon')) {
    const refs = iconEl.children.filter((c) => c.name === 'bt:Image');
    const sizes = refs.map((r) => Number(r.attrs.size));
    for (const s of REQUIRED_RIBBON_SIZES) {
      if (!sizes.includes(s)) add('ICON_SIZE_MISSING', iconEl, '<Icon>', `il manque l'icône ${s}×${s} de ce bouton (Outlook exige 16, 32 et 80).`, `Ajoutez <bt:Image size="${s}" resid="Icon.${s}x${s}"/> et la ressource correspondante.`);
    }
    for (const r of refs) {
      const res = r.attrs.resid ? images.get(r.attrs.resid) : undefined;
      if (res) expect(res, res.attrs.DefaultValue, Number(r.attrs.size));
    }
  }
  for (const [file, { el, sizes }] of expected) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(assetsDir, file));
    } catch {
      add('ICON_MISSING', el, elementLabel(el), `le fichier d'icône « ${file} » est introuvable dans ${assetsDir} : Outlook afficherait une icône par défaut ou refuserait le manifeste.`, `Ajoutez ${file} (PNG) dans ${assetsDir} puis reconstruisez (npm run build), ou corrigez l'URL.`);
      continue;
    }
    const size = pngSize(bytes);
    if (!size) {
      add('ICON_NOT_PNG', el, elementLabel(el), `« ${file} » n'est pas une image PNG (ICO et autres formats sont refusés par la validation Office).`, 'Fournissez une image PNG.');
      continue;
    }
    for (const s of sizes) {
      if (size.width !== s || size.height !== s) {
        add('ICON_WRONG_SIZE', el, elementLabel(el), `« ${file} » fait ${size.width}×${size.height} pixels, mais le manifeste la déclare en ${s}×${s}.`, `Fournissez une image de ${s}×${s} pixels pour cet emplacement.`);
      }
    }
  }
}

function checkFunctions(root: XmlElement, opts: ValidateOptions, add: Add): void {
  const from = opts.associatedFrom ? ` (${opts.associatedFrom})` : '';
  const events = findAll(root, 'LaunchEvent');
  const types = new Map<string, XmlElement>();
  for (const ev of events) {
    const type = ev.attrs.Type ?? '';
    if (types.has(type)) add('LAUNCH_EVENT_DUPLICATE', ev, elementLabel(ev), `l'événement ${type} est déclaré deux fois (Outlook n'en accepte qu'un par type).`, 'Gardez une seule déclaration par type d\'événement.');
    types.set(type, ev);
  }
  const functions = [
    ...events.map((ev) => ({ el: ev, name: ev.attrs.FunctionName })),
    ...findAll(root, 'FunctionName').map((f) => ({ el: f, name: f.text.trim() })),
  ];
  for (const { el, name } of functions) {
    if (!name) {
      add('FUNCTION_NAME_MISSING', el, elementLabel(el), 'aucun nom de fonction (FunctionName).', 'Donnez le nom passé à Office.actions.associate.');
    } else if (opts.associated === undefined) {
      add('FUNCTION_NOT_CHECKED', el, elementLabel(el), `impossible de vérifier que « ${name} » est associée : le script des événements${from} est illisible.`, 'Construisez l\'add-in (npm run build) ou donnez le script avec --launchevent <fichier>.');
    } else if (!opts.associated.includes(name)) {
      add('FUNCTION_NOT_ASSOCIATED', el, elementLabel(el), `la fonction « ${name} » n'est associée nulle part : le script des événements${from} n'appelle pas Office.actions.associate('${name}', …). Outlook ne trouverait pas le gestionnaire et, en SoftBlock, bloquerait chaque envoi.`, `Corrigez le nom dans le manifeste (fonctions associées : ${opts.associated.join(', ') || 'aucune'}).`);
    }
  }
  // the built script calls the connector it was built for: the origin of the JavaScript runtime URL
  if (opts.builtScript !== undefined) {
    const urls = new Map(findAll(root, 'bt:Url').map((u) => [u.attrs.id, u.attrs.DefaultValue]));
    for (const o of findAll(root, 'Override').filter((e) => e.attrs.type === 'javascript')) {
      let origin: string | undefined;
      try {
        origin = new URL(urls.get(o.attrs.resid ?? '') ?? '').origin;
      } catch {
        origin = undefined; // reported by checkUrls / checkResources
      }
      if (origin && !opts.builtScript.includes(JSON.stringify(origin))) {
        add('LAUNCHEVENT_ORIGIN_MISMATCH', o, '<Override type="javascript">', `le script des événements${from} n'a pas été construit pour ${origin} : dans Outlook classique, les Smart Alerts appelleraient un autre connecteur.`, `Reconstruisez l'add-in avec cette adresse (MSS_PUBLIC_URL=${origin} npm run build), puis relancez la commande.`);
      }
    }
  }
  // the launch events load the browser runtime page; classic Outlook its JavaScript override (OUTLOOK.md §1.2)
  const runtimes = findAll(root, 'Runtime').map((r) => r.attrs.resid);
  for (const point of findAll(root, 'ExtensionPoint').filter((p) => p.attrs['xsi:type'] === 'LaunchEvent')) {
    const src = point.children.find((c) => c.name === 'SourceLocation');
    if (!src || !runtimes.includes(src.attrs.resid)) {
      add('LAUNCH_EVENT_RUNTIME', src ?? point, '<SourceLocation>', 'la source des événements (LaunchEvent) doit être le resid d\'un <Runtime> déclaré.', `Mettez <SourceLocation resid="${runtimes[0] ?? 'WebViewRuntime.Url'}"/>.`);
    }
  }
}

/** One French line per problem, e.g. `manifest.xml:37 <IconUrl> [URL_NOT_HTTPS] : … Correction : …`. */
export function formatProblem(file: string, p: ManifestProblem): string {
  return `${file}${p.line !== undefined ? `:${p.line}` : ''} ${p.element} [${p.code}] : ${p.message} Correction : ${p.fix}`;
}
