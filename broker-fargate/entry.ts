/**
 * The container's process entry (what the esbuild bundle runs, in the image and in the tests):
 *   node stratus-fargate.mjs               start the role STRATUS_ROLE names; SIGTERM/SIGINT drain and exit 0
 *   node stratus-fargate.mjs healthcheck   exit 0 when the local health endpoint answers 200 (the ECS container
 *                                          health check: the runtime image has no shell and no curl)
 * Exit codes: 0 clean stop, 1 failure while running or stopping, 2 bad configuration.
 */
import { isStratusError } from "../lib/common/errors.js";
import { type RunningRole, startBrokerRole, startNamesrvRole } from "./fargate-main.js";
import { DEFAULT_HEALTH_PORT, type Env, readFargateSettings } from "./fargate-settings.js";
import { probeHealth } from "./health-server.js";

const log = (line: string) => process.stderr.write(`stratus-fargate: ${line}\n`);

function onStopSignals(running: RunningRole): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received, draining`);
    running.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        log(`stop failed: ${(e as Error).stack ?? String(e)}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}

export async function main(argv: readonly string[], env: Env): Promise<number | undefined> {
  if (argv[0] === "healthcheck") {
    const port = Number(env.STRATUS_HEALTH_PORT || DEFAULT_HEALTH_PORT);
    return probeHealth(port);
  }
  if (argv.length > 0) {
    log(
      `unknown argument '${argv[0]}' (the only one is 'healthcheck'; everything else comes from STRATUS_*)`,
    );
    return 2;
  }
  try {
    const settings = readFargateSettings(env);
    const running =
      settings.role === "namesrv"
        ? await startNamesrvRole(settings, env, log)
        : await startBrokerRole(settings, env, log);
    onStopSignals(running);
    return undefined;
  } catch (e) {
    if (isStratusError(e)) {
      log(e.message);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (e: unknown) => {
    log(`failed: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
