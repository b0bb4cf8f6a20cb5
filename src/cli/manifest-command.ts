// Runtime: Node (CLI). `mss-outlook manifest --url https://… [--out manifest.xml]` renders the repository's
// manifest.xml for a deployment, then validates the result offline; `mss-outlook manifest --check <fichier>`
// validates an existing manifest. Problems are printed one per line, in French, with the line, the element and the
// fix; exit code 1 when there is any (nothing is written then), 2 on wrong usage.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../connector/package-root';
import { HELP_OPTION, type CliCommand } from './command';
import { EXIT, UsageError, type CliIo } from './io';
import { deploymentId, ManifestTemplateError, renderManifest } from './manifest-render';
import { associatedFunctionNames, findAll, formatProblem, parseManifestXml, validateManifest, type ValidateOptions } from './manifest-validate';

const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const VERSION_RE = /^\d{1,5}\.\d{1,5}\.\d{1,5}\.\d{1,5}$/;

/** The HTTPS origin given with --url (scheme, host, port; no path, query or credentials). */
export function parseOrigin(value: string, option = '--url'): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UsageError(`${option} « ${value} » n'est pas une adresse : donnez l'origine https:// du connecteur, ex. https://mss.ehpad-exemple.fr.`, 'manifest');
  }
  if (u.protocol !== 'https:') throw new UsageError(`${option} « ${value} » doit commencer par https:// : Outlook ne charge un complément qu'en HTTPS.`, 'manifest');
  if (u.username || u.password) throw new UsageError(`${option} ne doit pas contenir d'identifiant ni de mot de passe.`, 'manifest');
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) {
    throw new UsageError(`${option} « ${value} » : donnez seulement l'origine (https://hôte[:port]), sans chemin ni paramètre ; le connecteur sert l'add-in à la racine.`, 'manifest');
  }
  return u.origin;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`${what} introuvable ou illisible : « ${path} ».`, 'manifest');
  }
}

/**
 * Where the validator looks: icons in dist/assets (what the connector serves) or, before a build, assets/; the
 * launch-event names in the built dist/launchevent.js (what Outlook runs, whose connector origin is checked too) or,
 * before a build, the TypeScript source.
 */
export function defaultValidateOptions(root: string, launcheventFile?: string, assetsDir?: string): ValidateOptions {
  const assets = assetsDir ?? (existsSync(join(root, 'dist', 'assets')) ? join(root, 'dist', 'assets') : join(root, 'assets'));
  const candidates = launcheventFile ? [launcheventFile] : [join(root, 'dist', 'launchevent.js'), join(root, 'src', 'addin', 'launchevent', 'launchevent.ts')];
  for (const file of candidates) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    return { assetsDir: assets, associated: associatedFunctionNames(text), associatedFrom: file, ...(file.endsWith('.js') ? { builtScript: text } : {}) };
  }
  return { assetsDir: assets, associated: undefined, associatedFrom: candidates.join(' ou ') };
}

function report(io: CliIo, file: string, xml: string, opts: ValidateOptions): boolean {
  const problems = validateManifest(xml, opts);
  for (const p of problems) io.stderr.write(`${formatProblem(file, p)}\n`);
  if (problems.length > 0) {
    io.stderr.write(`${problems.length} problème${problems.length > 1 ? 's' : ''} : manifeste refusé. Corrigez puis relancez.\n`);
    return false;
  }
  return true;
}

function summary(xml: string): string {
  const root = parseManifestXml(xml);
  const text = (name: string) => root.children.find((c) => c.name === name)?.text.trim() ?? '?';
  const source = findAll(root, 'SourceLocation').find((s) => s.attrs.DefaultValue)?.attrs.DefaultValue;
  const events = findAll(root, 'LaunchEvent').map((e) => e.attrs.Type).join(', ');
  return `Id ${text('Id')}, version ${text('Version')}, origine ${source ? new URL(source).origin : '?'}, événements : ${events || 'aucun'}`;
}

/** `mss-outlook manifest`. */
export const manifestCommand: CliCommand = {
  name: 'manifest',
  summary: 'Produit le manifeste de l\'add-in pour votre déploiement (--url) et le vérifie hors ligne, ou vérifie un manifeste (--check).',
  usage: 'manifest --url https://<connecteur> [--id <guid>] [--version n.n.n.n] [--name-fr …] [--name-en …] [--support-url …] [--out manifest.xml]\n       mss-outlook manifest --check <manifest.xml>',
  description: [
    'Part du manifest.xml livré (développement, https://localhost:3000) et remplace chaque adresse par l\'origine donnée',
    '(icônes, page d\'aide, AppDomains, volet, environnements d\'exécution et script des Smart Alerts). Sans --id, l\'Id est',
    'dérivé de l\'adresse : il reste le même à chaque nouvelle génération pour la même adresse. Changez --version à chaque',
    'mise à jour du manifeste. Le résultat est vérifié hors ligne (structure, ordre des éléments, HTTPS, AppDomains, icônes',
    'et leur taille, fonctions associées par le script des événements, identifiants uniques, longueurs) ; en cas de problème,',
    'rien n\'est écrit et le code de sortie est 1.',
    'Le script des Smart Alerts contient l\'adresse du connecteur : construisez l\'add-in avec la même adresse',
    '(MSS_PUBLIC_URL=https://<connecteur> npm run build).',
  ].join('\n'),
  options: [
    { name: 'url', value: true, valueName: '<https://hôte[:port]>', description: 'Origine HTTPS publique du connecteur qui sert l\'add-in (server.publicUrl).' },
    { name: 'id', value: true, valueName: '<guid>', description: 'Id du complément (GUID). Par défaut : dérivé de --url, stable.' },
    { name: 'version', value: true, valueName: '<n.n.n.n>', description: 'Version du manifeste (par défaut celle du modèle). À augmenter à chaque mise à jour.' },
    { name: 'name-fr', value: true, valueName: '<texte>', description: 'Nom affiché en français (125 caractères au plus).' },
    { name: 'name-en', value: true, valueName: '<texte>', description: 'Nom affiché en anglais (en-US).' },
    { name: 'description-fr', value: true, valueName: '<texte>', description: 'Description en français (250 caractères au plus).' },
    { name: 'description-en', value: true, valueName: '<texte>', description: 'Description en anglais (en-US).' },
    { name: 'support-url', value: true, valueName: '<https://…>', description: 'Page d\'aide (par défaut <url>/aide.html).' },
    { name: 'out', short: 'o', value: true, valueName: '<fichier>', description: 'Fichier à écrire (par défaut : la sortie standard).' },
    { name: 'check', value: true, valueName: '<fichier>', description: 'Vérifie un manifeste existant au lieu d\'en produire un.' },
    { name: 'template', value: true, valueName: '<fichier>', description: 'Modèle (par défaut le manifest.xml livré).' },
    { name: 'launchevent', value: true, valueName: '<fichier>', description: 'Script des événements à contrôler (par défaut dist/launchevent.js, sinon la source).' },
    { name: 'assets', value: true, valueName: '<dossier>', description: 'Dossier des icônes (par défaut dist/assets, sinon assets/).' },
    HELP_OPTION,
  ],
  async run(args, io) {
    const o = args.options;
    const str = (name: string): string | undefined => (typeof o[name] === 'string' ? (o[name] as string) : undefined);
    if (args.positionals.length > 0) throw new UsageError(`Argument inattendu : « ${args.positionals[0]} ». Utilisez --url ou --check.`, 'manifest');
    const cwd = io.cwd ?? process.cwd();
    const root = packageRoot();
    const launchevent = str('launchevent');
    const assets = str('assets');
    const validateOpts = defaultValidateOptions(root, launchevent ? resolve(cwd, launchevent) : undefined, assets ? resolve(cwd, assets) : undefined);

    const check = str('check');
    const url = str('url');
    if (check !== undefined) {
      const others = ['url', 'id', 'version', 'name-fr', 'name-en', 'description-fr', 'description-en', 'support-url', 'out', 'template'].filter((n) => o[n] !== undefined);
      if (others.length > 0) throw new UsageError(`--check ne se combine pas avec --${others[0]}.`, 'manifest');
      const file = resolve(cwd, check);
      const xml = readText(file, 'Manifeste');
      if (!report(io, check, xml, validateOpts)) return EXIT.CONFIG;
      io.stdout.write(`${check} : manifeste valide (${summary(xml)}).\n`);
      return EXIT.OK;
    }
    if (url === undefined) throw new UsageError('Donnez --url https://<connecteur> (produire un manifeste) ou --check <fichier> (vérifier un manifeste).', 'manifest');

    const origin = parseOrigin(url);
    const id = str('id');
    if (id !== undefined && !GUID_RE.test(id)) throw new UsageError(`--id « ${id} » n'est pas un GUID (8-4-4-4-12 chiffres hexadécimaux, ex. ${deploymentId(origin)}).`, 'manifest');
    const version = str('version');
    if (version !== undefined && !VERSION_RE.test(version)) throw new UsageError(`--version « ${version} » : attendu quatre nombres séparés par des points (ex. 1.0.0.0).`, 'manifest');
    const supportUrl = str('support-url');
    if (supportUrl !== undefined) {
      let ok = false;
      try {
        ok = new URL(supportUrl).protocol === 'https:';
      } catch {
        ok = false;
      }
      if (!ok) throw new UsageError(`--support-url « ${supportUrl} » doit être une adresse https://.`, 'manifest');
    }

    const templatePath = str('template') ? resolve(cwd, str('template')!) : join(root, 'manifest.xml');
    const template = readText(templatePath, 'Modèle de manifeste');
    let xml: string;
    try {
      xml = renderManifest(template, {
        origin,
        ...(id ? { id } : {}),
        ...(version ? { version } : {}),
        ...(str('name-fr') ? { nameFr: str('name-fr')! } : {}),
        ...(str('name-en') ? { nameEn: str('name-en')! } : {}),
        ...(str('description-fr') ? { descriptionFr: str('description-fr')! } : {}),
        ...(str('description-en') ? { descriptionEn: str('description-en')! } : {}),
        ...(supportUrl ? { supportUrl } : {}),
      });
    } catch (e) {
      if (e instanceof ManifestTemplateError) {
        io.stderr.write(`${templatePath} : ${e.message} Corrigez le modèle ou retirez --template.\n`);
        return EXIT.CONFIG;
      }
      throw e;
    }
    const out = str('out');
    if (!report(io, out ?? '(manifeste produit)', xml, validateOpts)) return EXIT.CONFIG;
    if (out === undefined) {
      io.stdout.write(xml);
    } else {
      writeFileSync(resolve(cwd, out), xml);
      io.stderr.write(`${out} écrit et vérifié (${summary(xml)}).\n`);
    }
    return EXIT.OK;
  },
};
