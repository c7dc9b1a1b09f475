/**
 * `npm run bench` — Stratus side by side with Apache RocketMQ 5.3.3 on this machine (see run.ts for what
 * runs, options.ts for the flags). Prints the markdown table on stdout and progress on stderr; writes the
 * JSON (--json), the markdown (--markdown) and the SVG chart (--chart).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { renderChart } from "./chart.js";
import { renderMarkdown } from "./markdown.js";
import { type BenchOptions, parseBenchArgs, USAGE } from "./options.js";
import type { ProgressReporter } from "./progress.js";
import { type BenchReport, buildReport } from "./report.js";
import { runBench } from "./run.js";

function writeFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, text);
}

/** The formatter's line width (biome.json), which decides whether an array fits on one line. */
const JSON_LINE_WIDTH = 110;

/**
 * JSON.stringify with 2-space indents, except that an array of numbers, strings or nulls goes on one line
 * when that line fits JSON_LINE_WIDTH — the layout the repository's formatter (biome) gives JSON, so a
 * committed results file passes the lint.
 */
export function stringifyJson(value: unknown): string {
  const lines = JSON.stringify(value, null, 2).split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const items: string[] = [];
    let j = i + 1;
    if (line.endsWith("[")) {
      while (j < lines.length && !/^\s*\],?$/.test(lines[j] ?? "")) {
        const item = (lines[j] ?? "").trim().replace(/,$/, "");
        if (item.startsWith("{") || item.startsWith("[")) break;
        items.push(item);
        j++;
      }
    }
    const close = lines[j] ?? "";
    const joined = `${line}${items.join(", ")}${close.trim()}`;
    if (items.length > 0 && /^\s*\],?$/.test(close) && joined.length <= JSON_LINE_WIDTH) {
      out.push(joined);
      i = j;
    } else {
      out.push(line);
    }
  }
  return `${out.join("\n")}\n`;
}

export interface BenchOutput {
  readonly report: BenchReport;
  readonly markdown: string;
  readonly chart: string;
  /** Errors of individual sessions (a failed start, a failed load generator). */
  readonly failures: readonly string[];
}

/** Runs the bench and writes every requested output file. */
export async function benchMain(options: BenchOptions, progress?: ProgressReporter): Promise<BenchOutput> {
  const run = await runBench(options, progress);
  const report = buildReport(run);
  const markdown = renderMarkdown(report);
  const chart = renderChart(report);
  writeFile(options.chartFile, chart);
  if (options.jsonFile) writeFile(options.jsonFile, stringifyJson(report));
  if (options.markdownFile) writeFile(options.markdownFile, markdown);
  const failures = run.sessions
    .filter((s) => s.error !== undefined)
    .map((s) => `round ${s.round} ${s.system} ${s.flushDiskType}: ${s.error}`);
  return { report, markdown, chart, failures };
}

async function cli(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const options = parseBenchArgs(argv);
  const out = await benchMain(options);
  process.stdout.write(`\n${out.markdown}`);
  process.stderr.write(
    `chart: ${options.chartFile}${options.jsonFile ? `; json: ${options.jsonFile}` : ""}\n`,
  );
  for (const f of out.failures) process.stderr.write(`FAILED ${f}\n`);
  return out.failures.length === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
