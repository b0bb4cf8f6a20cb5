// Runtime: browser (task pane). The message's recipients grouped To / Cc / Bcc, each with its kind, the reason, the
// directory identity when known and, for gateway addresses, the real MSSanté address decoded from the gateway one.
import { Caption1, makeStyles, Subtitle2, Text, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { RECIPIENT_FIELDS, type RecipientField } from '../../core';
import type { RecipientRow } from './check-message';
import type { Messages } from './i18n';
import type { CoreLabels } from './labels';
import { RecipientBadge } from './RecipientBadge';

const useStyles = makeStyles({
  section: { marginTop: tokens.spacingVerticalM },
  list: { listStyleType: 'none', margin: 0, padding: 0 },
  row: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    padding: `${tokens.spacingVerticalS} 0`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  heading: { display: 'block', marginBottom: tokens.spacingVerticalXXS },
  who: { minWidth: 0, display: 'flex', flexDirection: 'column' },
  address: { color: tokens.colorNeutralForeground2, overflowWrap: 'anywhere' },
  badge: { marginTop: tokens.spacingVerticalXXS },
  detail: { color: tokens.colorNeutralForeground2 },
  empty: { color: tokens.colorNeutralForeground3 },
});

export interface RecipientListProps {
  readonly rows: readonly RecipientRow[];
  readonly t: Messages;
  readonly labels: CoreLabels;
  /** Read mode: Bcc is not known, the section is not shown. */
  readonly readMode: boolean;
  /** The fixes offered under a recipient (compose mode). */
  readonly renderFixes?: (row: RecipientRow) => ReactNode;
}

function fieldName(field: RecipientField, t: Messages): string {
  const names: Record<RecipientField, string> = { to: t.fieldTo, cc: t.fieldCc, bcc: t.fieldBcc };
  return names[field];
}

function RecipientItem({ row, t, labels, fixes }: { row: RecipientRow; t: Messages; labels: CoreLabels; fixes?: ReactNode }) {
  const styles = useStyles();
  const c = row.classification;
  const name = row.info.displayName && row.info.displayName !== row.info.emailAddress ? row.info.displayName : undefined;
  const directory = c?.directory;
  return (
    <li
      className={styles.row}
      data-testid="recipient-row"
      data-field={row.field}
      data-kind={c?.kind ?? 'unknown'}
      data-address={row.info.emailAddress}
    >
      <div className={styles.who}>
        {name && <Text weight="semibold">{name}</Text>}
        <Text className={styles.address} size={name ? 200 : 300}>
          {row.info.emailAddress}
        </Text>
      </div>
      <div className={styles.badge}>
        <RecipientBadge classification={c} labels={labels} notCheckedText={t.notChecked} />
      </div>
      {c && <Caption1 className={styles.detail}>{labels.reason[c.reason]}</Caption1>}
      {c?.kind === 'gateway' && c.decodedAddress && (
        <Caption1 data-testid="decoded-address">
          {t.decodedAddress} <strong>{c.decodedAddress}</strong>
        </Caption1>
      )}
      {directory && (
        <Caption1 className={styles.detail} data-testid="directory-identity">
          {t.directoryIdentity}{' '}
          {[directory.displayName, directory.profession, directory.organisation].filter(Boolean).join(' · ')}
        </Caption1>
      )}
      {fixes}
    </li>
  );
}

export function RecipientList({ rows, t, labels, readMode, renderFixes }: RecipientListProps) {
  const styles = useStyles();
  const fields = readMode ? RECIPIENT_FIELDS.filter((f) => f !== 'bcc') : RECIPIENT_FIELDS;
  return (
    <>
      {fields.map((field) => {
        const inField = rows.filter((r) => r.field === field);
        const headingId = `recipients-${field}`;
        return (
          <section key={field} className={styles.section} aria-labelledby={headingId} data-testid={`field-${field}`}>
            <Subtitle2 as="h2" id={headingId} className={styles.heading}>
              {fieldName(field, t)} ({inField.length})
            </Subtitle2>
            {inField.length === 0 ? (
              <Caption1 as="p" className={styles.empty}>
                {t.emptyField}
              </Caption1>
            ) : (
              <ul className={styles.list} aria-label={t.fieldAria(fieldName(field, t), inField.length)}>
                {inField.map((row, i) => (
                  <RecipientItem key={`${row.info.emailAddress}-${i}`} row={row} t={t} labels={labels} fixes={renderFixes?.(row)} />
                ))}
              </ul>
            )}
          </section>
        );
      })}
    </>
  );
}
