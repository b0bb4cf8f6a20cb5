// Runtime: Node (jest). The administrator guides (docs/guide-administrateur.md, docs/admin-guide.md) against the
// code: every configuration setting, MSS_* variable, JSON key, `mss-outlook` command and option, `npm run` script
// and relative link they quote exists; both guides quote the same ones; the PowerShell of the Exchange Online backstop
// uses only cmdlet parameters verified in Microsoft's documentation (test/fixtures/powershell/exchange-cmdlet-syntax.txt,
// with its sources); its exception patterns cover every domain of the real liste blanche and nothing else we know of;
// its subject pattern matches the marker the guides tell staff to use.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { COMMANDS } from '../../src/cli/main';
import { CONFIG_REFERENCE } from '../../src/connector/config';

const ROOT = join(__dirname, '..', '..');
const GUIDES = ['docs/guide-administrateur.md', 'docs/admin-guide.md'] as const;
const text = (rel: string) => readFileSync(join(ROOT, rel), 'utf8');

const KEYS = new Set(CONFIG_REFERENCE.map((e) => e.key));
const SECTIONS = new Set(CONFIG_REFERENCE.map((e) => e.key.split('.')[0]).filter((s) => !s.startsWith('(')));
/** Variables the loader reads: the documented ones, plus secrets read directly by config.ts (e.g. passphrases). */
const ENV = new Set([
  ...CONFIG_REFERENCE.map((e) => e.env).filter((v): v is string => !!v),
  ...[...text('src/connector/config.ts').matchAll(/\bMSS_[A-Z0-9_]+\b/g)].map((m) => m[0]),
]);

/** Fenced blocks `lang` → bodies. */
function blocks(md: string, lang: string): string[] {
  return [...md.matchAll(new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```', 'gm'))].map((m) => m[1]);
}
/** Inline code spans (outside fenced blocks). */
function spans(md: string): string[] {
  const prose = md.replace(/^```[\s\S]*?^```/gm, '');
  return [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
}
/** Setting names quoted in code spans: `entra.audience`, `<entra.audience>/access_as_user`, `policy`… */
function settingsQuoted(md: string): string[] {
  const out: string[] = [];
  for (const s of spans(md)) {
    for (const m of s.matchAll(/\b([a-z][a-zA-Z0-9]*)((?:\.[a-zA-Z][a-zA-Z0-9]*)+)/g)) {
      if (SECTIONS.has(m[1]) && !/^https?:|@|\//.test(s.slice(0, m.index))) out.push(m[1] + m[2]);
    }
    if (SECTIONS.has(s)) out.push(s);
  }
  return [...new Set(out)].sort();
}
/** Dotted paths of a JSON object; arrays and policy-like maps stop at the deepest documented key. */
function jsonPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || KEYS.has(prefix)) return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => jsonPaths(v, prefix ? `${prefix}.${k}` : k));
}
/** `mss-outlook …` command lines from code blocks (backslash continuations joined) and code spans. */
function cliLines(md: string): string[] {
  const fromBlocks = blocks(md, 'sh').flatMap((b) => b.replace(/\\\n\s*/g, ' ').split('\n'));
  return [...fromBlocks, ...spans(md)].map((l) => l.trim()).filter((l) => /(^|\s)npx mss-outlook\s|^mss-outlook\s/.test(l));
}
/** PowerShell statements (backtick continuations joined), plus code spans that start with a cmdlet. */
function powershellStatements(md: string): string[] {
  const fromBlocks = blocks(md, 'powershell').flatMap((b) => b.replace(/`\n\s*/g, ' ').split('\n'));
  return [...fromBlocks, ...spans(md)].map((l) => l.trim()).filter((l) => /^(New|Set|Get|Remove|Enable|Disable|Connect|Disconnect)-[A-Z][A-Za-z]+(\s|$)/.test(l));
}
/** The `-Parameter` names of a statement, outside quoted strings. */
function parameters(statement: string): string[] {
  return [...statement.replace(/'[^']*'|"[^"]*"/g, '""').matchAll(/(?:^|\s)-([A-Za-z]+)\b/g)].map((m) => m[1]);
}
/** The verified syntax: cmdlet → parameter names (test/fixtures/powershell/exchange-cmdlet-syntax.txt). */
function verifiedSyntax(): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  let current: Set<string> | undefined;
  for (const line of text('test/fixtures/powershell/exchange-cmdlet-syntax.txt').split('\n')) {
    const head = /^## (\S+)$/.exec(line);
    if (head) map.set(head[1], (current = new Set()));
    else if (current && !line.startsWith('#')) for (const m of line.matchAll(/\[?-([A-Za-z]+)\]?/g)) current.add(m[1]);
  }
  return map;
}

describe.each(GUIDES)('%s', (guide) => {
  const md = text(guide);

  it('quotes only settings that exist (CONFIG_REFERENCE), and quotes the key ones', () => {
    const quoted = settingsQuoted(md);
    expect(quoted.length).toBeGreaterThan(20);
    // a key, a section (`policy`) or a group of keys (`server.tls`)
    expect(quoted.filter((k) => !KEYS.has(k) && !SECTIONS.has(k) && ![...KEYS].some((key) => key.startsWith(`${k}.`)))).toEqual([]);
    for (const k of ['server.publicUrl', 'server.tls.certFile', 'entra.tenantId', 'entra.audience', 'entra.addinClientId', 'outbound.productReference',
      'outbound.trustAnchorsPath', 'directory.url', 'directory.refreshTime', 'directory.mappingCsvPath', 'psc.redirectUri', 'admin.users', 'senders']) {
      expect(quoted).toContain(k);
    }
  });

  it('quotes only MSS_* variables the connector reads', () => {
    const vars = [...new Set([...md.matchAll(/\bMSS_[A-Z0-9_]+\b/g)].map((m) => m[0]))];
    expect(vars).toEqual(expect.arrayContaining(['MSS_PUBLIC_URL', 'MSS_TLS_CERT', 'MSS_TLS_KEY', 'MSS_CONFIG', 'MSS_PSC_CLIENT_SECRET']));
    expect(vars.filter((v) => !ENV.has(v))).toEqual([]);
  });

  it('its configuration example uses only documented keys, with valid JSON', () => {
    const json = blocks(md, 'json');
    expect(json).toHaveLength(1);
    const paths = jsonPaths(JSON.parse(json[0]));
    expect(paths.length).toBeGreaterThan(15);
    expect(paths.filter((p) => !KEYS.has(p))).toEqual([]);
  });

  it('quotes only mss-outlook commands and options that exist', () => {
    const lines = cliLines(md);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) {
      const [name, sub] = line.replace(/^.*?mss-outlook\s+/, '').split(/\s+/);
      const command = COMMANDS.find((c) => c.name === name);
      expect({ line, known: command !== undefined }).toEqual({ line, known: true });
      if (name === 'directory') expect(command!.usage + (command!.description ?? '')).toContain(sub);
      if (name === 'help') expect(COMMANDS.map((c) => c.name)).toContain(sub);
      const options = new Set(command!.options.map((o) => o.name));
      for (const m of line.matchAll(/\s--([a-z][a-z-]*)/g)) expect({ line, option: m[1], known: options.has(m[1]) }).toEqual({ line, option: m[1], known: true });
    }
    // options quoted alone in the manifest section (§8) are options of `mss-outlook manifest`
    const section = /^## 8\.[\s\S]*?(?=^## 9\.)/m.exec(md)?.[0] ?? '';
    const alone = spans(section).filter((x) => /^--[a-z]/.test(x));
    expect(alone.length).toBeGreaterThanOrEqual(3);
    const manifest = new Set(COMMANDS.find((c) => c.name === 'manifest')!.options.map((o) => o.name));
    for (const s of alone) expect({ s, known: manifest.has(s.slice(2).split(/[\s=]/)[0]) }).toEqual({ s, known: true });
  });

  it('quotes only npm scripts that exist', () => {
    const scripts = (JSON.parse(text('package.json')) as { scripts: Record<string, string> }).scripts;
    const used = [...new Set([...md.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1]))];
    expect(used).toEqual(expect.arrayContaining(['build', 'start:prod']));
    expect(used.filter((s) => !(s in scripts))).toEqual([]);
  });

  it('links only to files that exist (the admin page screenshot included)', () => {
    const links = [...md.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
    expect(links).toContain('images/admin-page.png');
    for (const l of links) expect({ l, exists: existsSync(resolve(dirname(join(ROOT, guide)), l)) }).toEqual({ l, exists: true });
  });

  it('the NAA redirect URI is the origin the manifest is rendered for', () => {
    const url = /mss-outlook manifest --url (https:\/\/[^\s\\]+)/.exec(md)?.[1];
    expect(url).toBeDefined();
    expect(md).toContain(`brk-multihub://${new URL(url!).host}`);
    expect(md).toContain('access_as_user');
    expect(md).toContain(`${new URL(url!).origin}/psc/callback`);
  });

  it('its PowerShell uses only verified cmdlet parameters', () => {
    const syntax = verifiedSyntax();
    expect(syntax.get('New-TransportRule')?.size).toBeGreaterThan(150);
    const statements = powershellStatements(md);
    expect(statements.some((s) => s.startsWith('New-TransportRule'))).toBe(true);
    for (const s of statements) {
      const cmdlet = s.split(/\s/)[0];
      expect({ cmdlet, verified: syntax.has(cmdlet) }).toEqual({ cmdlet, verified: true });
      for (const p of parameters(s)) expect({ cmdlet, p, verified: syntax.get(cmdlet)!.has(p) }).toEqual({ cmdlet, p, verified: true });
    }
    // parameters quoted alone in the prose (`-ModerateMessageByUser`, `-RejectMessageReasonText "…"`) are New-TransportRule's
    for (const s of spans(md).filter((x) => /^-[A-Z]/.test(x))) {
      for (const p of parameters(s)) expect({ p, verified: syntax.get('New-TransportRule')!.has(p) }).toEqual({ p, verified: true });
    }
  });

  it('the backstop exempts every liste blanche domain and holds ordinary domains; the subject pattern matches the marker', () => {
    const rule = powershellStatements(md).find((s) => s.startsWith('New-TransportRule'))!;
    const patternArg = /-ExceptIfRecipientAddressMatchesPatterns ((?:'[^']*'(?:,\s*)?)+)/.exec(rule)?.[1];
    expect(patternArg).toBeDefined();
    const patterns = [...patternArg!.matchAll(/'([^']*)'/g)].map((m) => new RegExp(m[1], 'i'));
    expect(patterns.length).toBeGreaterThanOrEqual(2);
    const exempt = (address: string) => patterns.some((p) => p.test(address));
    // the real liste blanche (ANS file of 2025-02-28, test/fixtures/listeblanche/)
    const domains = text('test/fixtures/listeblanche/derived_domains_2025-02-28.txt').split('\n').map((d) => d.trim()).filter(Boolean);
    expect(domains.length).toBe(4944);
    expect(domains.filter((d) => !exempt(`jean.dupont@${d}`))).toEqual([]);
    for (const a of ['jean.dupont@gmail.com', 'x@mssante.fr.evil.example', 'x@faux-mssante.fr', 'x@ehpad-tilleuls.fr', 'mssante.fr@gmail.com']) expect({ a, exempt: exempt(a) }).toEqual({ a, exempt: false });

    const subject = new RegExp(/-SubjectMatchesPatterns '([^']*)'/.exec(rule)![1], 'i');
    for (const s of ['[SANTÉ] Compte rendu de consultation', '[SANTE] Mme X', 'TR: [santé] bilan']) expect({ s, m: subject.test(s) }).toEqual({ s, m: true });
    for (const s of ['Santé au travail : réunion', 'Menu de la semaine']) expect({ s, m: subject.test(s) }).toEqual({ s, m: false });
    expect(md).toContain('[SANTÉ]');
    expect(rule).toContain('-SentToScope NotInOrganization');
    expect(rule).toContain('-Mode Audit');
  });
});

describe('both guides', () => {
  const [fr, en] = GUIDES.map(text);
  it('quote the same settings, variables and commands (the English one is a translation)', () => {
    expect(settingsQuoted(en)).toEqual(settingsQuoted(fr));
    const vars = (md: string) => [...new Set([...md.matchAll(/\bMSS_[A-Z0-9_]+\b/g)].map((m) => m[0]))].sort();
    expect(vars(en)).toEqual(vars(fr));
    const commands = (md: string) => [...new Set(cliLines(md).map((l) => l.replace(/^.*?mss-outlook\s+/, '').split(/\s+/).slice(0, 2).join(' ')))].sort();
    expect(commands(en)).toEqual(commands(fr));
    expect(powershellStatements(en).map(parameters)).toEqual(powershellStatements(fr).map(parameters));
  });
});
