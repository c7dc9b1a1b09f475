// Types for moto.mjs (kept as plain JavaScript so that it runs under `node` without a TS loader).

export declare const ROOT: string;
export declare const MOTO_VERSION: string;
export declare const MOTO_REQUIREMENT: string;
export declare const VENV_DIR: string;

export interface MotoServer {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number | undefined;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process has exited. */
  stop(): Promise<void>;
}

/** Creates .cache/moto-venv and installs the pinned moto unless cached; returns the venv's python. */
export declare function ensureMoto(log?: (line: string) => void): Promise<string>;
export declare function freeLoopbackPort(): Promise<number>;
/** Starts moto on a free loopback port (or `port`), installing it first if needed. */
export declare function startMoto(options?: {
  port?: number;
  log?: (line: string) => void;
  /** Outlive this process (no --parent-pid); output goes to `logFile`, which is then required. */
  detached?: boolean;
  logFile?: string;
}): Promise<MotoServer>;
