// What a tool handler gets: the sandbox (opened on first use), the face engine (loaded on
// first need, reporting progress), the active application, a progress reporter and, in
// remote mode, a client for the hosted platform.
import { FacematchError } from '../errors.js';
import type { FaceEngine } from '../engine/index.js';
import type { Sandbox, AppContext } from '../services/index.js';
import { defaultDbPath } from '../paths.js';
import { log } from '../log.js';
import { RemoteClient, remoteFromEnv } from './remote.js';

export type ProgressFn = (progress: number, total?: number, message?: string) => Promise<void>;

export interface ToolContext {
  /** Where relative image paths are resolved. */
  readonly cwd: string;
  /** Aborted when the client cancels the call. */
  readonly signal: AbortSignal;
  /** Set when FACEMATCH_API_BASE + FACEMATCH_API_KEY are: account-free tools call it instead. */
  readonly remote: RemoteClient | null;
  /** The HTTP twin's base URL when this server runs inside `serve`, else null. */
  readonly httpBaseUrl: string | null;
  sandbox(): Sandbox;
  /** The face engine with its models loaded (progress notifications while loading). */
  engine(): Promise<FaceEngine>;
  /** The application tools act for: the most recently provisioned one. */
  app(): AppContext;
  /** Sends notifications/progress when the client asked for them; otherwise a no-op. */
  progress: ProgressFn;
  /** Whether the face models are in memory (no load is triggered). */
  modelsLoaded(): boolean;
}

export interface RuntimeOptions {
  /** An already-open sandbox (serve shares its own); otherwise one is opened lazily. */
  sandbox?: Sandbox;
  dbPath?: string;
  cwd?: string;
  httpBaseUrl?: string | null;
  /** Defaults to the environment (FACEMATCH_API_BASE + FACEMATCH_API_KEY). */
  remote?: RemoteClient | null;
}

// The engine (sharp, onnxruntime) and the services (SQLite) take a few hundred ms to import:
// they load after `initialize` has been answered, on the first call that needs them.
interface HeavyModules {
  FaceEngine: typeof import('../engine/index.js').FaceEngine;
  openSandbox: typeof import('../services/index.js').openSandbox;
}
let heavy: Promise<HeavyModules> | undefined;
function loadHeavy(): Promise<HeavyModules> {
  heavy ??= Promise.all([import('../engine/index.js'), import('../services/index.js')]).then(([e, s]) => ({ FaceEngine: e.FaceEngine, openSandbox: s.openSandbox }));
  return heavy;
}

/** Process-wide state shared by every MCP session of one server. */
export class McpRuntime {
  readonly cwd: string;
  readonly remote: RemoteClient | null;
  readonly dbPath: string;
  httpBaseUrl: string | null;
  private sandboxInstance: Sandbox | undefined;
  private readonly ownsSandbox: boolean;
  private engineLoad: Promise<FaceEngine> | undefined;
  private readonly loadListeners = new Set<ProgressFn>();
  modelsLoaded = false;

  constructor(opts: RuntimeOptions = {}) {
    this.cwd = opts.cwd ?? process.cwd();
    this.remote = opts.remote === undefined ? remoteFromEnv() : opts.remote;
    this.sandboxInstance = opts.sandbox;
    this.ownsSandbox = !opts.sandbox;
    this.dbPath = opts.sandbox?.dbPath ?? opts.dbPath ?? defaultDbPath();
    this.httpBaseUrl = opts.httpBaseUrl ?? null;
  }

  private modules: HeavyModules | undefined;

  get sandboxOpened(): boolean {
    return this.sandboxInstance !== undefined;
  }

  /** Imports the engine and services modules; awaited before any tool or resource runs. */
  async ready(): Promise<void> {
    this.modules ??= await loadHeavy();
  }

  private heavyModules(): HeavyModules {
    if (!this.modules) throw new Error('McpRuntime.ready() was not awaited before use');
    return this.modules;
  }

  sandbox(): Sandbox {
    if (!this.sandboxInstance) {
      const { openSandbox, FaceEngine } = this.heavyModules();
      log(`opening sandbox ${this.dbPath}`);
      try {
        this.sandboxInstance = openSandbox({ dbPath: this.dbPath, engine: FaceEngine.shared() });
      } catch (err) {
        if (err instanceof FacematchError) throw err;
        const why = err instanceof Error ? err.message : String(err);
        throw new FacematchError('VALIDATION', `Cannot open the sandbox database at ${this.dbPath} (${why}); set FACEMATCH_DB or --db to a writable file path.`, { cause: err });
      }
    }
    return this.sandboxInstance;
  }

  /** Loads the models once; concurrent callers each get progress while they wait. */
  async engine(onProgress?: ProgressFn): Promise<FaceEngine> {
    if (onProgress) this.loadListeners.add(onProgress);
    try {
      if (!this.engineLoad) {
        const started = Date.now();
        // Assigned synchronously so concurrent first callers share one load.
        this.engineLoad = this.ready().then(async () => {
          const engine = this.heavyModules().FaceEngine.shared();
          await engine.load((done, total, message) => {
            for (const fn of this.loadListeners) void fn(done, total, message).catch(() => undefined);
          });
          log(`face models loaded in ${Date.now() - started} ms`);
          this.modelsLoaded = true;
          return engine;
        });
        // A failed load (missing models) may be fixed while the server runs: allow a retry.
        this.engineLoad.catch(() => {
          this.engineLoad = undefined;
        });
      }
      return await this.engineLoad;
    } finally {
      if (onProgress) this.loadListeners.delete(onProgress);
    }
  }

  app(): AppContext {
    const app = this.sandbox().accounts.defaultApplication();
    if (!app) {
      throw new FacematchError(
        'FORBIDDEN',
        'This sandbox has no account yet: call provision_account first (any email; it returns an API key and application id).',
      );
    }
    return app;
  }

  async close(): Promise<void> {
    if (this.sandboxInstance && this.ownsSandbox) await this.sandboxInstance.close();
    this.sandboxInstance = undefined;
  }
}

/** Builds a per-call context; progress values are made strictly increasing as MCP requires. */
export function createToolContext(
  runtime: McpRuntime,
  call: { signal: AbortSignal; sendProgress: ((progress: number, total?: number, message?: string) => Promise<void>) | null },
): ToolContext {
  let last = -Infinity;
  const progress: ProgressFn = async (value, total, message) => {
    if (!call.sendProgress) return;
    const next = value > last ? value : last + 1e-6;
    last = next;
    try {
      await call.sendProgress(next, total, message);
    } catch {
      // The client may have gone; progress is best-effort.
    }
  };
  return {
    cwd: runtime.cwd,
    signal: call.signal,
    remote: runtime.remote,
    httpBaseUrl: runtime.httpBaseUrl,
    sandbox: () => runtime.sandbox(),
    engine: () => runtime.engine(progress),
    app: () => runtime.app(),
    progress,
    modelsLoaded: () => runtime.modelsLoaded,
  };
}
