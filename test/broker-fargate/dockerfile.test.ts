/**
 * There is no Docker engine on this machine, so the image is not built here. These checks hold the Dockerfile to
 * what the tests run: the build stage runs broker-fargate/bundle.ts (the script bundle.test.ts runs), the runtime
 * stage starts the file it produced, as a non-root user, and the build context carries every source the bundle has.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundleFargateEntry } from "../../broker-fargate/bundle.js";

const ROOT = join(import.meta.dirname, "../..");
const dockerfile = readFileSync(join(ROOT, "broker-fargate/Dockerfile"), "utf8");
const lines = dockerfile.split("\n").filter((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
const stages = lines.filter((l) => l.startsWith("FROM "));

/** Docker's .dockerignore semantics for the simple patterns the file uses ("*", "!dir/", "**\/*.ext"). */
function includedByIgnoreFile(path: string): boolean {
  const patterns = readFileSync(join(ROOT, "broker-fargate/Dockerfile.dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  let included = true;
  for (const p of patterns) {
    const negate = p.startsWith("!");
    const body = negate ? p.slice(1) : p;
    const matches =
      body === "*" ||
      path === body ||
      (body.endsWith("/") && path.startsWith(body)) ||
      (body.startsWith("**/*") && path.endsWith(body.slice(4)));
    if (matches) included = negate;
  }
  return included;
}

describe("broker-fargate/Dockerfile", () => {
  it("is multi-stage: a build stage and a distroless non-root runtime", () => {
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/^FROM node:22\S* AS build$/);
    expect(stages[1]).toMatch(/^FROM gcr\.io\/distroless\/nodejs22-debian12:nonroot$/);
    const runtime = lines.slice(lines.indexOf(stages[1] ?? ""));
    expect(runtime.some((l) => /^USER 65532(:65532)?$/.test(l))).toBe(true);
    expect(runtime.some((l) => l.startsWith("RUN "))).toBe(false);
  });

  it("bundles with the script the tests run and starts what it wrote", () => {
    const bundleRun = lines.find((l) => l.includes("broker-fargate/bundle.ts"));
    const outfile = /--outfile (\S+)/.exec(bundleRun ?? "")?.[1];
    expect(outfile).toBe("/out/stratus-fargate.mjs");
    expect(lines).toContain("COPY --from=build /out/stratus-fargate.mjs /out/stratus-fargate.mjs.map ./");
    expect(lines).toContain('ENTRYPOINT ["/nodejs/bin/node", "/app/stratus-fargate.mjs"]');
    expect(lines).toContain("STOPSIGNAL SIGTERM");
  });

  it("sends every source file the bundle is made of in the build context", async () => {
    const { inputs } = await bundleFargateEntry(join(ROOT, "dist/fargate/context-check.mjs"));
    const repoInputs = inputs.filter((p) => !p.startsWith("node_modules/"));
    expect(repoInputs.length).toBeGreaterThan(50);
    expect(repoInputs.filter((p) => !includedByIgnoreFile(p))).toEqual([]);
    for (const f of ["package.json", "package-lock.json", "tsconfig.json"])
      expect(includedByIgnoreFile(f)).toBe(true);
    expect(includedByIgnoreFile("node_modules/esbuild/package.json")).toBe(false);
    expect(includedByIgnoreFile(".git/config")).toBe(false);
  }, 60_000);
});
