/**
 * The real Apache RocketMQ Java clients (4.9.8 and the 5.x remoting client 5.3.3) against the selected
 * target (STRATUS_COMPAT_TARGET=stratus|apache). Each test runs one scenario of test/compat/java in its
 * own JVM and judges the JSON line it prints; a failure message carries the whole line and the
 * test/compat/run-scenario.sh command that repeats it by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_VERSIONS } from "../setup/java-deps.mjs";
import { compatTarget, type RunningCluster, startCompatCluster } from "../support/cluster.js";
import { explain, runScenario, type ScenarioRun } from "./java-runners.js";

const TARGET = compatTarget();
const CLUSTER_START_MS = 180_000;
const SCENARIO_TEST_MS = 240_000;
const SEND_COUNT = 10_000;
const QUEUES = 8;

describe.each(CLIENT_VERSIONS)(`Java client %s against ${TARGET}`, (clientVersion) => {
  let cluster: RunningCluster | undefined;

  beforeAll(async () => {
    cluster = await startCompatCluster(clientVersion);
  }, CLUSTER_START_MS);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  async function scenario(name: string, params: Record<string, string | number> = {}): Promise<ScenarioRun> {
    if (!cluster) throw new Error("cluster did not start");
    const run = await runScenario(clientVersion, name, cluster, params);
    expect(run.result.clientVersion, explain(run)).toBe(`V${clientVersion.replaceAll(".", "_")}`);
    return run;
  }

  describe.each(["sync", "async", "oneway"])("%s send", (mode) => {
    it(
      `stores every one of ${SEND_COUNT} messages over ${QUEUES} queues`,
      async () => {
        const run = await scenario("send", { mode, count: SEND_COUNT, queues: QUEUES });
        const r = run.result;
        const why = explain(run);
        expect(r.acked, why).toBe(SEND_COUNT);
        expect(r.storedByMaxOffset, why).toBe(SEND_COUNT);
        expect(r.queuesUsed, why).toBe(QUEUES);
        expect(r.readBackDistinct, why).toBe(SEND_COUNT);
        expect(r.readBackCorrupt, why).toBe(0);
        expect(r.readBackUnexpected, why).toBe(0);
        expect(r.failures, why).toEqual([]);
      },
      SCENARIO_TEST_MS,
    );
  });

  it(
    "splits the queues between two clustering consumers and keeps the group's offsets over a restart",
    async () => {
      const run = await scenario("cluster", { count: 2000, restartCount: 200, queues: QUEUES });
      const r = run.result;
      const why = explain(run);
      expect(r.allocatedQueues, why).toEqual([QUEUES / 2, QUEUES / 2]);
      expect(r.firstPhaseDistinct, why).toBe(2000);
      expect(
        (r.receivedPerConsumer as number[]).every((n) => n > 0),
        why,
      ).toBe(true);
      expect(r.committedBeforeRestart, why).toBe(2000);
      expect(r.afterRestartDistinct, why).toBe(200);
      expect(r.redeliveredAfterRestart, why).toBe(0);
      expect(r.failures, why).toEqual([]);
    },
    SCENARIO_TEST_MS,
  );

  it(
    "delivers every message to each of two broadcasting consumers",
    async () => {
      const run = await scenario("broadcast", { count: 1000 });
      const why = explain(run);
      expect(run.result.consumer1Distinct, why).toBe(1000);
      expect(run.result.consumer2Distinct, why).toBe(1000);
      expect(run.result.failures, why).toEqual([]);
    },
    SCENARIO_TEST_MS,
  );

  it(
    "gives a `TagA || TagB` subscription only TagA and TagB messages",
    async () => {
      const run = await scenario("tags", { perTag: 300 });
      const why = explain(run);
      expect(run.result.tagsSeenByAB, why).toEqual({ TagA: 300, TagB: 300 });
      expect(run.result.tagsSeenByC, why).toEqual({ TagC: 300 });
      // The client re-filters by tag; only a pull with the expression shows whether the broker filtered.
      expect(run.result.tagPullExpected, why).toBeGreaterThan(0);
      expect(run.result.tagPullFound, why).toBe(run.result.tagPullExpected);
      expect(run.result.failures, why).toEqual([]);
    },
    SCENARIO_TEST_MS,
  );

  it(
    "reads a queue from a chosen offset with lite-pull assign+seek and with a pull consumer",
    async () => {
      const run = await scenario("pull", { perQueue: 50, seekOffset: 20, pullOffset: 10 });
      const r = run.result;
      const why = explain(run);
      expect(r.litePullFirstPass, why).toBe(50);
      expect(r.litePullOffsets, why).toEqual(Array.from({ length: 30 }, (_, i) => 20 + i));
      expect(r.pullOffsets, why).toEqual(Array.from({ length: 40 }, (_, i) => 10 + i));
      expect(r.pullAtEndStatus, why).toBe("NO_NEW_MSG");
      expect(r.pullPastEndStatus, why).toBe("OFFSET_ILLEGAL");
      expect(r.pullPastEndNextBeginOffset, why).toBe(50);
      expect(r.failures, why).toEqual([]);
    },
    SCENARIO_TEST_MS,
  );

  it(
    "lets an orderly consumer see each queue in offset order",
    async () => {
      const run = await scenario("orderly", { count: 1000, orders: 16, queues: QUEUES });
      const r = run.result;
      const why = explain(run);
      expect(r.orderlyDistinct, why).toBe(1000);
      expect(r.queuesSeen, why).toBe(QUEUES);
      expect(r.offsetOrderViolations, why).toBe(0);
      expect(r.concurrentInQueue, why).toBe(0);
      expect(r.orderViolations, why).toBe(0);
      expect(r.failures, why).toEqual([]);
    },
    SCENARIO_TEST_MS,
  );
});
