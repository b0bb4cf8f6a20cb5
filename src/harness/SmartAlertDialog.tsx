// Runtime: browser (harness). The Smart Alerts dialog as Outlook on the web shows it, from the options the real
// handler passed to event.completed.
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { parseAlertMarkdown, type AlertButton, type AlertView, type MarkdownSpan } from './smart-alert';

const useStyles = makeStyles({
  plain: { marginTop: tokens.spacingVerticalM, color: tokens.colorNeutralForeground2 },
  list: { margin: `${tokens.spacingVerticalXS} 0`, paddingLeft: tokens.spacingHorizontalXL },
  surface: { maxWidth: '620px' },
  actions: { flexWrap: 'wrap' },
  button: { whiteSpace: 'nowrap', minWidth: 'max-content' },
});

function Spans({ spans }: { spans: readonly MarkdownSpan[] }) {
  return (
    <>
      {spans.map((s, i) => {
        let node: JSX.Element = <>{s.text}</>;
        if (s.italic) node = <em>{node}</em>;
        if (s.bold) node = <strong>{node}</strong>;
        return <span key={i}>{node}</span>;
      })}
    </>
  );
}

export interface SmartAlertDialogProps {
  readonly view: Extract<AlertView, { kind: 'dialog' }> | undefined;
  readonly onChoose: (button: AlertButton) => void;
}

export function SmartAlertDialog({ view, onChoose }: SmartAlertDialogProps) {
  const styles = useStyles();
  return (
    <Dialog open={!!view} modalType="alert" onOpenChange={(_e, d) => !d.open && onChoose('dont-send')}>
      <DialogSurface className={styles.surface} data-testid="smart-alert" aria-describedby="smart-alert-message">
        <DialogBody>
          <DialogTitle>MSSanté pour Outlook</DialogTitle>
          <DialogContent>
            <div id="smart-alert-message" data-testid="smart-alert-message">
              {view?.markdown
                ? parseAlertMarkdown(view.markdown).map((b, i) =>
                    b.type === 'p' ? (
                      <p key={i}>
                        <Spans spans={b.spans} />
                      </p>
                    ) : (
                      <ul key={i} className={styles.list}>
                        {b.items.map((item, j) => (
                          <li key={j}>
                            <Spans spans={item} />
                          </li>
                        ))}
                      </ul>
                    ),
                  )
                : view?.text}
            </div>
            {view?.markdown && (
              <details className={styles.plain}>
                <summary>Texte affiché par les versions plus anciennes d’Outlook</summary>
                <p data-testid="smart-alert-plain">{view.text}</p>
              </details>
            )}
          </DialogContent>
          <DialogActions fluid className={styles.actions}>
            {view?.buttons.map((b) => (
              <Button
                key={b.id}
                className={styles.button}
                appearance={b.id === 'take-action' ? 'primary' : 'secondary'}
                onClick={() => onChoose(b.id)}
                data-testid={`alert-${b.id}`}
              >
                {b.label}
              </Button>
            ))}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
