/**
 * The `stratus` command line as an operator meets it, over real processes: Ctrl-C (SIGINT) and SIGTERM stop
 * `stratus dev` cleanly (exit 0, no crash recovery on restart, nothing lost); a broker.conf with a typo or a
 * bad value is refused at once, naming what to fix, before anything listens; `stratus dev` with no flags
 * serves on 127.0.0.1:9876 / :10911 with its data in ./.stratus, and `npm start` runs it; a broker whose
 * namesrvAddr lists two NameServers ("a;b") registers with both.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { decodeClusterInfo } from "../../lib/protocol/cluster-info.js";
import { createRequest } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { decodeTopicRouteData, type TopicRouteData } from "../../lib/protocol/route-data.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import { type ExitStatus, ManagedProcess } from "../support/managed-process.js";
import { isPortFree } from "../support/ports.js";
import { eventually } from "./cloud-cluster.js";
import { createTopicRequest, pullAll, sendV2 } from "./raw-client.js";
import { freeBrokerPort, freePort } from "./stratus-process.js";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/stratus.js");
const READY_MS = 30_000;
/** A refused configuration must end the process well before this. */
const PROMPT_EXIT_MS = 5000;

const spawned = new Set<ManagedProcess>();
const dirs: string[] = [];
const client = new RemotingClient();

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "stratus-cli-"));
  dirs.push(d);
  return d;
}

/** `command args`, its stdout and stderr logged together; killed after the test if still running. */
function run(command: string, args: readonly string[], options: { cwd?: string; detached?: boolean } = {}) {
  const p = new ManagedProcess({
    name: args[0] === BIN ? `stratus ${args[1]}` : command,
    command,
    args,
    ...options,
    logFile: join(tempDir(), "output.log"),
  });
  spawned.add(p);
  void p.ended.then(() => spawned.delete(p));
  return p;
}

/** The `stratus` command with `args`. */
function cli(args: readonly string[], cwd?: string): ManagedProcess {
  return run(process.execPath, [BIN, ...args], cwd === undefined ? {} : { cwd });
}

afterEach(async () => {
  // A failed test may leave servers behind; none may outlive it (they hold ports and data dirs).
  for (const p of [...spawned]) await p.signal("SIGKILL");
});

afterAll(() => {
  client.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** `stratus dev` on free ports over `dataDir`, ready. */
async function startDev(dataDir: string, conf: string): Promise<{ dev: ManagedProcess; brokerAddr: string }> {
  const confPath = join(dataDir, "..", `${Date.now()}-${Math.random()}.conf`);
  writeFileSync(confPath, conf);
  const brokerPort = await freeBrokerPort();
  const dev = cli([
    "dev",
    "--data-dir",
    dataDir,
    "--namesrv-port",
    String(await freePort()),
    "--broker-port",
    String(brokerPort),
    "--config",
    confPath,
  ]);
  await dev.waitForLine(/^stratus ready: /m, READY_MS);
  return { dev, brokerAddr: `127.0.0.1:${brokerPort}` };
}

async function invoke(addr: string, code: number, ext: Record<string, string> = {}) {
  return client.invoke(addr, createRequest(code, ext), 5000);
}

async function clusterBrokers(namesrvAddr: string): Promise<Map<string, string | undefined>> {
  const res = await invoke(namesrvAddr, RequestCode.GET_BROKER_CLUSTER_INFO);
  expect(res.code).toBe(ResponseCode.SUCCESS);
  const info = decodeClusterInfo(res.body ?? Buffer.alloc(0));
  return new Map([...info.brokerAddrTable].map(([name, b]) => [name, b.brokerAddrs.get(0)]));
}

async function route(namesrvAddr: string, topic: string): Promise<TopicRouteData | undefined> {
  const res = await invoke(namesrvAddr, RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });
  if (res.code !== ResponseCode.SUCCESS) return undefined;
  return decodeTopicRouteData(res.body ?? Buffer.alloc(0));
}

/** True when something accepts connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return client.invoke(`127.0.0.1:${port}`, createRequest(RequestCode.GET_BROKER_CLUSTER_INFO), 1000).then(
    () => true,
    (e: unknown) => !/ECONNREFUSED/.test(String(e)),
  );
}

describe("stopping stratus dev with a signal", () => {
  const body = (i: number) => Buffer.from(`before-stop-${i}-${"x".repeat(i * 7)}`);

  it.each([
    ["SIGINT", "tiered (the default)", ""],
    ["SIGINT", "without tiering", "tierEnable=false"],
    ["SIGTERM", "without tiering", "tierEnable=false"],
  ] as const)(
    "%s, %s: exits 0, leaves no abort file, and the restart serves every message",
    async (signal, _how, conf) => {
      const dataDir = join(tempDir(), "data");
      const topic = `Stop${signal}${conf === "" ? "Tiered" : "Local"}`;
      const first = await startDev(dataDir, conf);
      const sent: string[][] = [[], [], [], []];
      for (let i = 0; i < 40; i++) {
        const q = i % 4;
        const r = await sendV2(client, first.brokerAddr, topic, q, body(i));
        expect(r.code).toBe(ResponseCode.SUCCESS);
        sent[q]?.push(body(i).toString());
      }
      // The store marks itself running (Apache's abort file): a crash leaves it, a clean stop removes it.
      const abort = join(dataDir, "broker", "abort");
      expect(existsSync(abort)).toBe(true);

      const exit = await first.dev.signal(signal);
      expect(exit, first.dev.recentOutput()).toEqual({ code: 0, signal: null });
      expect(first.dev.recentOutput()).toContain(`${signal} received, shutting down`);
      expect(existsSync(abort), "abort file left: the restart would run crash recovery").toBe(false);

      const second = await startDev(dataDir, conf);
      for (let q = 0; q < 4; q++) {
        const got = await pullAll(client, second.brokerAddr, topic, q);
        expect(got.map((m) => m.body.toString())).toEqual(sent[q]);
        expect(got.map((m) => m.queueOffset)).toEqual(sent[q]?.map((_, i) => i));
      }
      expect(await second.dev.signal("SIGTERM")).toEqual({ code: 0, signal: null });
    },
    60_000,
  );
});

describe("a broker.conf the CLI refuses", () => {
  /** A listener on 127.0.0.1:port, so a process that listens there before checking its config fails otherwise. */
  function hold(port: number): Promise<Server> {
    return new Promise((res, rej) => {
      const s = createServer((sock) => sock.destroy());
      s.once("error", rej);
      s.listen(port, "127.0.0.1", () => res(s));
    });
  }

  /** Runs the command to its exit: the exit, what it said and how long it took. */
  async function refused(command: "dev" | "broker", conf: string) {
    const dir = tempDir();
    const confPath = join(dir, "broker.conf");
    const namesrvPort = await freePort();
    const brokerPort = await freeBrokerPort();
    const held = [await hold(namesrvPort), await hold(brokerPort)];
    writeFileSync(confPath, conf.replaceAll("$BROKER_PORT", String(brokerPort)));
    const ports =
      command === "dev"
        ? ["--namesrv-port", String(namesrvPort), "--broker-port", String(brokerPort)]
        : ["--host", "127.0.0.1"];
    const args = [command, "--data-dir", join(dir, "data"), ...ports, "--config", confPath];
    const started = Date.now();
    const p = cli(args);
    const exit = await Promise.race([
      p.ended,
      new Promise<ExitStatus>((res) => setTimeout(() => res({ code: null, signal: null }), PROMPT_EXIT_MS)),
    ]);
    const ms = Date.now() - started;
    for (const s of held) await new Promise((r) => s.close(r));
    return { exit, output: p.recentOutput(), ms, confPath };
  }

  const cases = [
    {
      what: "an unknown key",
      conf: "listenPort=$BROKER_PORT\nbrokerNmae=x\n",
      says: [/unknown key 'brokerNmae'/],
    },
    {
      what: "flushDiskType=SOMETIMES",
      conf: "listenPort=$BROKER_PORT\nflushDiskType=SOMETIMES\n",
      says: [/flushDiskType must be ASYNC_FLUSH, SYNC_FLUSH or objectStore, got 'SOMETIMES'/],
    },
    {
      what: "listenPort=abc",
      conf: "listenPort=abc\n",
      says: [/'listenPort' must be a number, got 'abc'/],
    },
  ];

  for (const command of ["dev", "broker"] as const) {
    it.each(cases)(
      `stratus ${command} --config with $what exits non-zero at once, says what to fix, listens nowhere`,
      async ({ conf, says }) => {
        const { exit, output, ms, confPath } = await refused(command, conf);
        expect(exit.code, `still running after ${PROMPT_EXIT_MS} ms:\n${output}`).not.toBeNull();
        expect(exit.code, output).not.toBe(0);
        expect(ms).toBeLessThan(PROMPT_EXIT_MS);
        // The message names the file and the key; with the ports held, a process that started listening
        // before reading its config would have died of EADDRINUSE instead.
        expect(output).toContain(confPath);
        for (const s of says) expect(output).toMatch(s);
        expect(output).not.toMatch(/EADDRINUSE|stratus ready/);
      },
      20_000,
    );
  }
});

describe("stratus dev with no flags", () => {
  const DEFAULT_PORTS = [9876, 10911, 10909]; // NameServer, broker, the broker's VIP channel (listenPort - 2)

  /** The default ports may be held by someone else on a shared machine: wait a little, then fail saying so. */
  async function defaultPortsFree(): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const busy: number[] = [];
      for (const p of DEFAULT_PORTS) if (!(await isPortFree(p))) busy.push(p);
      if (busy.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `default port(s) ${busy.join(", ")} stayed in use for 15 s (another NameServer/broker on this machine?): ` +
            "this test needs them free to check `stratus dev` without flags",
        );
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  it("listens on 127.0.0.1:9876 and :10911, answers cluster and route queries, keeps its data in ./.stratus", async () => {
    const cwd = tempDir();
    await defaultPortsFree();
    const dev = cli(["dev"], cwd);
    await dev.waitForLine(/^stratus ready: namesrv 127\.0\.0\.1:9876 broker 127\.0\.0\.1:10911$/m, READY_MS);

    const brokers = await eventually("the broker in the cluster info", async () => {
      const b = await clusterBrokers("127.0.0.1:9876");
      return b.size > 0 ? b : undefined;
    });
    expect(brokers).toEqual(new Map([["broker-a", "127.0.0.1:10911"]]));
    const tbw = await route("127.0.0.1:9876", "TBW102");
    expect(tbw?.brokerDatas.map((b) => b.brokerAddrs.get(0))).toEqual(["127.0.0.1:10911"]);
    expect(existsSync(join(cwd, ".stratus", "broker"))).toBe(true);
    expect(existsSync(join(cwd, ".stratus", "cloud"))).toBe(true);

    expect(await dev.signal("SIGINT")).toEqual({ code: 0, signal: null });
    expect(await accepts(9876)).toBe(false);
    expect(await accepts(10911)).toBe(false);
  }, 60_000);

  it("is what `npm start` runs", async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      bin: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(pkg.bin.stratus).toBe("bin/stratus.js");
    expect(pkg.scripts.start).toMatch(/^node bin\/stratus\.js dev$/);
    // And it runs: `npm start -- <flags>` (on free ports and a temporary data dir, not the checkout's).
    const dataDir = tempDir();
    const namesrvPort = await freePort();
    const brokerPort = await freeBrokerPort();
    const npm = run(
      process.platform === "win32" ? "npm.cmd" : "npm",
      [
        "start",
        "--",
        "--data-dir",
        dataDir,
        "--namesrv-port",
        String(namesrvPort),
        "--broker-port",
        String(brokerPort),
      ],
      { cwd: ROOT, detached: true },
    );
    await npm.waitForLine(
      new RegExp(
        `^stratus ready: namesrv 127\\.0\\.0\\.1:${namesrvPort} broker 127\\.0\\.0\\.1:${brokerPort}$`,
        "m",
      ),
      READY_MS,
    );
    expect(existsSync(join(dataDir, "broker"))).toBe(true);
    await npm.signal("SIGINT"); // Ctrl-C reaches the whole group
    await eventually("the NameServer port closed", async () =>
      (await accepts(namesrvPort)) ? undefined : true,
    );
  }, 60_000);
});

describe("a broker with two NameServers in namesrvAddr", () => {
  it("registers with both: each lists it in the cluster info and routes its topics to it", async () => {
    const dir = tempDir();
    const namesrvs = await Promise.all(
      [0, 1].map(async () => {
        const p = cli(["namesrv", "--host", "127.0.0.1", "--port", String(await freePort())]);
        const m = await p.waitForLine(/^stratus ready: namesrv (\S+)$/m, READY_MS);
        return m[1] ?? "";
      }),
    );
    const brokerPort = await freeBrokerPort();
    const brokerAddr = `127.0.0.1:${brokerPort}`;
    const conf = join(dir, "broker.conf");
    writeFileSync(
      conf,
      [
        "brokerName=broker-two-ns",
        `listenPort=${brokerPort}`,
        `namesrvAddr=${namesrvs.join(";")}`,
        "brokerIP1=127.0.0.1",
        `storePathRootDir=${join(dir, "broker")}`,
      ].join("\n"),
    );
    const broker = cli(["broker", "--host", "127.0.0.1", "--config", conf]);
    await broker.waitForLine(/^stratus ready: broker /m, READY_MS);
    // A topic created after start reaches both too (registration on change, not only at start).
    expect((await client.invoke(brokerAddr, createTopicRequest("TwoNameServers", 6, 4), 5000)).code).toBe(
      ResponseCode.SUCCESS,
    );

    for (const ns of namesrvs) {
      const brokers = await eventually(`the broker in ${ns}'s cluster info`, async () => {
        const b = await clusterBrokers(ns);
        return b.size > 0 ? b : undefined;
      });
      expect(brokers, ns).toEqual(new Map([["broker-two-ns", brokerAddr]]));
      const r = await eventually(`the route of TwoNameServers on ${ns}`, () => route(ns, "TwoNameServers"));
      expect(r.brokerDatas.map((b) => [b.brokerName, b.brokerAddrs.get(0)])).toEqual([
        ["broker-two-ns", brokerAddr],
      ]);
      expect(r.queueDatas.map((q) => [q.brokerName, q.writeQueueNums])).toEqual([["broker-two-ns", 4]]);
    }
  }, 60_000);
});
