// Fetches the Apache RocketMQ Java artifacts that the compatibility judges run, and compiles the Java
// scenario programs once per client version.
//
// Only Maven Central is used, through `mvn` with a project-local repository (.cache/m2). Every step
// leaves a stamp holding the hash of its inputs, so a cached run costs a few file reads and no JVM.
// Plain ESM JavaScript (typed by java-deps.d.mts) so that `node test/setup/java-deps.mjs` works on a
// fresh machine without a TypeScript loader; vitest's globalSetup and the shell helpers call the same code.
//
// Layout under .cache/compat/:
//   <set>/pom.xml         generated throwaway pom whose dependencies are the set's artifacts
//   <set>/classpath.txt   `mvn dependency:build-classpath` output (jars stay in .cache/m2)
//   <set>/stamp           hash of pom.xml; present only after a successful fetch
//   classes-<version>-<hash>/  compiled scenario programs for client <version> and one state of the sources

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const CACHE_DIR = path.join(ROOT, ".cache", "compat");
export const MAVEN_REPO = path.join(ROOT, ".cache", "m2");
export const JAVA_SOURCE_DIR = path.join(ROOT, "test", "compat", "java");

/** Client versions the scenarios run against (the 4.x line's last release and a 5.x remoting client). */
export const CLIENT_VERSIONS = ["4.9.8", "5.3.3"];
/** mqadmin versions. */
export const TOOLS_VERSIONS = ["4.9.8", "5.3.3"];
/**
 * Apache server versions used to validate the scenarios and as the benchmark baseline. 4.9.8 would match
 * the client, but Apache published only its client-side modules (client, tools, store, acl, srvutil) to
 * Maven Central: rocketmq-namesrv/rocketmq-broker 4.9.8 answer 404 there. 4.9.7 is the last 4.x server
 * that can be fetched; 5.3.3 is the 5.x server the protocol notes were written against.
 */
export const SERVER_VERSIONS = ["4.9.7", "5.3.3"];
/** The Apache server the `apache` target starts unless STRATUS_APACHE_VERSION names another. */
export const DEFAULT_SERVER_VERSION = "4.9.7";

const MAVEN_TIMEOUT_MS = 15 * 60_000;
const JAVAC_TIMEOUT_MS = 5 * 60_000;

/** @returns {Record<string, {version: string, artifacts: string[]}>} */
function artifactSets() {
  /** @type {Record<string, {version: string, artifacts: string[]}>} */
  const sets = {};
  for (const v of CLIENT_VERSIONS) sets[`client-${v}`] = { version: v, artifacts: ["rocketmq-client"] };
  for (const v of TOOLS_VERSIONS) sets[`tools-${v}`] = { version: v, artifacts: ["rocketmq-tools"] };
  for (const v of SERVER_VERSIONS) {
    sets[`server-${v}`] = { version: v, artifacts: ["rocketmq-namesrv", "rocketmq-broker"] };
  }
  return sets;
}

/** Every artifact-set name this module knows ("client-4.9.8", "tools-5.3.3", "server-4.9.8", ...). */
export const ARTIFACT_SET_NAMES = Object.keys(artifactSets());

function sha256(text) {
  return createHash("sha256").update(text).digest("hex");
}

function readIfExists(file) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function writeAtomically(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function pomFor(name, set) {
  const deps = set.artifacts
    .map(
      (a) =>
        `    <dependency><groupId>org.apache.rocketmq</groupId><artifactId>${a}</artifactId>` +
        `<version>${set.version}</version></dependency>`,
    )
    .join("\n");
  return [
    '<project xmlns="http://maven.apache.org/POM/4.0.0">',
    "  <modelVersion>4.0.0</modelVersion>",
    `  <groupId>stratus.compat</groupId><artifactId>${name}</artifactId><version>1</version>`,
    "  <packaging>pom</packaging>",
    "  <dependencies>",
    deps,
    "  </dependencies>",
    "</project>",
    "",
  ].join("\n");
}

function run(command, args, options) {
  const result = spawnSync(command, args, { encoding: "utf8", ...options });
  if (result.error) throw new Error(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) {
    const out = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n").slice(-40).join("\n");
    throw new Error(`${command} ${args.join(" ")} exited with ${result.status ?? result.signal}\n${out}`);
  }
  return result.stdout ?? "";
}

function jarsExist(classpath) {
  return classpath.split(path.delimiter).every((jar) => jar === "" || fs.existsSync(jar));
}

/**
 * Fetches one artifact set with Maven unless its stamp says it is already there.
 * @param {string} name
 * @param {(line: string) => void} log
 * @returns {string} the set's classpath (jar paths joined by the platform delimiter)
 */
export function ensureArtifactSet(name, log) {
  const set = artifactSets()[name];
  if (!set) throw new Error(`unknown artifact set '${name}'; known: ${ARTIFACT_SET_NAMES.join(", ")}`);
  const dir = path.join(CACHE_DIR, name);
  const pom = pomFor(name, set);
  const stampFile = path.join(dir, "stamp");
  const cpFile = path.join(dir, "classpath.txt");
  const cached = readIfExists(cpFile);
  if (readIfExists(stampFile) === sha256(pom) && cached !== undefined && jarsExist(cached.trim())) {
    return cached.trim();
  }
  log(`compat setup: fetching ${set.artifacts.join(" + ")} ${set.version} from Maven Central`);
  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(stampFile, { force: true });
  fs.writeFileSync(path.join(dir, "pom.xml"), pom);
  run(
    "mvn",
    [
      "-q",
      "-B",
      `-Dmaven.repo.local=${MAVEN_REPO}`,
      "-f",
      path.join(dir, "pom.xml"),
      "dependency:build-classpath",
      `-Dmdep.outputFile=${cpFile}`,
    ],
    { cwd: dir, timeout: MAVEN_TIMEOUT_MS },
  );
  const classpath = (readIfExists(cpFile) ?? "").trim();
  if (classpath === "" || !jarsExist(classpath))
    throw new Error(`maven produced no usable classpath for ${name}`);
  writeAtomically(stampFile, sha256(pom));
  return classpath;
}

function listJavaSources(dir) {
  if (!fs.existsSync(dir)) return [];
  /** @type {string[]} */
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listJavaSources(full));
    else if (entry.name.endsWith(".java")) out.push(full);
  }
  return out.sort();
}

/** Directories whose sources form the scenario program for one client version: shared + `v<major>`. */
function sourceDirsFor(clientVersion) {
  const major = clientVersion.split(".")[0];
  return [path.join(JAVA_SOURCE_DIR, "common"), path.join(JAVA_SOURCE_DIR, `v${major}`)];
}

/** Compiled class directories of a version older than this are pruned (a run may still use a newer one). */
const STALE_CLASSES_MS = 60 * 60_000;

function pruneStaleClasses(clientVersion, keep) {
  const prefix = `classes-${clientVersion}-`;
  for (const name of fs.existsSync(CACHE_DIR) ? fs.readdirSync(CACHE_DIR) : []) {
    const dir = path.join(CACHE_DIR, name);
    if (!name.startsWith(prefix) || dir === keep) continue;
    if (Date.now() - fs.statSync(dir).mtimeMs > STALE_CLASSES_MS)
      fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Compiles the scenario programs against one client version unless already compiled from the same
 * sources and classpath. Each source state gets its own directory (classes-<version>-<hash>), written
 * under a temporary name and renamed when complete, so a JVM running from an older build is never
 * pulled out from under (test files run in parallel and sources may change during a run).
 * @param {string} clientVersion
 * @param {(line: string) => void} log
 * @returns {string} the classpath to run the scenarios with (classes dir first)
 */
export function ensureScenarioClasses(clientVersion, log) {
  const libClasspath = ensureArtifactSet(`client-${clientVersion}`, log);
  const sources = sourceDirsFor(clientVersion).flatMap(listJavaSources);
  if (sources.length === 0) throw new Error(`no Java scenario sources under ${JAVA_SOURCE_DIR}`);
  const hash = sha256(
    [libClasspath, ...sources.map((file) => `${file}\n${fs.readFileSync(file, "utf8")}`)].join("\n"),
  );
  const out = path.join(CACHE_DIR, `classes-${clientVersion}-${hash.slice(0, 16)}`);
  const runClasspath = [out, libClasspath].join(path.delimiter);
  if (fs.existsSync(out)) return runClasspath;
  log(
    `compat setup: compiling ${sources.length} Java scenario sources against rocketmq-client ${clientVersion}`,
  );
  const tmp = `${out}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    run(
      "javac",
      [
        "-nowarn",
        "-Xlint:none",
        "--release",
        "11",
        "-encoding",
        "UTF-8",
        "-d",
        tmp,
        "-cp",
        libClasspath,
        ...sources,
      ],
      { timeout: JAVAC_TIMEOUT_MS },
    );
    if (!fs.existsSync(out)) fs.renameSync(tmp, out);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  pruneStaleClasses(clientVersion, out);
  return runClasspath;
}

/**
 * Reads the classpath of a set that was already fetched; throws with the setup command if it was not.
 * @param {string} name
 */
export function cachedClasspath(name) {
  const cp = readIfExists(path.join(CACHE_DIR, name, "classpath.txt"));
  if (cp === undefined) {
    throw new Error(`artifact set ${name} not fetched yet: run 'node test/setup/java-deps.mjs'`);
  }
  return cp.trim();
}

/**
 * Fetches every artifact set and compiles the scenarios for every client version.
 * @param {(line: string) => void} [log]
 */
export function ensureAllJavaDeps(log = (line) => process.stderr.write(`${line}\n`)) {
  for (const name of ARTIFACT_SET_NAMES) ensureArtifactSet(name, log);
  for (const v of CLIENT_VERSIONS) ensureScenarioClasses(v, log);
}

/**
 * The classpath for `scenarios-<clientVersion>` (compiled scenarios + client jars) or for an artifact set,
 * fetching/compiling first if needed.
 * @param {string} name
 * @param {(line: string) => void} log
 */
export function ensureClasspath(name, log) {
  if (name.startsWith("scenarios-")) return ensureScenarioClasses(name.slice("scenarios-".length), log);
  return ensureArtifactSet(name, log);
}

function cli(argv) {
  const log = (line) => process.stderr.write(`${line}\n`);
  if (argv[0] === "classpath" && argv[1]) {
    process.stdout.write(`${ensureClasspath(argv[1], log)}\n`);
    return;
  }
  if (argv.length > 0) {
    throw new Error(
      "usage: node test/setup/java-deps.mjs            (fetch + compile everything)\n" +
        "       node test/setup/java-deps.mjs classpath scenarios-<clientVersion>|<artifact set>",
    );
  }
  const started = Date.now();
  ensureAllJavaDeps(log);
  log(`compat setup: Java dependencies ready (${Date.now() - started} ms)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    cli(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
