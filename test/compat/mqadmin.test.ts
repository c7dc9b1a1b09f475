/**
 * Apache's mqadmin (rocketmq-tools 4.9.8 and 5.3.3) against the selected target
 * (STRATUS_COMPAT_TARGET=stratus|apache). The tests of one tools version run in order on one cluster:
 * updateTopic creates the topic the later commands look at, and the Java `produce`/`consume` scenarios
 * put messages and a consumer group there for the query and progress commands.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOOLS_VERSIONS } from "../setup/java-deps.mjs";
import { compatTarget, type RunningCluster, startCompatCluster } from "../support/cluster.js";
import { explain, type MqadminRun, runMqadmin, runScenario, STACK_TRACE } from "./java-runners.js";

const TARGET = compatTarget();
const CLUSTER_START_MS = 180_000;
const COMMAND_TEST_MS = 120_000;
const QUEUES = 8;
const MESSAGES = 8;
const ROUTE_WAIT_MS = 40_000;

function explainAdmin(run: MqadminRun): string {
  return `command: ${run.commandLine}\n--- output ---\n${run.output.slice(-4000)}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe.each(TOOLS_VERSIONS)(`mqadmin %s against ${TARGET}`, (toolsVersion) => {
  const suffix = `${toolsVersion.replaceAll(".", "")}_${Date.now().toString(36)}`;
  const topic = `compat_admin_${suffix}`;
  const group = `cg_admin_${suffix}`;
  const keyPrefix = `key_${suffix}`;
  let cluster: RunningCluster | undefined;
  let routeBrokerName: string | undefined;
  let produced: { keys: string[]; msgIds: string[]; offsetMsgIds: string[]; queueIds: number[] } | undefined;

  beforeAll(async () => {
    cluster = await startCompatCluster(toolsVersion);
  }, CLUSTER_START_MS);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  function started(): RunningCluster {
    if (!cluster) throw new Error("cluster did not start");
    return cluster;
  }

  async function mqadmin(command: string, ...args: string[]): Promise<MqadminRun> {
    const run = await runMqadmin(toolsVersion, started(), command, args);
    expect(run.output, `${explainAdmin(run)}\n(a stack trace means the command failed)`).not.toMatch(
      STACK_TRACE,
    );
    return run;
  }

  it(
    "updateTopic creates a topic with 8 read and 8 write queues on the broker",
    async () => {
      const c = started();
      const run = await mqadmin(
        "updateTopic",
        "-b",
        c.brokerAddr,
        "-t",
        topic,
        "-r",
        `${QUEUES}`,
        "-w",
        `${QUEUES}`,
      );
      expect(run.stdout, explainAdmin(run)).toContain(`create topic to ${c.brokerAddr} success`);
      expect(run.stdout, explainAdmin(run)).toMatch(
        new RegExp(`topicName=${topic}, readQueueNums=${QUEUES}, writeQueueNums=${QUEUES}`),
      );
    },
    COMMAND_TEST_MS,
  );

  it(
    "topicRoute shows the topic's queues on the broker's address",
    async () => {
      const c = started();
      // A broker may register a new topic with the NameServer a moment after updateTopic answers (Apache
      // 5.x does, under load): ask again until the route appears or ROUTE_WAIT_MS passes.
      const deadline = Date.now() + ROUTE_WAIT_MS;
      let run = await runMqadmin(toolsVersion, c, "topicRoute", ["-t", topic]);
      while (/No topic route info/.test(run.output) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        run = await runMqadmin(toolsVersion, c, "topicRoute", ["-t", topic]);
      }
      const why = explainAdmin(run);
      expect(run.output, `${why}\n(a stack trace means the command failed)`).not.toMatch(STACK_TRACE);
      expect(run.stdout, why).toMatch(new RegExp(`"readQueueNums"\\s*:\\s*${QUEUES}\\b`));
      expect(run.stdout, why).toMatch(new RegExp(`"writeQueueNums"\\s*:\\s*${QUEUES}\\b`));
      expect(run.stdout, why).toMatch(new RegExp(`0"?\\s*:\\s*"${escapeRegExp(c.brokerAddr)}"`));
      expect(run.stdout, why).toMatch(/"perm"\s*:\s*6\b/);
      routeBrokerName = run.stdout.match(/"brokerName"\s*:\s*"([^"]+)"/)?.[1];
      expect(routeBrokerName, why).toBeDefined();
      if (c.brokerName) expect(routeBrokerName, why).toBe(c.brokerName);
    },
    COMMAND_TEST_MS,
  );

  it(
    "topicList lists the topic",
    async () => {
      const run = await mqadmin("topicList");
      expect(
        run.stdout.split("\n").map((l) => l.trim()),
        explainAdmin(run),
      ).toContain(topic);
    },
    COMMAND_TEST_MS,
  );

  it(
    "clusterList lists the broker with its cluster, name, id 0 and address",
    async () => {
      const c = started();
      const run = await mqadmin("clusterList");
      const why = explainAdmin(run);
      const row = run.stdout.split("\n").find((l) => l.includes(c.brokerAddr));
      expect(row, why).toBeDefined();
      const cols = (row ?? "").trim().split(/\s+/);
      expect(cols[1], why).toBe(routeBrokerName);
      expect(cols[2], why).toBe("0");
      expect(cols[4], why).toMatch(/^V\d+_\d+_\d+/);
      if (c.clusterName) expect(cols[0], why).toBe(c.clusterName);
      if (toolsVersion.startsWith("5.")) expect(cols.at(-1), `${why}\n(#ACTIVATED column)`).toBe("true");
    },
    COMMAND_TEST_MS,
  );

  it(
    "brokerStatus reports the runtime keys the tools read",
    async () => {
      const run = await mqadmin("brokerStatus", "-b", started().brokerAddr);
      const why = explainAdmin(run);
      const table = new Map(
        run.stdout
          .split("\n")
          .map((l) => l.match(/^(\S+)\s*:\s?(.*)$/))
          .filter((m): m is RegExpMatchArray => m !== null)
          .map((m) => [m[1] ?? "", (m[2] ?? "").trim()]),
      );
      expect(table.get("brokerVersionDesc"), why).toMatch(/^V\d+_\d+_\d+/);
      for (const key of ["msgPutTotalTodayNow", "msgGetTotalTodayNow", "msgPutTotalTodayMorning"]) {
        expect(table.get(key), `${why}\n(${key})`).toMatch(/^\d+$/);
      }
      for (const key of ["putTps", "commitLogDiskRatio"]) {
        expect(table.get(key), `${why}\n(${key})`).toMatch(/^\d+(\.\d+)?(E-?\d+)?\b/);
      }
    },
    COMMAND_TEST_MS,
  );

  it(
    "queryMsgByKey finds the message sent with that key",
    async () => {
      const run = await runScenario(toolsVersion, "produce", started(), {
        topic,
        count: MESSAGES,
        keyPrefix,
      });
      expect(run.result.failures, explain(run)).toEqual([]);
      produced = run.result as unknown as typeof produced;
      const p = produced as NonNullable<typeof produced>;
      const admin = await mqadmin("queryMsgByKey", "-t", topic, "-k", p.keys[3] ?? "");
      const rows = admin.stdout.split("\n").filter((l) => /^[0-9A-F]{32}/.test(l.trim()));
      expect(rows.length, explainAdmin(admin)).toBe(1);
      const cols = (rows[0] ?? "").trim().split(/\s+/);
      expect(cols[0], explainAdmin(admin)).toBe(p.msgIds[3]);
      expect(Number(cols[1]), explainAdmin(admin)).toBe(p.queueIds[3]);
    },
    COMMAND_TEST_MS,
  );

  it(
    "queryMsgById shows the message stored at an offset message id",
    async () => {
      expect(produced, "the queryMsgByKey test produces the messages").toBeDefined();
      const p = produced as NonNullable<typeof produced>;
      const id = p.offsetMsgIds[5] ?? "";
      // 5.x requires -t; 4.x has no such option.
      const topicArgs = toolsVersion.startsWith("5.") ? ["-t", topic] : [];
      const run = await runMqadmin(toolsVersion, started(), "queryMsgById", ["-i", id, ...topicArgs]);
      const why = explainAdmin(run);
      expect(run.stdout, why).toMatch(new RegExp(`^OffsetID:\\s+${id}\\s*$`, "m"));
      expect(run.stdout, why).toMatch(new RegExp(`^Topic:\\s+${topic}\\s*$`, "m"));
      expect(run.stdout, why).toMatch(new RegExp(`^Keys:\\s+\\[${p.keys[5]}\\]\\s*$`, "m"));
      expect(run.stdout, why).toMatch(new RegExp(`^Queue ID:\\s+${p.queueIds[5]}\\s*$`, "m"));
      expect(run.stdout, why).toMatch(
        new RegExp(`^Store Host:\\s+/?${escapeRegExp(started().brokerAddr)}\\s*$`, "m"),
      );
    },
    COMMAND_TEST_MS,
  );

  it(
    "consumerProgress shows the group's committed offsets with no lag",
    async () => {
      expect(produced, "the queryMsgByKey test produces the messages").toBeDefined();
      const consume = await runScenario(toolsVersion, "consume", started(), {
        topic,
        group,
        expect: MESSAGES,
      });
      expect(consume.result.failures, explain(consume)).toEqual([]);
      const run = await mqadmin("consumerProgress", "-g", group);
      const why = explainAdmin(run);
      const rows = run.stdout.split("\n").filter((l) => l.startsWith(topic));
      expect(rows.length, why).toBe(QUEUES);
      let brokerTotal = 0;
      for (const row of rows) {
        const cols = row.trim().split(/\s+/);
        // #Topic #Broker Name #QID #Broker Offset #Consumer Offset #Diff ...
        expect(cols[3], why).toBe(cols[4]);
        expect(cols[5], why).toBe("0");
        brokerTotal += Number(cols[3]);
      }
      expect(brokerTotal, why).toBe(MESSAGES);
      expect(run.stdout, why).toMatch(/Diff Total: 0\s*$/m);
    },
    COMMAND_TEST_MS * 2,
  );
});
