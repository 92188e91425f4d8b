// What a tool handler gets: the platform (local sandbox or hosted, bound to the application
// this connection acts for), sandbox-only controls, the face engine (loaded on first need,
// reporting progress) and a progress reporter.
import { FacematchError } from '../errors.js';
import type { FaceEngine } from '../engine/index.js';
import type { Sandbox } from '../services/index.js';
import { defaultDbPath } from '../paths.js';
import { log } from '../log.js';
import { platformConfigFromEnv, type PlatformConfig } from '../platform/config.js';
import type { AppSelection } from '../platform/local.js';
import type { Platform, SandboxControls } from '../platform/types.js';

export type ProgressFn = (progress: number, total?: number, message?: string) => Promise<void>;

export interface ToolContext {
  /** Where relative image paths are resolved. */
  readonly cwd: string;
  /** Aborted when the client cancels the call. */
  readonly signal: AbortSignal;
  /** The HTTP twin's base URL when this server runs inside `serve`, else null. */
  readonly httpBaseUrl: string | null;
  /** The platform the tools act on; throws a sentence when hosted mode is half-configured. */
  readonly platform: Platform;
  /** What only the local sandbox can do; the registry never runs a sandboxOnly tool in hosted mode. */
  readonly sandbox: SandboxControls;
  /** The face engine with its models loaded (progress notifications while loading). */
  engine(): Promise<FaceEngine>;
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
  /** Defaults to the environment (FACEMATCH_API_BASE + FACEMATCH_API_KEY, FACEMATCH_APP); local when `sandbox` is given. */
  platform?: PlatformConfig;
}

// The engine (sharp, onnxruntime) and the services (SQLite) take a few hundred ms to import:
// they load after `initialize` has been answered, on the first call that needs them.
interface HeavyModules {
  FaceEngine: typeof import('../engine/index.js').FaceEngine;
  openSandbox: typeof import('../services/index.js').openSandbox;
  LocalPlatform: typeof import('../platform/local.js').LocalPlatform;
}
let heavy: Promise<HeavyModules> | undefined;
function loadHeavy(): Promise<HeavyModules> {
  heavy ??= Promise.all([import('../engine/index.js'), import('../services/index.js'), import('../platform/local.js')]).then(([e, s, l]) => ({
    FaceEngine: e.FaceEngine,
    openSandbox: s.openSandbox,
    LocalPlatform: l.LocalPlatform,
  }));
  return heavy;
}

/** Process-wide state shared by every MCP session of one server. */
export class McpRuntime {
  readonly cwd: string;
  readonly config: PlatformConfig;
  readonly dbPath: string;
  httpBaseUrl: string | null;
  private sandboxInstance: Sandbox | undefined;
  private readonly ownsSandbox: boolean;
  private engineLoad: Promise<FaceEngine> | undefined;
  private readonly loadListeners = new Set<ProgressFn>();
  modelsLoaded = false;

  constructor(opts: RuntimeOptions = {}) {
    this.cwd = opts.cwd ?? process.cwd();
    // A runtime handed a sandbox runs inside `serve`, the twin itself: its tools act on that
    // sandbox even when the user's shell exports FACEMATCH_API_BASE for their own app.
    this.config = opts.platform ?? (opts.sandbox ? { mode: 'local', application: process.env.FACEMATCH_APP?.trim() || null } : platformConfigFromEnv());
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
        this.sandboxInstance = openSandbox({ dbPath: this.dbPath, engine: FaceEngine.shared(), backgroundCheckpoints: true });
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

  /** The platform kind tools see; "misconfigured" when hosted mode is half-set. */
  get mode(): 'local' | 'hosted' | 'misconfigured' {
    return this.config.mode;
  }

  /** A fresh per-connection application choice (FACEMATCH_APP, else the latest provisioned). */
  newSelection(): AppSelection {
    return { chosen: this.config.mode === 'local' ? this.config.application : null, chosenBy: 'FACEMATCH_APP' };
  }

  /** The platform for one call; `engine` carries that call's progress reporting. */
  platform(selection: AppSelection, engine: () => Promise<FaceEngine> = () => this.engine()): Platform {
    if (this.config.mode === 'misconfigured') throw new FacematchError('VALIDATION', this.config.problem);
    if (this.config.mode === 'hosted') return this.config.hosted;
    const { LocalPlatform } = this.heavyModules();
    return new LocalPlatform({ sandbox: this.sandbox(), selection, engine, httpBaseUrl: this.httpBaseUrl });
  }

  /** The sandbox-only side of a platform; the registry never runs a sandboxOnly tool when hosted, this is the backstop. */
  sandboxControls(platform: Platform): SandboxControls {
    const { LocalPlatform } = this.heavyModules();
    if (platform instanceof LocalPlatform) return platform;
    throw new FacematchError('VALIDATION', `This works only on the local sandbox, not on the ${platform.label}.`);
  }

  async close(): Promise<void> {
    if (this.sandboxInstance && this.ownsSandbox) await this.sandboxInstance.close();
    this.sandboxInstance = undefined;
  }
}

/** Builds a per-call context; progress values are made strictly increasing as MCP requires. */
export function createToolContext(
  runtime: McpRuntime,
  selection: AppSelection,
  call: { signal: AbortSignal; sendProgress: ((progress: number, total?: number, message?: string) => Promise<void>) | null },
): ToolContext & { usedPlatform(): Platform | null } {
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
  const engine = () => runtime.engine(progress);
  // Built on first use: tools that never touch the platform (signature tools) work in any mode.
  let platform: Platform | null = null;
  const get = () => (platform ??= runtime.platform(selection, engine));
  return {
    cwd: runtime.cwd,
    signal: call.signal,
    httpBaseUrl: runtime.httpBaseUrl,
    get platform() {
      return get();
    },
    get sandbox() {
      return runtime.sandboxControls(get());
    },
    engine,
    progress,
    modelsLoaded: () => runtime.modelsLoaded,
    usedPlatform: () => platform,
  };
}
