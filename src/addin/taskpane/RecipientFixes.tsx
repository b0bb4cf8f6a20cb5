// Runtime: browser (task pane). The one-click fixes of ONE recipient: replace a gateway address by the decoded MSSanté
// address, replace an ordinary address by the directory's suggestion (with its evidence and confidence), remove it.
// Buttons are real <button>s (keyboard: Tab then Enter/Space), each with a label that names both addresses.
import { Button, Caption1, makeStyles, Spinner, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { RecipientField } from '../../core';
import type { RecipientRow } from './check-message';
import type { DirectoryClient, Suggestion } from './connector-client';
import { SECURE_KINDS } from './fixes';
import type { Messages } from './i18n';

const useStyles = makeStyles({
  fixes: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, marginTop: tokens.spacingVerticalXS },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  suggestion: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    padding: tokens.spacingVerticalXS,
    borderLeft: `${tokens.strokeWidthThick} solid ${tokens.colorBrandStroke1}`,
    paddingLeft: tokens.spacingHorizontalS,
  },
  evidence: { margin: 0, paddingLeft: tokens.spacingHorizontalL, color: tokens.colorNeutralForeground2 },
  muted: { color: tokens.colorNeutralForeground2 },
});

export interface RecipientFixesProps {
  readonly row: RecipientRow;
  readonly t: Messages;
  readonly directory: DirectoryClient;
  readonly busy: boolean;
  readonly onReplace: (field: RecipientField, from: string, to: string, displayName?: string) => void;
  readonly onRemove: (field: RecipientField, address: string) => void;
}

/** Suggestions under this confidence are not offered as a one-click replacement. */
export const MIN_SUGGESTION_CONFIDENCE = 0.3;

export function RecipientFixes({ row, t, directory, busy, onReplace, onRemove }: RecipientFixesProps) {
  const styles = useStyles();
  const c = row.classification;
  const address = row.info.emailAddress;
  const needsSuggestion = !!c && !SECURE_KINDS.includes(c.kind) && c.kind !== 'gateway' && c.kind !== 'invalid';
  const [suggestions, setSuggestions] = useState<Suggestion[] | undefined>(undefined);

  useEffect(() => {
    if (!needsSuggestion) return;
    let live = true;
    directory.suggest(address, row.info.displayName).then(
      (list) => live && setSuggestions(list.filter((s) => s.confidence >= MIN_SUGGESTION_CONFIDENCE)),
      () => live && setSuggestions([]),
    );
    return () => {
      live = false;
    };
  }, [needsSuggestion, directory, address, row.info.displayName]);

  if (!c || SECURE_KINDS.includes(c.kind)) return null;
  const name = row.info.displayName && row.info.displayName !== address ? row.info.displayName : undefined;
  /** The one-click "replace by <MSSanté address>" button (gateway decoding or directory suggestion). */
  const replaceButton = (replacement: string, displayName: string | undefined) => (
    <Button
      size="small"
      appearance="primary"
      disabled={busy}
      aria-label={t.replaceAria(address, replacement)}
      data-testid="fix-replace"
      data-replacement={replacement}
      onClick={() => onReplace(row.field, address, replacement, displayName)}
    >
      {t.replaceWith(replacement)}
    </Button>
  );

  return (
    <div className={styles.fixes} data-testid="recipient-fixes">
      {c.kind === 'gateway' && c.decodedAddress && (
        <div className={styles.actions}>
          {replaceButton(c.decodedAddress, name)}
        </div>
      )}
      {needsSuggestion && suggestions === undefined && <Spinner size="extra-tiny" label={t.suggestionsTitle} labelPosition="after" />}
      {needsSuggestion && suggestions !== undefined && suggestions.length === 0 && (
        <Caption1 className={styles.muted} data-testid="no-suggestion">
          {t.noSuggestion}
        </Caption1>
      )}
      {suggestions?.map((s) => {
        const who = [s.record?.name, s.record?.profession, s.record?.structure].filter(Boolean).join(' · ');
        return (
          <div key={s.address} className={styles.suggestion} data-testid="suggestion" data-address={s.address}>
            <Caption1>
              {t.suggestionsTitle} : <strong>{s.address}</strong> ({t.confidence(Math.round(s.confidence * 100))}){who ? ` — ${who}` : ''}
            </Caption1>
            {s.evidence.length > 0 && (
              <ul className={styles.evidence} data-testid="evidence">
                {s.evidence.map((e) => (
                  <li key={e.code}>
                    <Caption1>{e.message}</Caption1>
                  </li>
                ))}
              </ul>
            )}
            <div className={styles.actions}>{replaceButton(s.address, s.record?.name ?? name)}</div>
          </div>
        );
      })}
      <div className={styles.actions}>
        <Button size="small" disabled={busy} aria-label={t.removeAria(address)} data-testid="fix-remove" onClick={() => onRemove(row.field, address)}>
          {t.remove}
        </Button>
      </div>
    </div>
  );
}
