// Types for java-deps.mjs (kept as plain JavaScript so that it runs under `node` without a TS loader).

export declare const ROOT: string;
export declare const CACHE_DIR: string;
export declare const MAVEN_REPO: string;
export declare const JAVA_SOURCE_DIR: string;
export declare const CLIENT_VERSIONS: readonly string[];
export declare const TOOLS_VERSIONS: readonly string[];
export declare const SERVER_VERSIONS: readonly string[];
export declare const DEFAULT_SERVER_VERSION: string;
export declare const ARTIFACT_SET_NAMES: readonly string[];

export type Log = (line: string) => void;

/** Fetches `client-<v>`, `tools-<v>` or `server-<v>` unless cached; returns its classpath. */
export declare function ensureArtifactSet(name: string, log: Log): string;
/** Compiles the Java scenarios for one client version unless cached; returns the run classpath. */
export declare function ensureScenarioClasses(clientVersion: string, log: Log): string;
/** `scenarios-<clientVersion>` or an artifact-set name → classpath (fetching/compiling when needed). */
export declare function ensureClasspath(name: string, log: Log): string;
export declare function cachedClasspath(name: string): string;
export declare function ensureAllJavaDeps(log?: Log): void;
