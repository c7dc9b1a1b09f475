/**
 * Bundles broker-fargate/entry.ts (NameServer + broker + health + drain) into one ESM file with esbuild.
 * The Dockerfile's build stage and the tests run this same function, so the image runs the bundle the tests run.
 *
 *   npx tsx broker-fargate/bundle.ts [--outfile dist/fargate/stratus-fargate.mjs]
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const HERE = dirname(fileURLToPath(import.meta.url));
export const ENTRY = join(HERE, "entry.ts");
/** Under the repository's dist/ (git- and lint-ignored), beside what `npm run build` emits. */
export const DEFAULT_OUTFILE = join(HERE, "..", "dist", "fargate", "stratus-fargate.mjs");
/** The runtime image's Node major (gcr.io/distroless/nodejs22); the bundle also runs on the Node 20 of this repo. */
export const BUNDLE_TARGET = "node20";

export interface BundleResult {
  readonly outfile: string;
  readonly bytes: number;
  /** Input files that went into the bundle (paths relative to the repository). */
  readonly inputs: readonly string[];
}

export async function bundleFargateEntry(outfile: string = DEFAULT_OUTFILE): Promise<BundleResult> {
  const result = await build({
    entryPoints: [ENTRY],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: BUNDLE_TARGET,
    sourcemap: "linked",
    minifySyntax: true,
    metafile: true,
    logLevel: "warning",
    legalComments: "eof",
    // Some bundled dependencies are CommonJS and call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __stratusRequire } from 'node:module'; const require = __stratusRequire(import.meta.url);",
    },
  });
  const out = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith(".mjs"));
  return {
    outfile,
    bytes: out?.[1].bytes ?? 0,
    inputs: Object.keys(result.metafile.inputs),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const i = process.argv.indexOf("--outfile");
  const outfile = i >= 0 ? process.argv[i + 1] : undefined;
  bundleFargateEntry(outfile === undefined ? undefined : resolve(outfile)).then(
    (r) => process.stdout.write(`bundled ${r.inputs.length} files into ${r.outfile} (${r.bytes} bytes)\n`),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
