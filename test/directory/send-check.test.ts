// Runtime: Node (jest). The send check with the directory's "vous vouliez dire": the service's
// suggestMssanteAddress (core directorySuggestionHook over the index in service and the correspondence table) given
// to the core evaluateSend turns a warned or blocked ordinary recipient into a one-click `replace` by its MSSanté
// address. Real liste blanche 2025, the bundled sample directory (assets/directory/annuaire-exemple.txt).
import { readFileSync } from 'node:fs';
import { loadExtractionText } from '../../src/connector/directory/load-extraction';
import { DirectoryService, sampleState } from '../../src/connector/directory/service';
import { bundledDirectoryPath } from '../../src/connector/package-root';
import { createClassifier, DEFAULT_POLICY, evaluateSend, parseMappingCsv, type Policy } from '../../src/core';
import { realTrustSpace2025 } from '../helpers/connector';

const HEALTH = { subject: 'Compte rendu de consultation', bodyText: 'Patient diabétique de type 2, HbA1c 8,2 %, traitement par metformine.' };

function setup() {
  const { table } = parseMappingCsv('adresse ordinaire;adresse MSSanté\nsecretariat.cardio@clinique-exemple.fr;sophie.martin@medecin.mssante.fr\n');
  const service = new DirectoryService({ initial: sampleState(bundledDirectoryPath()), mapping: table });
  const classify = createClassifier({ trustSpace: realTrustSpace2025(), directory: service.lookup });
  const check = (to: string[], policy: Policy = DEFAULT_POLICY) =>
    evaluateSend({ recipients: to.map((a) => ({ field: 'to' as const, classification: classify(a) })), content: HEALTH }, policy, { suggestMssanteAddress: service.suggestMssanteAddress });
  return { service, check };
}

describe('send check with directory suggestions', () => {
  it('a warned ordinary address comes with its MSSanté address (name in the address, single person)', () => {
    const { check } = setup();
    const v = check(['sophie.martin@gmail.com', 'jean-marie.dupont@infirmier.mssante.fr']);
    expect(v.action).toBe('warn');
    expect(v.reasons.map((r) => r.code)).toContain('HEALTH_DATA_TO_NON_MSSANTE');
    expect(v.fixes).toContainEqual(expect.objectContaining({ type: 'replace', address: 'sophie.martin@gmail.com', replacement: 'sophie.martin@medecin.mssante.fr', label: expect.stringContaining('adresse MSSanté') }));
  });

  it('a blocked one too, from the correspondence table first', () => {
    const { check } = setup();
    const v = check(['secretariat.cardio@clinique-exemple.fr'], { ...DEFAULT_POLICY, healthDataToNonMssante: 'block' });
    expect(v.action).toBe('block');
    expect(v.fixes).toContainEqual(expect.objectContaining({ type: 'replace', address: 'secretariat.cardio@clinique-exemple.fr', replacement: 'sophie.martin@medecin.mssante.fr' }));
  });

  it('no replace fix when the directory does not know the person', () => {
    const { check } = setup();
    const v = check(['contact@gmail.com']);
    expect(v.action).toBe('warn');
    expect(v.fixes.filter((f) => f.type === 'replace')).toEqual([]);
  });

  it('follows the index in service after a refresh (swap)', () => {
    const { service, check } = setup();
    expect(service.suggestMssanteAddress({ input: 'x', address: 'albert.nouveau@gmail.com', kind: 'external', reason: 'NOT_IN_TRUST_SPACE' } as never)).toBeUndefined();
    const header = readFileSync(bundledDirectoryPath(), 'utf8').split('\n')[0];
    const row = header.split('|').map((c) => ({ 'Type de BAL': 'PER', 'Adresse BAL': 'albert.nouveau@medecin.mssante.fr', "Nom d'exercice": 'NOUVEAU', "Prénom d'exercice": 'Albert' })[c] ?? '').join('|');
    service.swap({ index: loadExtractionText(`${header}\n${row}\n`).index, meta: { sourceKind: 'file', source: 'test', loadedAt: '' } });
    const v = check(['albert.nouveau@gmail.com']);
    expect(v.fixes).toContainEqual(expect.objectContaining({ type: 'replace', replacement: 'albert.nouveau@medecin.mssante.fr' }));
  });
});
