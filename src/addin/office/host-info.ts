// Runtime: browser (task pane). What the task pane needs to know about its host, read once from the Office global:
// is it Outlook, which display language, light or dark theme.
export interface HostInfo {
  /** True when Office.onReady reported Outlook and a mail item is open. */
  readonly isOutlook: boolean;
  /** Office UI language (`fr-FR`, `en-US`...), when known. */
  readonly displayLanguage?: string;
  /** True when the Office theme has a dark body background (Office.context.officeTheme, Mailbox 1.1 on desktop). */
  readonly darkTheme: boolean;
}

/** Relative luminance of a `#rrggbb` colour (WCAG 2.1 definition), or undefined when it cannot be read. */
export function luminance(hex: string | undefined): number | undefined {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec((hex ?? '').trim());
  if (!m) return undefined;
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => {
    const c = parseInt(h, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Reads the host information after Office.onReady resolved with `info`. Never throws. */
export function readHostInfo(office: typeof Office | undefined, info: { host?: Office.HostType | null } | undefined): HostInfo {
  try {
    if (!office) return { isOutlook: false, darkTheme: false };
    const isOutlook = !!info && info.host === office.HostType.Outlook && !!office.context?.mailbox?.item;
    const lum = luminance(office.context?.officeTheme?.bodyBackgroundColor);
    return {
      isOutlook,
      displayLanguage: office.context?.displayLanguage || undefined,
      darkTheme: lum !== undefined && lum < 0.2,
    };
  } catch {
    return { isOutlook: false, darkTheme: false };
  }
}
