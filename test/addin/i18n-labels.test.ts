// Runtime: Node (jest). Language choice, badge texts and colours, theme detection of the task pane.
import { ADDRESS_KINDS, type Classification } from '../../src/core';
import { luminance, readHostInfo } from '../../src/addin/office/host-info';
import { MESSAGES, pickLanguage } from '../../src/addin/taskpane/i18n';
import { badgeText, CORE_LABELS, KIND_BADGE } from '../../src/addin/taskpane/labels';

describe('pickLanguage', () => {
  it.each([
    ['', undefined, 'fr'],
    ['', 'fr-FR', 'fr'],
    ['', 'en-US', 'en'],
    ['', 'de-DE', 'fr'],
    ['?lang=en', 'fr-FR', 'en'],
    ['?lang=FR', 'en-GB', 'fr'],
    ['?lang=xx', 'en-GB', 'en'],
  ])('%j + %j → %s', (search, office, expected) => {
    expect(pickLanguage(search, office)).toBe(expected);
  });

  it('both languages define every message', () => {
    expect(Object.keys(MESSAGES.en).sort()).toEqual(Object.keys(MESSAGES.fr).sort());
  });
});

describe('badges', () => {
  it('every kind has its own colour/appearance pair and its own text (never colour alone)', () => {
    const looks = ADDRESS_KINDS.map((k) => `${KIND_BADGE[k].color}/${KIND_BADGE[k].appearance}`);
    expect(new Set(looks).size).toBe(ADDRESS_KINDS.length);
    const texts = ADDRESS_KINDS.map((kind) => badgeText({ input: 'x', kind, reason: 'NOT_IN_TRUST_SPACE' }, CORE_LABELS.fr));
    expect(new Set(texts).size).toBe(ADDRESS_KINDS.length);
  });

  it('MSSanté mailboxes show their type', () => {
    const c: Classification = { input: 'x', kind: 'mssante', reason: 'DIRECTORY_MAILBOX', mailboxType: 'ORG' };
    expect(badgeText(c, CORE_LABELS.fr)).toBe('MSSanté · BAL organisationnelle');
    expect(badgeText(c, CORE_LABELS.en)).toBe('MSSanté · Organisational mailbox');
  });
});

describe('host info', () => {
  it('luminance and dark theme', () => {
    expect(luminance('#ffffff')).toBeCloseTo(1);
    expect(luminance('#000000')).toBe(0);
    expect(luminance('nope')).toBeUndefined();
    const office = (bg: string) =>
      ({ HostType: { Outlook: 'Outlook' }, context: { mailbox: { item: {} }, officeTheme: { bodyBackgroundColor: bg }, displayLanguage: 'fr-FR' } }) as unknown as typeof Office;
    expect(readHostInfo(office('#1f1f1f'), { host: 'Outlook' as unknown as Office.HostType })).toEqual({ isOutlook: true, displayLanguage: 'fr-FR', darkTheme: true });
    expect(readHostInfo(office('#ffffff'), { host: null })).toMatchObject({ isOutlook: false, darkTheme: false });
    expect(readHostInfo(undefined, undefined)).toEqual({ isOutlook: false, darkTheme: false });
  });
});
