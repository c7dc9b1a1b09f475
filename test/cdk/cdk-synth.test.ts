/**
 * `cdk synth` as a user runs it on a fresh machine: the real CLI, in cdk/, with no AWS credentials, no AWS config
 * files and no network, and with aws-cdk-lib's built-in CloudFormation validation on (the assertion tests turn it
 * off for speed). It must succeed, ask for no context lookup and leave a clean validation report.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "stratus-synth-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(AWS_|CDK_)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, HOME: dir, CDK_DISABLE_CLI_TELEMETRY: "true", CI: "true" };
}

describe("cdk synth", () => {
  it("synthesizes both stacks offline without credentials or lookups, and the validator finds nothing", () => {
    // GIVEN no AWS credentials or config (HOME is an empty directory)
    const out = join(dir, "cdk.out");
    // WHEN the CLI synthesizes the app
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, "node_modules/aws-cdk/bin/cdk"),
        "synth",
        "--quiet",
        "--no-notices",
        "--no-version-reporting",
        "-o",
        out,
      ],
      { cwd: join(ROOT, "cdk"), env: cleanEnv(), encoding: "utf8", timeout: 280_000 },
    );
    // THEN it succeeds
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.artifacts)).toEqual(
      expect.arrayContaining(["Stratus-Storage", "Stratus-stratus"]),
    );
    expect(manifest.missing ?? []).toEqual([]);
    const cluster = JSON.parse(readFileSync(join(out, "Stratus-stratus.template.json"), "utf8"));
    expect(Object.keys(cluster.Resources).length).toBeGreaterThan(50);
    const report = JSON.parse(readFileSync(join(out, "validation-report.json"), "utf8"));
    const violations = (report.pluginReports as { violations?: unknown[] }[]).flatMap(
      (p) => p.violations ?? [],
    );
    expect(violations).toEqual([]);
  }, 300_000);
});
