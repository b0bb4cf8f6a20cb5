// Runtime: Node (connector). The structure's (tenant's) configuration, live: a small holder that keeps the current
// validated configuration with what it points at (trust space, directory, the classifier built from them), re-reads
// the file on demand (SIGHUP, a debounced file watcher, POST /api/admin/config/reload), validates it COMPLETELY
// (loadConfig, then the liste blanche and the directory it names) and swaps atomically only when everything is
// valid. An invalid file keeps the previous configuration; every problem is reported with the setting's name and the
// fix (the French messages of start-up). Settings that only take effect at start-up (server.*, store.*, dataDir...)
// are reported as "redémarrage nécessaire" and the running values stay: never half-applied.
// Routes read `current()` per request; nothing here reads process.env (server.ts passes the environment in).

import { statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { createClassifier, type Classification, type DirectoryLookup, type TrustSpace } from '../core';
import { ConfigError, configSources, loadConfig, type Config, type LoadConfigOptions, type SettingSource } from './config';
import { DirectoryService } from './directory/service';
import { loadDirectory as defaultLoadDirectory, loadTrustSpace as defaultLoadTrustSpace, type LoadedDirectoryInfo, type LoadedTrustSpace } from './resources';

/** A directory as the app uses it: the classifier's look-up and its size (a DirectoryService in production). */
export interface TenantDirectory {
  readonly lookup: DirectoryLookup;
  readonly size: number;
}

/**
 * Top-level settings applied live by a reload (outbound.* and receipts.*: server.ts rebuilds the worker and the
 * receipt poller in its onChange listeners). Everything else (server.*, dataDir, store.*, entra.*, psc.*,
 * harness.*, addin.*, log.*, traces.*) is read once at start-up: a change is reported as "redémarrage nécessaire".
 */
export const RELOADABLE_SETTINGS = ['policy', 'gateways', 'internalDomains', 'senders', 'admin', 'directory', 'outbound', 'receipts', 'trustSpace'] as const;
export type ReloadableSetting = (typeof RELOADABLE_SETTINGS)[number];

/**
 * Top-level settings known to need a restart (the listener, the store, the token verifier, the PSC client...). Any
 * other top-level setting that is not in {@link RELOADABLE_SETTINGS} is treated the same way (restart needed).
 */
export const RESTART_ONLY_SETTINGS = ['server', 'dataDir', 'store', 'entra', 'psc', 'harness', 'addin', 'log', 'traces'] as const;

/** True when a dotted key (or top-level setting) is applied by a reload. */
export function isReloadable(key: string): boolean {
  return (RELOADABLE_SETTINGS as readonly string[]).includes(key.split('.')[0]);
}

/** Top-level settings of either configuration that a reload does not apply. */
function restartOnlyRoots(a: Config, b: Config): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => k !== 'origin' && !isReloadable(k));
}

/** What the routes read: one consistent snapshot, swapped as a whole. */
export interface TenantState {
  /** The effective configuration: reloadable settings from the last valid file, restart-only ones as started. */
  readonly config: Config;
  readonly trustSpace: TrustSpace;
  readonly directory: TenantDirectory;
  /** The core classifier built from this trust space, these gateways and internal domains, and this directory. */
  readonly classify: (address: string) => Classification;
  /** Where each documented setting came from (admin page). */
  readonly sources: Readonly<Record<string, SettingSource>>;
  /** 1 at start-up, +1 at each applied reload. */
  readonly version: number;
  /** ISO 8601 time this state was applied. */
  readonly appliedAt: string;
}

/** What started a reload (French labels on the admin page). */
export const RELOAD_TRIGGERS = { sighup: 'signal SIGHUP', file: 'modification du fichier', api: 'page d\'administration (API)', manual: 'appel direct' } as const;
export type ReloadTrigger = keyof typeof RELOAD_TRIGGERS;

/** The outcome of one reload, kept for the admin page and GET /api/admin/status. */
export interface ReloadReport {
  /** ISO 8601 time of the reload. */
  readonly at: string;
  readonly trigger: ReloadTrigger;
  /** True when the file was valid and is now in service (possibly with restartRequired entries). */
  readonly applied: boolean;
  /** Reloadable settings whose value changed and is now in service (dotted keys, e.g. `policy`, `senders`). */
  readonly changed: readonly string[];
  /** Restart-only settings that changed in the file: NOT applied; one French sentence each. */
  readonly restartRequired: readonly string[];
  /** Why the file was refused (French, naming each setting and its fix). Empty when applied. */
  readonly errors: readonly string[];
  /** Applied, but something needs attention (mapping lines skipped, outbound worker not rebuilt...). */
  readonly warnings: readonly string[];
  /** Version in service after this reload. */
  readonly version: number;
}

/** Called after a swap, with the new and the previous state; may be async (awaited; errors become warnings). */
export type TenantListener = (next: TenantState, previous: TenantState) => void | Promise<void>;

/** Options of {@link createTenantConfig}. Defaults in brackets. */
export interface TenantConfigOptions {
  /** What is in service at start-up. */
  readonly initial: { readonly config: Config; readonly trustSpace: TrustSpace; readonly directory: TenantDirectory };
  /**
   * How to re-read the configuration (the same options as at start-up: file, environment, working directory).
   * Absent ⇒ `reload()` reports that this connector cannot reload (tests that build the app from a plain Config).
   */
  readonly load?: LoadConfigOptions;
  /** [resources.loadDirectory] Builds a directory service for a configuration. */
  readonly loadDirectory?: (config: Config) => Promise<LoadedDirectoryInfo>;
  /** [resources.loadTrustSpace] */
  readonly loadTrustSpace?: (config: Config) => LoadedTrustSpace;
  /** [() => new Date()] */
  readonly now?: () => Date;
  /** [none] Events with ids, counts and codes only (never a value of the file). */
  readonly log?: (event: string, fields: Record<string, string | number | boolean>) => void;
  /** [none] Called with every reload report, applied or not (server.ts prints {@link describeReload}). */
  readonly onReport?: (report: ReloadReport) => void;
}

/** The live holder. */
export interface TenantConfig {
  /** The state in service (read it per request; never cache it across requests). */
  current(): TenantState;
  /**
   * Re-reads and validates the configuration; swaps only when everything is valid. Reloads are serialised: a call
   * made while one runs waits for it, then reads the file again. Never throws.
   */
  reload(trigger?: ReloadTrigger): Promise<ReloadReport>;
  /** Registers a listener called after each applied reload; returns its removal. */
  onChange(listener: TenantListener): () => void;
  /** The last reload, or undefined when none happened since start-up. */
  lastReload(): ReloadReport | undefined;
  /**
   * The directory for routes registered once (directoryRoutes): an object that always forwards to the directory
   * of the current state, so a reload that brings a new directory service is seen by them.
   */
  liveDirectory(): TenantDirectory;
  /** Stops the directory services this holder started (not the initial one: its owner closes it). */
  close(): void;
}

/** Flattens a configuration object into dotted leaf keys (arrays are leaves), for comparison. */
function flatten(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    if (Object.keys(value as object).length === 0 && prefix) out.set(prefix, '{}');
  } else if (prefix) {
    out.set(prefix, JSON.stringify(value) ?? 'undefined');
  }
}

/** Dotted keys under `roots` whose value differs between `a` and `b` (present in one only counts). */
function changedKeys(a: Config, b: Config, roots: readonly string[]): string[] {
  const out: string[] = [];
  for (const root of roots) {
    const fa = new Map<string, string>();
    const fb = new Map<string, string>();
    flatten((a as unknown as Record<string, unknown>)[root], root, fa);
    flatten((b as unknown as Record<string, unknown>)[root], root, fb);
    for (const k of new Set([...fa.keys(), ...fb.keys()])) if (fa.get(k) !== fb.get(k)) out.push(k);
  }
  return out.sort();
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}

function fileStamp(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    const s = statSync(path);
    return `${s.size}:${Math.trunc(s.mtimeMs)}`;
  } catch {
    return 'absent';
  }
}

function classifierOf(config: Config, trustSpace: TrustSpace, directory: TenantDirectory): (address: string) => Classification {
  return createClassifier({ trustSpace, gateways: [...config.gateways], internalDomains: [...config.internalDomains], directory: directory.lookup });
}

/** Builds the holder around what server.ts (or a test) loaded at start-up. */
export function createTenantConfig(opts: TenantConfigOptions): TenantConfig {
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? (() => undefined);
  const loadDir = opts.loadDirectory ?? ((c: Config) => defaultLoadDirectory(c, { now }));
  const loadTrust = opts.loadTrustSpace ?? defaultLoadTrustSpace;
  const { config, trustSpace, directory } = opts.initial;

  let state: TenantState = {
    config,
    trustSpace,
    directory,
    classify: classifierOf(config, trustSpace, directory),
    sources: opts.load ? configSources(opts.load) : {},
    version: 1,
    appliedAt: now().toISOString(),
  };
  // what the files named by the configuration looked like when loaded (a reload re-reads them when they changed)
  let stamps = { listeBlanche: fileStamp(config.trustSpace.listeBlanchePath), mapping: fileStamp(config.directory.mappingCsvPath) };
  let last: ReloadReport | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const listeners = new Set<TenantListener>();
  const started = new Set<DirectoryService>();

  async function attempt(trigger: ReloadTrigger): Promise<ReloadReport> {
    const at = now().toISOString();
    const prev = state;
    const refuse = (errors: string[]): ReloadReport => ({ at, trigger, applied: false, changed: [], restartRequired: [], errors, warnings: [], version: prev.version });
    if (!opts.load) {
      return refuse(['Rechargement impossible : ce connecteur a été démarré sans source de configuration à relire (fichier MSS_CONFIG ou variables d\'environnement). Redémarrez-le pour changer sa configuration.']);
    }

    // 1. the file and the environment, validated completely (the start-up messages)
    let next: Config;
    try {
      next = loadConfig(opts.load);
    } catch (e) {
      if (e instanceof ConfigError) return refuse([...e.problems]);
      throw e;
    }

    // 2. restart-only settings: reported, the running values stay
    const restartRoots = restartOnlyRoots(prev.config, next);
    const restartKeys = changedKeys(prev.config, next, restartRoots);
    const restartRequired = restartKeys.map((k) => `${k} : modifié dans la configuration, redémarrage nécessaire (la valeur en service est conservée jusqu'au redémarrage du connecteur).`);
    const merged: Record<string, unknown> = { ...next };
    for (const k of restartRoots) {
      if (k in prev.config) merged[k] = (prev.config as unknown as Record<string, unknown>)[k];
      else delete merged[k];
    }
    const effective = deepFreeze(merged as unknown as Config);
    const changed = changedKeys(prev.config, effective, RELOADABLE_SETTINGS);
    const warnings: string[] = [];

    // 3. what the settings point at, loaded BEFORE the swap: a file that cannot be used refuses the whole reload
    const nextStamps = { listeBlanche: fileStamp(effective.trustSpace.listeBlanchePath), mapping: fileStamp(effective.directory.mappingCsvPath) };
    let nextTrust = prev.trustSpace;
    const trustChanged = changed.some((k) => k.startsWith('trustSpace.')) || nextStamps.listeBlanche !== stamps.listeBlanche;
    if (trustChanged) {
      try {
        nextTrust = loadTrust(effective).trustSpace;
      } catch (e) {
        if (e instanceof ConfigError) return refuse([...e.problems]);
        throw e;
      }
    }
    let nextDirectory = prev.directory;
    let newService: DirectoryService | undefined;
    const directoryChanged = changed.some((k) => k.startsWith('directory.')) || nextStamps.mapping !== stamps.mapping;
    if (directoryChanged) {
      let info: LoadedDirectoryInfo;
      try {
        info = await loadDir(effective);
      } catch (e) {
        if (e instanceof ConfigError) return refuse([...e.problems]);
        return refuse([`directory : chargement de l'annuaire impossible (${(e as Error).message}). Corrigez directory.* dans le fichier de configuration ; l'annuaire en service est conservé.`]);
      }
      if (info.source === 'empty') {
        info.directory.close();
        return refuse([...info.warnings, 'directory.url : le nouvel annuaire n\'a pas pu être téléchargé ; la configuration n\'est pas appliquée et l\'annuaire en service est conservé. Vérifiez l\'adresse et le réseau, puis rechargez de nouveau.']);
      }
      warnings.push(...info.warnings);
      newService = info.directory;
      nextDirectory = info.directory;
    } else if (prev.directory instanceof DirectoryService && effective.directory.extractionPath) {
      // same settings, but the extraction file itself was replaced: the service's own refresh (atomic, keeps the
      // index in service on failure)
      const meta = prev.directory.meta;
      const st = fileStamp(effective.directory.extractionPath);
      if (meta.sourceKind === 'file' && st !== undefined && st !== `${meta.sourceSize}:${meta.sourceMtimeMs}`) {
        const outcome = await prev.directory.refresh();
        if (!outcome.ok) warnings.push(`directory.extractionPath : le fichier a changé mais n'a pas pu être relu (${outcome.code} : ${outcome.message}) ; l'annuaire précédent reste en service.`);
      }
    }

    // 4. the swap: one assignment
    const version = prev.version + 1;
    state = {
      config: effective,
      trustSpace: nextTrust,
      directory: nextDirectory,
      classify: classifierOf(effective, nextTrust, nextDirectory),
      sources: configSources(opts.load),
      version,
      appliedAt: at,
    };
    stamps = nextStamps;
    if (newService) {
      newService.startSchedule();
      started.add(newService);
      // the previous service stops its daily refresh (close() is idempotent; its owner may call it again)
      if (prev.directory instanceof DirectoryService) {
        prev.directory.close();
        started.delete(prev.directory);
      }
    }
    for (const l of [...listeners]) {
      try {
        await l(state, prev);
      } catch (e) {
        warnings.push(`Configuration appliquée, mais une partie du connecteur n'a pas pu la prendre en compte : ${(e as Error).message}`);
      }
    }
    return { at, trigger, applied: true, changed, restartRequired, errors: [], warnings, version };
  }

  const holder: TenantConfig = {
    current: () => state,
    lastReload: () => last,
    reload(trigger = 'manual') {
      const run = queue.then(async () => {
        let report: ReloadReport;
        try {
          report = await attempt(trigger);
        } catch (e) {
          report = {
            at: now().toISOString(),
            trigger,
            applied: false,
            changed: [],
            restartRequired: [],
            errors: [`Erreur inattendue pendant le rechargement (${(e as Error).name}) : la configuration précédente reste en service.`],
            warnings: [],
            version: state.version,
          };
        }
        last = report;
        opts.onReport?.(report);
        log(report.applied ? 'config_reloaded' : 'config_reload_refused', {
          trigger,
          version: report.version,
          changed: report.changed.length,
          restartRequired: report.restartRequired.length,
          errors: report.errors.length,
          warnings: report.warnings.length,
        });
        return report;
      });
      queue = run.catch(() => undefined);
      return run;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    liveDirectory() {
      const initial = state.directory;
      // forwards every property read to the directory in service (methods bound to it), so that
      // `instanceof DirectoryService` and the whole public API keep working for routes registered once
      return new Proxy(initial as object, {
        get(_target, prop) {
          const cur = state.directory as unknown as Record<string | symbol, unknown>;
          const v = Reflect.get(cur, prop, cur);
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(cur) : v;
        },
      }) as TenantDirectory;
    },
    close() {
      for (const s of started) s.close();
      started.clear();
    },
  };
  return holder;
}

/** Options of {@link watchConfigFile}. */
export interface WatchOptions {
  /** [500] Quiet time after the last change before reloading (editors write in several steps). */
  readonly debounceMs?: number;
}

/**
 * Reloads when the configuration file changes. Watches its FOLDER (editors and `mv` replace the file, which a watch
 * on the file itself would lose) and reacts to events on its name only. Returns the stop function.
 */
export function watchConfigFile(holder: TenantConfig, file: string, opts: WatchOptions = {}): () => void {
  const debounceMs = opts.debounceMs ?? 500;
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, changedName) => {
      if (changedName !== null && changedName.toString() !== name) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        void holder.reload('file');
      }, debounceMs);
      timer.unref();
    });
    watcher.on('error', () => undefined);
  } catch {
    // no watcher on this file system: SIGHUP and the admin API still reload
    watcher = undefined;
  }
  return () => {
    if (timer) clearTimeout(timer);
    watcher?.close();
  };
}

/** One French line for the connector's output after a reload (server.ts prints it). */
export function describeReload(r: ReloadReport): string {
  const how = RELOAD_TRIGGERS[r.trigger];
  if (!r.applied) {
    return `Configuration NON rechargée (${how}) : la configuration précédente reste en service.\n${r.errors.map((e) => `  - ${e}`).join('\n')}`;
  }
  const parts = [`Configuration rechargée (${how}, version ${r.version}) : ${r.changed.length > 0 ? `appliqué : ${r.changed.join(', ')}` : 'aucun changement applicable'}.`];
  for (const line of r.restartRequired) parts.push(`  - ${line}`);
  for (const line of r.warnings) parts.push(`  - ${line}`);
  return parts.join('\n');
}
