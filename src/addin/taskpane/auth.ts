// Runtime: browser (task pane). Signs the user in to the connector: MSAL nested app authentication first
// (createNestablePublicClientApplication, Outlook brokers the token; OUTLOOK.md §3.1), the Office dialog with standard
// MSAL as the fallback when the host has no NestedAppAuth 1.1 or NAA fails (§3.2). The token is for the connector's
// API (scope `api://<connector app id>/Mail.Send.MSSante` or similar, from the connector's configuration); the
// connector validates it (issuer, audience, signature from Entra's JWKS) — nothing here weakens that.
import type { IPublicClientApplication } from '@azure/msal-browser';

/** Where the pane gets its sign-in settings: `GET /api/auth/config` on the connector (public values only). */
export interface AuthSettings {
  /** Entra application (client) id of the add-in. */
  readonly clientId: string;
  /** e.g. `https://login.microsoftonline.com/<tenant id>`. */
  readonly authority: string;
  /** Scopes of the connector's API. At least one real scope (not only openid/profile). */
  readonly scopes: readonly string[];
  /** The sign-in page opened in the Office dialog (fallback), same origin as the pane; absent: no fallback. */
  readonly dialogUrl?: string;
}

/** `GET /api/auth/config` (src/connector/account-routes.ts): the settings, or the connector's French reason. */
export type AuthConfigAnswer = ({ readonly configured: true } & AuthSettings) | { readonly configured: false; readonly message: string };

/** Sending is not configured on the connector: its French message says why and whom to ask. */
export class SignInNotConfiguredError extends Error {
  override readonly name = 'SignInNotConfiguredError';
}

/** The settings from the connector's answer; throws SignInNotConfiguredError with the connector's message. */
export function authSettingsOf(answer: AuthConfigAnswer): AuthSettings {
  if (!answer.configured) throw new SignInNotConfiguredError(answer.message);
  const { clientId, authority, scopes, dialogUrl } = answer;
  return { clientId, authority, scopes, ...(dialogUrl ? { dialogUrl } : {}) };
}

export interface TokenProviderDeps {
  readonly settings: () => Promise<AuthSettings>;
  /** NestedAppAuth 1.1 supported by the host (office/auth-dialog.ts supportsNestedAppAuth). */
  readonly naaSupported: boolean;
  /** The Office dialog fallback (office/auth-dialog.ts signInWithOfficeDialog), given the page URL. */
  readonly dialog: (url: string) => Promise<string>;
  /** Injected in tests; default: @azure/msal-browser, loaded on first use (keeps it out of the first render). */
  readonly createNestable?: (settings: AuthSettings) => Promise<IPublicClientApplication>;
}

async function defaultCreateNestable(settings: AuthSettings): Promise<IPublicClientApplication> {
  const msal = await import('@azure/msal-browser');
  return msal.createNestablePublicClientApplication({
    auth: { clientId: settings.clientId, authority: settings.authority },
  });
}

/** `getToken(false)` when a token would need the user (popup or dialog): the pane offers a "Se connecter" button. */
export class SignInRequiredError extends Error {
  override readonly name = 'SignInRequiredError';
}

/**
 * `getToken(interactive)`. Interactive (a click of the user): silent NAA, then interactive NAA (popup brokered by
 * Outlook), then the Office dialog. Not interactive (the pane loading): silent NAA or the token in memory only, else
 * SignInRequiredError — a pane must not pop a sign-in window by itself. The dialog's token is kept in memory only
 * (never localStorage) until it expires.
 */
export type GetToken = (interactive?: boolean) => Promise<string>;

export function createTokenProvider(deps: TokenProviderDeps): GetToken {
  let pca: Promise<IPublicClientApplication> | undefined;
  let dialogToken: { token: string; expiresAt: number } | undefined;
  const createNestable = deps.createNestable ?? defaultCreateNestable;

  async function viaNaa(settings: AuthSettings, interactive: boolean): Promise<string> {
    pca ??= createNestable(settings);
    const app = await pca;
    const request = { scopes: [...settings.scopes] };
    try {
      return (await app.acquireTokenSilent(request)).accessToken;
    } catch (err) {
      if (!interactive) throw err;
      // InteractionRequiredAuthError (consent, expiry) and first use without an account: ask Outlook interactively
      return (await app.acquireTokenPopup(request)).accessToken;
    }
  }

  return async function getToken(interactive = true): Promise<string> {
    const settings = await deps.settings();
    if (deps.naaSupported) {
      try {
        return await viaNaa(settings, interactive);
      } catch {
        // e.g. popup_window_error: fall back to the Office dialog (OUTLOOK.md §3.1, fallbackauthdialog.ts)
      }
    }
    if (dialogToken && dialogToken.expiresAt > Date.now() + 60_000) return dialogToken.token;
    if (!interactive) throw new SignInRequiredError('connexion nécessaire');
    if (!settings.dialogUrl) throw new Error('connexion impossible : Outlook ne fournit pas le jeton et aucune page de connexion de repli n’est configurée (entra.dialogUrl)');
    const token = await deps.dialog(settings.dialogUrl);
    dialogToken = { token, expiresAt: jwtExpiry(token) ?? Date.now() + 5 * 60_000 };
    return token;
  };
}

/** `exp` of a JWT in ms, unverified (only to know when to ask again; the connector verifies). */
export function jwtExpiry(token: string): number | undefined {
  try {
    const payload = token.split('.')[1];
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof json.exp === 'number' ? json.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
