// Runtime: browser (task pane). The kind of one recipient as a Fluent Badge: colour and text both carry the meaning.
import { Badge, makeStyles } from '@fluentui/react-components';
import type { Classification } from '../../core';
import { badgeText, KIND_BADGE, type CoreLabels } from './labels';

const useStyles = makeStyles({
  // Long labels ("Patient (Mon Espace Santé)") stay on one line inside the pill.
  badge: { whiteSpace: 'nowrap', maxWidth: 'none', height: 'auto', minHeight: '20px' },
});

export interface RecipientBadgeProps {
  /** Undefined when the recipient could not be checked (connector unreachable). */
  readonly classification?: Classification;
  readonly labels: CoreLabels;
  /** Text shown when the recipient was not checked. */
  readonly notCheckedText: string;
}

export function RecipientBadge({ classification, labels, notCheckedText }: RecipientBadgeProps) {
  const styles = useStyles();
  if (!classification) {
    return (
      <Badge className={styles.badge} color="subtle" appearance="outline" shape="rounded" size="large" data-testid="recipient-badge">
        {notCheckedText}
      </Badge>
    );
  }
  const look = KIND_BADGE[classification.kind];
  return (
    <Badge className={styles.badge} color={look.color} appearance={look.appearance} shape="rounded" size="large" data-testid="recipient-badge">
      {badgeText(classification, labels)}
    </Badge>
  );
}
