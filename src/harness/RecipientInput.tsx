// Runtime: browser (harness). One recipient line of the simulated compose form (À, Cc, Cci): chips for the resolved
// recipients, an input where typing an address (or "Nom <adresse>") and pressing Entrée, « ; » or « , » adds it.
import { Input, Tag, TagGroup, makeStyles, tokens, useId } from '@fluentui/react-components';
import { useState, type KeyboardEvent } from 'react';
import { ComposeRow } from './ComposeRow';
import { parseTypedRecipient, type FakeField, type FakeMailbox, type FakeRecipient } from './fake-mailbox';

const useStyles = makeStyles({
  line: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalXS },
  tags: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS, rowGap: tokens.spacingVerticalXS, maxWidth: '100%' },
  tag: { maxWidth: '100%' },
  input: { flexGrow: 1, minWidth: '240px' },
});

export interface RecipientInputProps {
  readonly mailbox: FakeMailbox;
  readonly field: FakeField;
  readonly label: string;
  readonly recipients: readonly FakeRecipient[];
}

/** Splits on « ; » and « , » outside double quotes. */
function splitTyped(text: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let current = '';
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === ';' || ch === ',')) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

export function RecipientInput({ mailbox, field, label, recipients }: RecipientInputProps) {
  const styles = useStyles();
  const id = useId(`input-${field}`);
  const [text, setText] = useState('');

  const commit = () => {
    const parts = splitTyped(text)
      .map((p) => parseTypedRecipient(p))
      .filter((p): p is { emailAddress: string; displayName: string } => !!p);
    if (parts.length > 0) mailbox.addRecipients(field, parts);
    setText('');
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const insideQuotes = (text.match(/"/g) ?? []).length % 2 === 1;
    if (e.key === 'Enter' || ((e.key === ';' || e.key === ',') && !insideQuotes)) {
      e.preventDefault();
      commit();
    } else if (e.key === 'Backspace' && text === '' && recipients.length > 0) {
      mailbox.removeRecipient(field, recipients.length - 1);
    }
  };

  return (
    <ComposeRow label={label} htmlFor={id} testId={`line-${field}`}>
      <div className={styles.line}>
        {recipients.length > 0 && (
          <TagGroup
            className={styles.tags}
            aria-label={`${label} : destinataires`}
            onDismiss={(_e, data) => mailbox.removeRecipient(field, Number(data.value))}
          >
            {recipients.map((r, i) => (
              <Tag
                key={`${r.emailAddress}-${i}`}
                className={styles.tag}
                value={String(i)}
                size="small"
                shape="rounded"
                appearance={r.recipientType === 'user' ? 'brand' : 'outline'}
                dismissible
                dismissIcon={{ 'aria-label': `Retirer ${r.emailAddress}` }}
                title={`${r.displayName} <${r.emailAddress}>`}
                data-testid="chip"
                data-field={field}
                data-address={r.emailAddress}
              >
                {r.displayName !== r.emailAddress ? `${r.displayName} <${r.emailAddress}>` : r.emailAddress}
              </Tag>
            ))}
          </TagGroup>
        )}
        <Input
          id={id}
          className={styles.input}
          appearance="underline"
          value={text}
          onChange={(_e, d) => setText(d.value)}
          onKeyDown={onKeyDown}
          onBlur={commit}
          placeholder="adresse ou Nom <adresse>, puis Entrée"
          aria-label={`${label} : ajouter un destinataire`}
          data-testid={`input-${field}`}
        />
      </div>
    </ComposeRow>
  );
}
