// Runtime: Node (docs tooling). Renders the generated sections of README.md from the tables the code itself uses,
// so the documentation cannot drift: configuration reference, connector HTTP error codes, address kinds and reason
// codes of the core, address and liste blanche errors. `node scripts/update-readme.mjs` writes them;
// test/docs/readme.test.ts fails when README.md is out of date.
import {
  ADDRESS_ERROR_CODES, ADDRESS_ERROR_LABELS_FR, ADDRESS_KINDS, KIND_LABELS_FR, LISTE_BLANCHE_ERROR_CODES,
  REASON_CODES, REASON_LABELS_FR, VERDICT_REASON_CODES, VERDICT_REASON_LABELS_FR,
} from '../core';
import { configReferenceMarkdown } from './config';
import { errorCodesMarkdown } from './errors';

const LISTE_BLANCHE_FIX: Record<(typeof LISTE_BLANCHE_ERROR_CODES)[number], string> = {
  LISTE_BLANCHE_MALFORMED: 'Le fichier n\'est pas du XML bien formé : il n\'est pas chargé, la liste précédente reste en service. Téléchargez-le de nouveau.',
  LISTE_BLANCHE_TRUNCATED: 'Le fichier s\'arrête avant </ListeBlancheMSSante> (téléchargement interrompu, ou copie tronquée comme celle du dépôt GitHub de l\'ANS) : rien n\'est chargé. Téléchargez-le de nouveau depuis l\'Espace de Confiance.',
  LISTE_BLANCHE_WRONG_ROOT: 'Ce n\'est pas une liste blanche MSSanté (élément racine ou espace de noms inattendu). Vérifiez le chemin trustSpace.listeBlanchePath.',
  LISTE_BLANCHE_EMPTY: 'La liste ne contient aucun domaine : elle est refusée pour ne pas tout bloquer. Téléchargez-la de nouveau.',
};

const table = (head: string[], rows: string[][]): string =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** The generated README sections, keyed by marker name. */
export function readmeSections(): Record<string, string> {
  return {
    config: ['## Configuration', '',
      'Fichier JSON (`MSS_CONFIG`) puis variables d\'environnement ; sans rien, la configuration intégrée de démonstration. '
      + 'Chaque réglage invalide est signalé au démarrage avec son nom et la correction à faire ; le connecteur ne démarre pas.', '',
      configReferenceMarkdown()].join('\n'),
    errors: ['## Codes d\'erreur', '',
      '### API HTTP du connecteur', '',
      'Toute réponse d\'erreur a la forme `{ "error": { "code", "message", "details"? } }` ; `message` est en français, '
      + '`details` ne contient que des chemins, des nombres et des limites, jamais les valeurs envoyées.', '',
      errorCodesMarkdown(), '',
      '### Nature d\'une adresse (`kind`) et motifs (`reason`)', '',
      table(['kind', 'Libellé'], ADDRESS_KINDS.map((k) => [`\`${k}\``, KIND_LABELS_FR[k]])), '',
      table(['reason', 'Signification'], REASON_CODES.map((r) => [`\`${r}\``, REASON_LABELS_FR[r]])), '',
      '### Adresses refusées (`addressError`)', '',
      table(['Code', 'Signification'], ADDRESS_ERROR_CODES.map((c) => [`\`${c}\``, ADDRESS_ERROR_LABELS_FR[c]])), '',
      '### Verdict d\'envoi (`evaluateSend`)', '',
      table(['Motif', 'Signification'], VERDICT_REASON_CODES.map((c) => [`\`${c}\``, VERDICT_REASON_LABELS_FR[c]])), '',
      '### Liste blanche', '',
      table(['Code', 'Que faire'], LISTE_BLANCHE_ERROR_CODES.map((c) => [`\`${c}\``, LISTE_BLANCHE_FIX[c]])), '',
      '### Ligne de commande', '',
      table(['Code de sortie', 'Signification'], [['0', 'Succès'], ['1', 'Configuration invalide (message en français)'],
        ['2', 'Utilisation incorrecte (commande ou option inconnue)'], ['70', 'Erreur interne inattendue']]),
    ].join('\n'),
  };
}

/** Replaces every `<!-- BEGIN GENERATED: x -->…<!-- END GENERATED: x -->` block of `readme` with its section. */
export function renderReadme(readme: string, sections: Record<string, string> = readmeSections()): string {
  let out = readme;
  for (const [name, body] of Object.entries(sections)) {
    const begin = `<!-- BEGIN GENERATED: ${name} -->`;
    const end = `<!-- END GENERATED: ${name} -->`;
    const i = out.indexOf(begin);
    const j = out.indexOf(end);
    if (i < 0 || j < i) throw new Error(`README.md : marqueurs « ${name} » absents`);
    out = `${out.slice(0, i + begin.length)}\n${body}\n${out.slice(j)}`;
  }
  return out;
}
