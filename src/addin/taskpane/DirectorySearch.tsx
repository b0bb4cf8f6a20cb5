// Runtime: browser (task pane). "Ajouter un destinataire depuis l'annuaire santé": a Fluent v9 Combobox over
// GET /api/directory/search. Keyboard: type (≥ 2 characters), ↓/↑ through the results, Entrée adds the result to the
// chosen field; the number of results is announced (aria-live).
import { Caption1, Combobox, Field, makeStyles, Option, Select, Subtitle2, tokens, useId } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import type { RecipientField } from '../../core';
import type { DirectoryClient } from './connector-client';
import type { Messages } from './i18n';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, marginTop: tokens.spacingVerticalM },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end' },
  grow: { flexGrow: 1, minWidth: 0 },
  combo: { width: '100%', minWidth: 0 },
  muted: { color: tokens.colorNeutralForeground2 },
  option: { display: 'flex', flexDirection: 'column' },
});

/** Wait this long after the last key before searching (ms). */
export const SEARCH_DEBOUNCE_MS = 250;

interface Result {
  readonly address: string;
  readonly name?: string;
  readonly detail: string;
}

export interface DirectorySearchProps {
  readonly t: Messages;
  readonly directory: DirectoryClient;
  readonly disabled: boolean;
  readonly onAdd: (field: RecipientField, address: string, displayName?: string) => void;
}

export function DirectorySearch({ t, directory, disabled, onAdd }: DirectorySearchProps) {
  const styles = useStyles();
  const headingId = useId('dir-search');
  const [query, setQuery] = useState('');
  const [field, setField] = useState<RecipientField>('to');
  const [results, setResults] = useState<Result[] | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  const seq = useRef(0);

  useEffect(() => {
    const q = query.trim();
    const id = ++seq.current;
    if (q.length < 2) {
      setResults(undefined);
      return;
    }
    const timer = setTimeout(() => {
      directory.search(q, 1, 10).then(
        (page) => {
          if (id !== seq.current) return;
          setFailed(false);
          setResults(
            page.results
              .filter((r) => typeof r.address === 'string')
              .map((r) => ({
                address: r.address,
                name: r.name,
                detail: [r.profession, r.structure, r.type].filter(Boolean).join(' · '),
              })),
          );
        },
        () => {
          if (id !== seq.current) return;
          setFailed(true);
          setResults([]);
        },
      );
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [query, directory]);

  const status =
    query.trim().length > 0 && query.trim().length < 2
      ? t.searchTooShort
      : failed
        ? t.searchFailed
        : results === undefined
          ? ''
          : results.length === 0
            ? t.searchNoResult
            : t.searchResults(results.length);

  return (
    <section className={styles.root} aria-labelledby={headingId} data-testid="directory-search">
      <Subtitle2 as="h2" id={headingId}>
        {t.searchTitle}
      </Subtitle2>
      <div className={styles.row}>
        <Field label={t.searchLabel} className={styles.grow}>
          <Combobox
            className={styles.combo}
            freeform
            disabled={disabled}
            placeholder={t.searchPlaceholder}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onOptionSelect={(_e, data) => {
              const picked = results?.find((r) => r.address === data.optionValue);
              if (!picked) return;
              onAdd(field, picked.address, picked.name);
              setQuery('');
              setResults(undefined);
            }}
            data-testid="directory-search-input"
          >
            {(results ?? []).map((r) => (
              <Option key={r.address} value={r.address} text={r.name ? `${r.name} <${r.address}>` : r.address} data-testid="directory-result">
                <span className={styles.option}>
                  <span>{r.name ? `${r.name} — ${r.address}` : r.address}</span>
                  {r.detail && <Caption1 className={styles.muted}>{r.detail}</Caption1>}
                </span>
              </Option>
            ))}
          </Combobox>
        </Field>
        <Field label={t.searchField}>
          <Select value={field} onChange={(_e, d) => setField(d.value as RecipientField)} disabled={disabled} data-testid="directory-search-field">
            <option value="to">{t.fieldTo}</option>
            <option value="cc">{t.fieldCc}</option>
            <option value="bcc">{t.fieldBcc}</option>
          </Select>
        </Field>
      </div>
      <Caption1 className={styles.muted} role="status" aria-live="polite" data-testid="directory-search-status">
        {status}
      </Caption1>
    </section>
  );
}
