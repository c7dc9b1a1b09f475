import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/** Which lib/ layers each layer may import (besides itself). Layers import downward only. */
const ALLOWED: Record<string, readonly string[]> = {
  common: [],
  protocol: ["common"],
  filter: ["common", "protocol"],
  store: ["common", "protocol"],
  ports: ["common", "protocol"],
  tier: ["common", "protocol", "store", "ports"],
  remoting: ["common", "protocol"],
  namesrv: ["common", "protocol", "remoting", "ports"],
  client: ["common", "protocol", "remoting", "filter"],
  broker: ["common", "protocol", "filter", "store", "ports", "tier", "remoting", "client"],
  cli: ["common", "protocol", "filter", "store", "ports", "tier", "remoting", "namesrv", "broker", "client"],
};

const LIB = resolve(import.meta.dirname, "../../lib");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const m of text.matchAll(
    /(?:import|export)[^"'`]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g,
  )) {
    const spec = m[1] ?? m[2];
    if (spec) found.push(spec);
  }
  return found;
}

function layerOf(file: string): string {
  return relative(LIB, file).split("/")[0] ?? "";
}

describe("layering", () => {
  const files = sourceFiles(LIB);

  it("knows every lib/ layer", () => {
    for (const file of files) expect(Object.keys(ALLOWED)).toContain(layerOf(file));
  });

  it("imports only downward", () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const spec of imports(file)) {
        if (!spec.startsWith(".")) continue;
        const to = relative(LIB, resolve(file, "..", spec)).split("/")[0] ?? "";
        if (to !== from && !(ALLOWED[from] ?? []).includes(to))
          violations.push(`${relative(LIB, file)} -> ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("touches node:net only in remoting/ and the AWS SDK only in ports/aws/", () => {
    const violations: string[] = [];
    for (const file of files) {
      const rel = relative(LIB, file);
      for (const spec of imports(file)) {
        if ((spec === "node:net" || spec === "net") && !rel.startsWith("remoting/"))
          violations.push(`${rel} -> ${spec}`);
        if (spec.startsWith("@aws-sdk/") && !rel.startsWith("ports/aws/"))
          violations.push(`${rel} -> ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
