/**
 * vitest globalSetup: when the run includes test/compat, fetch the Apache RocketMQ jars (Maven Central,
 * into .cache/m2) and compile the Java scenarios before any test starts, so that no test spends its
 * timeout on a download. A run without compat tests skips it. Cached runs cost a few stamp reads.
 */
import path from "node:path";
import type { TestProject } from "vitest/node";
import { compatTarget } from "../support/cluster-env.js";
import {
  CLIENT_VERSIONS,
  ensureArtifactSet,
  ensureScenarioClasses,
  SERVER_VERSIONS,
  TOOLS_VERSIONS,
} from "./java-deps.mjs";

const COMPAT_DIR = `${path.sep}test${path.sep}compat${path.sep}`;

async function runIncludesCompat(project: TestProject): Promise<boolean> {
  // vitest keeps the command-line file filters here; without them every test file runs.
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern ?? [];
  const specs = await project.vitest.globTestSpecifications(filters);
  return specs.some((spec) => spec.moduleId.includes(COMPAT_DIR));
}

/**
 * A failure here is reported, not thrown: a throwing globalSetup would abort every test file of the run,
 * while the compat tests repeat the same step and fail on their own with the same message.
 */
export default async function setup(project: TestProject): Promise<void> {
  if (!(await runIncludesCompat(project))) return;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = Date.now();
  try {
    for (const v of CLIENT_VERSIONS) ensureScenarioClasses(v, log);
    for (const v of TOOLS_VERSIONS) ensureArtifactSet(`tools-${v}`, log);
    if (compatTarget() === "apache") for (const v of SERVER_VERSIONS) ensureArtifactSet(`server-${v}`, log);
    log(`compat setup: Java clients and tools ready (${Date.now() - started} ms)`);
  } catch (err) {
    log(`compat setup FAILED (the test/compat tests will fail): ${err instanceof Error ? err.message : err}`);
  }
}
