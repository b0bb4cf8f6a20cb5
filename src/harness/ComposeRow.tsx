// Runtime: browser (harness). One line of the simulated compose form: a fixed-width label and its content, like
// Outlook's To / Cc / Subject lines.
import { Label, makeStyles, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';

const useStyles = makeStyles({
  row: {
    display: 'grid',
    gridTemplateColumns: '110px 1fr',
    alignItems: 'start',
    columnGap: tokens.spacingHorizontalM,
    paddingBottom: tokens.spacingVerticalXS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  label: { paddingTop: '6px', color: tokens.colorNeutralForeground2 },
  content: { minWidth: 0 },
});

export function ComposeRow({ label, htmlFor, children, testId }: { label: string; htmlFor: string; children: ReactNode; testId?: string }) {
  const styles = useStyles();
  return (
    <div className={styles.row} data-testid={testId}>
      <Label htmlFor={htmlFor} className={styles.label}>
        {label}
      </Label>
      <div className={styles.content}>{children}</div>
    </div>
  );
}
