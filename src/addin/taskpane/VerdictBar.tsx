// Runtime: browser (task pane). The verdict as a Fluent MessageBar, mapped in ONE place (STYLE.md rule 1):
// allow → success, warn → warning, block → error. Compact first (headline and one short line per reason, so the
// recipients stay in view in a narrow pane), the full explanations and the suggested fixes one click away.
import { MessageBar, MessageBarBody, MessageBarTitle, makeStyles, tokens } from '@fluentui/react-components';
import type { Verdict, VerdictAction } from '../../core';
import type { Messages } from './i18n';
import { fixText, reasonText, type CoreLabels } from './labels';

export const VERDICT_INTENT: Readonly<Record<VerdictAction, 'success' | 'warning' | 'error'>> = {
  allow: 'success',
  warn: 'warning',
  block: 'error',
};

const useStyles = makeStyles({
  list: { margin: `${tokens.spacingVerticalXS} 0 0 0`, paddingLeft: tokens.spacingHorizontalL },
  heading: { fontWeight: tokens.fontWeightSemibold, marginTop: tokens.spacingVerticalS, display: 'block' },
  body: { whiteSpace: 'normal' },
  details: { marginTop: tokens.spacingVerticalS },
  summary: { cursor: 'pointer', fontWeight: tokens.fontWeightSemibold },
});

export interface VerdictBarProps {
  readonly verdict: Verdict;
  readonly t: Messages;
  readonly labels: CoreLabels;
}

export function VerdictBar({ verdict, t, labels }: VerdictBarProps) {
  const styles = useStyles();
  return (
    <MessageBar intent={VERDICT_INTENT[verdict.action]} layout="multiline" data-testid="verdict" data-action={verdict.action}>
      <MessageBarBody className={styles.body}>
        <MessageBarTitle>{labels.verdict[verdict.action]}</MessageBarTitle>
        {verdict.action === 'allow' && <div>{t.verdictAllowDetail}</div>}
        {verdict.detection.healthData && <div>{t.healthDataFound}</div>}
        {verdict.reasons.length > 0 && (
          <ul className={styles.list} data-testid="verdict-reasons" aria-label={t.reasons}>
            {verdict.reasons.map((r) => (
              <li key={r.code} data-code={r.code}>
                {labels.verdictReason[r.code]}
              </li>
            ))}
          </ul>
        )}
        {(verdict.reasons.length > 0 || verdict.fixes.length > 0) && (
          <details className={styles.details} data-testid="verdict-details">
            <summary className={styles.summary}>{t.detailsAndFixes}</summary>
            <span className={styles.heading}>{t.reasons}</span>
            <ul className={styles.list}>
              {verdict.reasons.map((r) => (
                <li key={r.code}>{reasonText(r, labels)}</li>
              ))}
            </ul>
            {verdict.fixes.length > 0 && (
              <>
                <span className={styles.heading}>{t.fixes}</span>
                <ul className={styles.list} data-testid="verdict-fixes">
                  {verdict.fixes.map((f, i) => (
                    <li key={`${f.type}-${f.address ?? ''}-${i}`} data-type={f.type}>
                      {fixText(f, labels)}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </details>
        )}
      </MessageBarBody>
    </MessageBar>
  );
}
