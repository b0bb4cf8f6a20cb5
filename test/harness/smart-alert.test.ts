// Runtime: Node (jest). What the harness shows for a Smart Alerts completion, and the Markdown subset it renders.
import { alertView, parseAlertMarkdown, runSendHandler } from '../../src/harness/smart-alert';

const completed = (options: object) => ({ kind: 'completed' as const, options, completions: () => 1 });

describe('alertView (Outlook on the web buttons)', () => {
  it('allowEvent → sent, no dialog', () => {
    expect(alertView(completed({ allowEvent: true }))).toEqual({ kind: 'sent' });
  });

  it('warn (PromptUser + commandId) → Envoyer quand même / Corriger / Ne pas envoyer', () => {
    const v = alertView(completed({ allowEvent: false, errorMessage: 'M', cancelLabel: 'Corriger', commandId: 'c', sendModeOverride: 'promptUser' }));
    expect(v).toEqual({
      kind: 'dialog',
      markdown: undefined,
      text: 'M',
      buttons: [
        { id: 'send-anyway', label: 'Envoyer quand même' },
        { id: 'take-action', label: 'Corriger' },
        { id: 'dont-send', label: 'Ne pas envoyer' },
      ],
    });
  });

  it('block (no override) → Corriger / Ne pas envoyer; without commandId only Ne pas envoyer', () => {
    const v = alertView(completed({ allowEvent: false, errorMessage: 'M', cancelLabel: 'Corriger', commandId: 'c' }));
    expect(v.kind === 'dialog' && v.buttons.map((b) => b.id)).toEqual(['take-action', 'dont-send']);
    const w = alertView(completed({ allowEvent: false, errorMessage: 'M', cancelLabel: 'Corriger' }));
    expect(w.kind === 'dialog' && w.buttons.map((b) => b.id)).toEqual(['dont-send']);
  });

  it.each(['no-handler', 'timeout'] as const)('%s → the add-in failed: SoftBlock lets the user send anyway', (kind) => {
    const v = alertView({ kind });
    expect(v.kind === 'dialog' && v.buttons.map((b) => b.id)).toEqual(['send-anyway', 'dont-send']);
  });
});

describe('runSendHandler', () => {
  const frame = (handler?: (e: any) => void) => () =>
    ({ __fakeOffice: { handlers: new Map(handler ? [['onMessageSendHandler', handler]] : []) } }) as unknown as Window;

  it('resolves at the first completion and counts later ones', async () => {
    const outcome = await runSendHandler(frame((e) => {
      e.completed({ allowEvent: true });
      e.completed({ allowEvent: false });
    }));
    expect(outcome.kind).toBe('completed');
    if (outcome.kind === 'completed') {
      expect(outcome.options).toEqual({ allowEvent: true });
      expect(outcome.completions()).toBe(2);
    }
  });

  it('waits for the event runtime to associate the handler', async () => {
    let win: Window | undefined;
    setTimeout(() => (win = frame((e) => e.completed({ allowEvent: true }))()), 120);
    await expect(runSendHandler(() => win, 2000)).resolves.toMatchObject({ kind: 'completed', options: { allowEvent: true } });
  });

  it('no handler, a throwing handler and a silent handler are reported', async () => {
    await expect(runSendHandler(frame(), 100)).resolves.toEqual({ kind: 'no-handler' });
    await expect(runSendHandler(frame(() => { throw new Error('boom'); }))).resolves.toEqual({ kind: 'threw', message: 'boom' });
    await expect(runSendHandler(frame(() => undefined), 20)).resolves.toEqual({ kind: 'timeout' });
  });
});

describe('parseAlertMarkdown', () => {
  it('paragraphs, \\r-terminated bullets, bold and escapes', () => {
    expect(parseAlertMarkdown('**Envoi bloqué**\n\n- Adresse \\*x\\* hors MSSanté\r- M2A\\-DAC\r\n\nChoisissez « Corriger ».')).toEqual([
      { type: 'p', spans: [{ text: 'Envoi bloqué', bold: true, italic: false }] },
      {
        type: 'ul',
        items: [[{ text: 'Adresse *x* hors MSSanté', bold: false, italic: false }], [{ text: 'M2A-DAC', bold: false, italic: false }]],
      },
      { type: 'p', spans: [{ text: 'Choisissez « Corriger ».', bold: false, italic: false }] },
    ]);
  });
});
