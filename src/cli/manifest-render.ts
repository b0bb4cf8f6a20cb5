// Runtime: Node (CLI). Renders the repository's manifest.xml (the development one, on https://localhost:3000) for a
// deployment, for `mss-outlook manifest --url`: every URL rebased on the deployment's HTTPS origin (icons,
// SupportUrl, AppDomains, SourceLocation, the runtimes and the JavaScript file of the launch events), Id, Version,
// French default and English (en-US Override) names and descriptions. DOM edits with @xmldom/xmldom, so the
// template's comments, order and indentation survive; never string concatenation of XML. One manifest per
// environment, each with its own Id (OUTLOOK.md §5.2, docs/includes/manifest-guidance.md).

import { createHash } from 'node:crypto';
import { DOMParser, onWarningStopParsing, XMLSerializer, type Element, type Node } from '@xmldom/xmldom';

/** What a deployment changes in the template. Absent fields keep the template's value, except where noted. */
export interface RenderOptions {
  /** HTTPS origin serving the add-in (the connector's public URL), e.g. `https://addin.ehpad-exemple.fr`. */
  readonly origin: string;
  /** Add-in Id (GUID). Default: a stable GUID derived from the origin ({@link deploymentId}), distinct per deployment. */
  readonly id?: string;
  /** n.n.n.n; bump it for each manifest update (Outlook keeps the old one otherwise). */
  readonly version?: string;
  readonly nameFr?: string;
  readonly nameEn?: string;
  readonly descriptionFr?: string;
  readonly descriptionEn?: string;
  /** Help page; default: the template's, rebased (<origin>/aide.html). */
  readonly supportUrl?: string;
}

/** The template could not be used (not well-formed, no origin to rebase): a bug in the shipped file or a bad --template. */
export class ManifestTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestTemplateError';
  }
}

/** Elements whose `DefaultValue` is a URL; their `Override` children carry URLs in `Value`. */
const URL_ELEMENTS = new Set(['IconUrl', 'HighResolutionIconUrl', 'SupportUrl', 'SourceLocation', 'bt:Image', 'bt:Url']);
/** RFC 4122 namespace for URLs (appendix C). */
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/**
 * A stable, per-deployment add-in Id: the RFC 4122 version 5 (SHA-1, name-based) UUID of the origin in the URL
 * namespace. Rendering twice for the same origin gives the same Id, so a re-rendered manifest updates the
 * deployed add-in instead of adding a second one.
 */
export function deploymentId(origin: string): string {
  const ns = Buffer.from(URL_NAMESPACE.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(origin, 'utf8').digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function elements(node: Node): Element[] {
  const out: Element[] = [];
  const walk = (n: Node) => {
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === c.ELEMENT_NODE) {
        out.push(c as Element);
        walk(c);
      }
    }
  };
  walk(node);
  return out;
}

function childElement(parent: Element, name: string): Element | undefined {
  for (let c = parent.firstChild; c; c = c.nextSibling) if (c.nodeType === c.ELEMENT_NODE && (c as Element).tagName === name) return c as Element;
  return undefined;
}

/** Sets `Value` of the Override for `locale` under `parent`, adding it (same prefix as the parent) when absent. */
function setOverride(parent: Element, locale: string, value: string): void {
  const prefix = parent.prefix ? `${parent.prefix}:` : '';
  for (let c = parent.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === c.ELEMENT_NODE && (c as Element).localName === 'Override' && (c as Element).getAttribute('Locale') === locale) {
      (c as Element).setAttribute('Value', value);
      return;
    }
  }
  const doc = parent.ownerDocument!;
  const o = doc.createElementNS(parent.namespaceURI, `${prefix}Override`);
  o.setAttribute('Locale', locale);
  o.setAttribute('Value', value);
  parent.appendChild(o);
}

function setText(el: Element, text: string): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  el.appendChild(el.ownerDocument!.createTextNode(text));
}

/**
 * Renders `template` (the text of manifest.xml) for a deployment. `opts` must already be validated (origin https
 * without path, GUID, n.n.n.n): {@link validateManifest} checks the result. Throws {@link ManifestTemplateError}
 * when the template is not well-formed or has no SourceLocation to take its origin from.
 */
export function renderManifest(template: string, opts: RenderOptions): string {
  let doc;
  try {
    doc = new DOMParser({ onError: onWarningStopParsing }).parseFromString(template, 'text/xml');
  } catch (e) {
    throw new ManifestTemplateError(`modèle de manifeste illisible : ${(e as Error).message}`);
  }
  const root = doc.documentElement;
  if (!root || root.tagName !== 'OfficeApp') throw new ManifestTemplateError('le modèle n\'est pas un manifeste <OfficeApp>.');
  const all = elements(root);

  const firstSource = all.find((e) => e.tagName === 'SourceLocation' && e.getAttribute('DefaultValue'));
  let templateOrigin: string;
  try {
    templateOrigin = new URL(firstSource!.getAttribute('DefaultValue')!).origin;
  } catch {
    throw new ManifestTemplateError('le modèle n\'a pas de <SourceLocation DefaultValue="https://…"> dont reprendre l\'origine.');
  }
  const target = new URL(opts.origin).origin;
  const rebase = (value: string): string => {
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      return value;
    }
    if (u.origin !== templateOrigin) return value; // a third-party URL stays as it is
    return `${target}${u.pathname}${u.search}${u.hash}`;
  };

  for (const el of all) {
    if (URL_ELEMENTS.has(el.tagName)) {
      const v = el.getAttribute('DefaultValue');
      if (v !== null) el.setAttribute('DefaultValue', rebase(v));
      for (const o of elements(el)) {
        if (o.localName === 'Override' && o.getAttribute('Value') !== null) o.setAttribute('Value', rebase(o.getAttribute('Value')!));
      }
    }
    if (el.tagName === 'AppDomain') setText(el, rebase(el.textContent ?? '').replace(/\/$/, ''));
  }
  // AppDomains: exactly the deployment origin plus any third-party origin the template listed
  const appDomains = childElement(root, 'AppDomains');
  if (appDomains) {
    const seen = new Set<string>();
    for (const d of elements(appDomains).filter((e) => e.tagName === 'AppDomain')) {
      const v = (d.textContent ?? '').trim();
      if (seen.has(v)) appDomains.removeChild(d);
      seen.add(v);
    }
  }

  const set = (name: string, apply: (el: Element) => void) => {
    const el = childElement(root, name);
    if (!el) throw new ManifestTemplateError(`le modèle n'a pas d'élément <${name}>.`);
    apply(el);
  };
  set('Id', (el) => setText(el, opts.id ?? deploymentId(target)));
  if (opts.version) set('Version', (el) => setText(el, opts.version!));
  if (opts.nameFr) set('DisplayName', (el) => el.setAttribute('DefaultValue', opts.nameFr!));
  if (opts.nameEn) set('DisplayName', (el) => setOverride(el, 'en-US', opts.nameEn!));
  if (opts.descriptionFr) set('Description', (el) => el.setAttribute('DefaultValue', opts.descriptionFr!));
  if (opts.descriptionEn) set('Description', (el) => setOverride(el, 'en-US', opts.descriptionEn!));
  if (opts.supportUrl) set('SupportUrl', (el) => el.setAttribute('DefaultValue', opts.supportUrl!));
  // every origin the manifest uses is listed in AppDomains (the validator checks it): a help page elsewhere joins
  if (opts.supportUrl && appDomains) {
    const extra = new URL(opts.supportUrl).origin;
    if (!elements(appDomains).some((d) => (d.textContent ?? '').trim() === extra)) {
      const last = elements(appDomains).filter((e) => e.tagName === 'AppDomain').pop();
      const d = doc.createElementNS(appDomains.namespaceURI, 'AppDomain');
      setText(d, extra);
      const indent = last?.previousSibling?.nodeType === last?.TEXT_NODE ? (last!.previousSibling!.nodeValue ?? '') : '\n    ';
      appDomains.insertBefore(doc.createTextNode(indent), last ? last.nextSibling : null);
      appDomains.insertBefore(d, last ? last.nextSibling!.nextSibling : null);
    }
  }

  // Say where the file comes from, ahead of the template's own comment (which describes the development manifest).
  const note = doc.createComment(
    ` Rendu par « mss-outlook manifest » pour ${target} à partir du manifest.xml livré (le commentaire suivant est celui de ce modèle de développement). Ne pas modifier à la main : relancer la commande. `,
  );
  const first = doc.firstChild && doc.firstChild.nodeType === doc.PROCESSING_INSTRUCTION_NODE ? doc.firstChild.nextSibling : doc.firstChild;
  doc.insertBefore(doc.createTextNode('\n'), first);
  doc.insertBefore(note, first);

  let out = new XMLSerializer().serializeToString(doc);
  if (!out.startsWith('<?xml')) out = `<?xml version="1.0" encoding="UTF-8"?>\n${out}`;
  return out.endsWith('\n') ? out : `${out}\n`;
}
