// Runtime: browser (harness page /harness/auth-dialog.html, opened by the task pane through the fake
// Office.context.ui.displayDialogAsync). The sign-in page of the Office-dialog fallback, for the harness: an OpenID
// Connect authorization-code flow with PKCE (RFC 7636, S256) against the identity provider named by the connector's
// public sign-in settings (GET /api/auth/config: in the e2e test, a local test provider served by the test itself),
// then the access token goes back to the pane with Office.context.ui.messageParent. In production the same role is
// played by standard MSAL (createStandardPublicClientApplication) in the dialog, against Entra.
import type { DialogAuthMessage } from '../addin/office/auth-dialog';

interface Settings {
  readonly clientId: string;
  readonly authority: string;
  readonly scopes: readonly string[];
}

const KEY = 'mss-harness-auth';

function send(message: DialogAuthMessage) {
  Office.context.ui.messageParent(JSON.stringify(message));
}

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function discover(authority: string): Promise<{ authorization_endpoint: string; token_endpoint: string }> {
  const res = await fetch(`${authority.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`découverte OpenID : HTTP ${res.status}`);
  return (await res.json()) as { authorization_endpoint: string; token_endpoint: string };
}

async function start() {
  const settings = (await (await fetch('/api/auth/config', { headers: { accept: 'application/json' } })).json()) as Settings;
  const meta = await discover(settings.authority);
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const redirectUri = `${location.origin}${location.pathname}`;
  sessionStorage.setItem(KEY, JSON.stringify({ verifier, state, tokenEndpoint: meta.token_endpoint, clientId: settings.clientId, redirectUri }));
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: redirectUri,
    scope: ['openid', ...settings.scopes].join(' '),
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  location.assign(`${meta.authorization_endpoint}?${q.toString()}`);
}

async function finish(params: URLSearchParams) {
  const saved = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as
    | { verifier: string; state: string; tokenEndpoint: string; clientId: string; redirectUri: string }
    | null;
  sessionStorage.removeItem(KEY);
  if (!saved || params.get('state') !== saved.state) throw new Error('état de connexion inattendu');
  const res = await fetch(saved.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code') ?? '',
      redirect_uri: saved.redirectUri,
      client_id: saved.clientId,
      code_verifier: saved.verifier,
    }).toString(),
  });
  if (!res.ok) throw new Error(`jeton refusé : HTTP ${res.status}`);
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error('pas de jeton d’accès');
  send({ accessToken: body.access_token });
}

void Office.onReady().then(() => {
  const params = new URLSearchParams(location.search);
  const run = params.has('error')
    ? Promise.reject(new Error(params.get('error') ?? 'erreur'))
    : params.has('code')
      ? finish(params)
      : start();
  run.catch((err: unknown) => send({ error: err instanceof Error ? err.message : String(err) }));
});
