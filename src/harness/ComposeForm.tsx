// Runtime: browser (harness). A faithful-enough Outlook compose form over the FakeMailbox: À / Cc / Cci with chips,
// Objet, pièces jointes (by file name), corps, and the notification bar the add-in can write to.
import { Button, Input, MessageBar, MessageBarBody, Tag, TagGroup, Textarea, makeStyles, tokens, useId } from '@fluentui/react-components';
import { useState } from 'react';
import { ComposeRow } from './ComposeRow';
import type { FakeMailbox, FakeMailboxState } from './fake-mailbox';
import { RecipientInput } from './RecipientInput';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  attachments: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS },
  tags: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS },
  wide: { width: '100%' },
  body: { minHeight: '220px', width: '100%' },
});

const NOTIFICATION_INTENT: Record<string, 'info' | 'error' | 'warning'> = {
  informationalMessage: 'info',
  insightMessage: 'info',
  progressIndicator: 'info',
  errorMessage: 'error',
};

export interface ComposeFormProps {
  readonly mailbox: FakeMailbox;
  readonly state: FakeMailboxState;
}

export function ComposeForm({ mailbox, state }: ComposeFormProps) {
  const styles = useStyles();
  const subjectId = useId('subject');
  const attachmentId = useId('attachment');
  const bodyId = useId('body');
  const [fileName, setFileName] = useState('');
  const attach = () => {
    const name = fileName.trim();
    if (name) mailbox.addAttachment(name);
    setFileName('');
  };

  return (
    <form className={styles.form} aria-label="Message en cours (simulation Outlook)" onSubmit={(e) => e.preventDefault()}>
      {state.notificationMessages.map((n) => (
        <MessageBar key={n.key} intent={NOTIFICATION_INTENT[n.type] ?? 'info'} data-testid="notification">
          <MessageBarBody>{n.message}</MessageBarBody>
        </MessageBar>
      ))}
      <RecipientInput mailbox={mailbox} field="to" label="À" recipients={state.to} />
      <RecipientInput mailbox={mailbox} field="cc" label="Cc" recipients={state.cc} />
      <RecipientInput mailbox={mailbox} field="bcc" label="Cci" recipients={state.bcc} />
      <ComposeRow label="Objet" htmlFor={subjectId}>
        <Input
          id={subjectId}
          className={styles.wide}
          appearance="underline"
          value={state.subject}
          maxLength={255}
          onChange={(_e, d) => mailbox.setSubject(d.value)}
          data-testid="input-subject"
        />
      </ComposeRow>
      <ComposeRow label="Pièces jointes" htmlFor={attachmentId}>
        <div className={styles.attachments}>
          {state.attachments.length > 0 && (
            <TagGroup className={styles.tags} aria-label="Pièces jointes" onDismiss={(_e, d) => mailbox.removeAttachment(String(d.value))}>
              {state.attachments.map((a) => (
                <Tag
                  key={a.id}
                  value={a.id}
                  size="small"
                  shape="rounded"
                  dismissible
                  dismissIcon={{ 'aria-label': `Retirer la pièce jointe ${a.name}` }}
                  data-testid="attachment"
                >
                  {a.name}
                </Tag>
              ))}
            </TagGroup>
          )}
          <Input
            id={attachmentId}
            appearance="underline"
            value={fileName}
            placeholder="nom du fichier, ex. CRH_Durand.pdf"
            aria-label="Nom du fichier à joindre"
            onChange={(_e, d) => setFileName(d.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                attach();
              }
            }}
            data-testid="input-attachment"
          />
          <Button size="small" onClick={attach} data-testid="btn-attach">
            Joindre
          </Button>
        </div>
      </ComposeRow>
      <label htmlFor={bodyId} style={{ position: 'absolute', left: '-10000px' }}>
        Corps du message
      </label>
      <Textarea
        id={bodyId}
        className={styles.body}
        resize="vertical"
        value={state.body}
        placeholder="Corps du message"
        onChange={(_e, d) => mailbox.setBody(d.value)}
        data-testid="input-body"
      />
    </form>
  );
}
