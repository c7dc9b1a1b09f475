/**
 * Workload 5's broker-side ceiling: the same catch-up read by a Node puller that costs almost nothing per
 * message (raw PULL_MESSAGE frames, one in flight per queue, records counted by their size fields and
 * never decoded). The Java consumer shares the machine's cores with the broker and spends more CPU per
 * message than the broker does, so its rate says little about what the broker could serve; this one does.
 */
import { StratusError } from "../../lib/common/errors.js";
import { PullSysFlag } from "../../lib/protocol/header/pull-message-request-header.js";
import { createRequest } from "../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../lib/protocol/request-code.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { RemotingClient } from "../../lib/remoting/client.js";

export interface RawPullResult {
  readonly messages: number;
  readonly expected: number;
  readonly complete: boolean;
  readonly seconds: number;
  readonly msgsPerSec: number;
  /** Message bodies (bodyBytes each) per second in MiB, as the Java load generator counts mbPerSec. */
  readonly mbPerSec: number;
  /** Record bytes on the wire per second in MiB (bodies plus record headers and properties). */
  readonly wireMbPerSec: number;
  readonly pulls: number;
}

export interface RawPullSpec {
  readonly brokerAddr: string;
  readonly topic: string;
  readonly queues: number;
  readonly perQueue: number;
  readonly bodyBytes: number;
  readonly batch: number;
  readonly timeoutS: number;
}

/** Records in a pulled body: each starts with its own total size. */
export function countRecords(body: Buffer): number {
  let n = 0;
  for (let at = 0; at + 4 <= body.length; n++) {
    const size = body.readInt32BE(at);
    if (size <= 0) throw new StratusError("FRAME_MALFORMED", `record of size ${size} at ${at}`);
    at += size;
  }
  return n;
}

/** Reads the first `perQueue` messages of every queue from offset 0, all queues at once. */
export async function rawCatchup(spec: RawPullSpec): Promise<RawPullResult> {
  const client = new RemotingClient();
  const group = `bench_cg_raw_${Date.now() % 100_000}`;
  const deadline = Date.now() + spec.timeoutS * 1000;
  let messages = 0;
  let wireBytes = 0;
  let pulls = 0;
  const started = process.hrtime.bigint();
  const queue = async (queueId: number) => {
    let offset = 0;
    let got = 0;
    while (got < spec.perQueue && Date.now() < deadline) {
      const request = createRequest(RequestCode.PULL_MESSAGE, {
        consumerGroup: group,
        topic: spec.topic,
        queueId: String(queueId),
        queueOffset: String(offset),
        maxMsgNums: String(spec.batch),
        sysFlag: String(PullSysFlag.FLAG_SUBSCRIPTION),
        commitOffset: "0",
        suspendTimeoutMillis: "0",
        subscription: "*",
        subVersion: "0",
        expressionType: "TAG",
      });
      const response = await client.invoke(spec.brokerAddr, request, 10_000);
      pulls++;
      const next = Number(response.extFields.nextBeginOffset ?? offset);
      if (response.code === ResponseCode.SUCCESS) {
        const body = response.body ?? Buffer.alloc(0); // decoded off the wire: always one buffer
        const n = Math.min(countRecords(body), spec.perQueue - got);
        got += n;
        messages += n;
        wireBytes += body.length;
      } else if (next === offset) {
        await new Promise((r) => setTimeout(r, 20));
      }
      offset = next;
    }
  };
  try {
    await Promise.all(Array.from({ length: spec.queues }, (_, q) => queue(q)));
  } finally {
    client.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const expected = spec.queues * spec.perQueue;
  return {
    messages,
    expected,
    complete: messages === expected,
    seconds,
    msgsPerSec: messages / seconds,
    mbPerSec: (messages * spec.bodyBytes) / seconds / 2 ** 20,
    wireMbPerSec: wireBytes / seconds / 2 ** 20,
    pulls,
  };
}
