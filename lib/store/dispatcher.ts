/**
 * The dispatcher: after records reach the CommitLog, add their ConsumeQueue units and index keys, then tell the
 * MessageArrivingListener (which wakes long-polled pulls). Runs synchronously inside each append batch, so a
 * message is visible to getMessage as soon as putMessage resolves; recovery re-dispatches through it too.
 */
import { isPreparedOrRollback } from "../protocol/message-sys-flag.js";
import type { ConsumeQueueTable } from "./consumequeue/consume-queue-table.js";
import type { IndexService } from "./index/index-service.js";
import type { MessageArrivingListener } from "./message-store.js";

export interface DispatchRequest {
  topic: string;
  queueId: number;
  commitLogOffset: number;
  size: number;
  tagsCode: number;
  storeTimestamp: number;
  queueOffset: number;
  sysFlag: number;
  uniqKey: string | undefined;
  keys: string | undefined;
}

interface Arrival {
  topic: string;
  queueId: number;
  queueOffset: number;
  tagsCode: number;
  storeTimestamp: number;
}

export class Dispatcher {
  listener: MessageArrivingListener | undefined;
  /** Store time of the newest dispatched record (for the checkpoint). */
  lastStoreTimestamp = 0;
  private arrivals: Arrival[] = [];

  constructor(
    private readonly consumeQueues: ConsumeQueueTable,
    private readonly index: IndexService | undefined,
  ) {}

  /** Stages the record's unit and index keys; `notify` queues a listener call for after the write. */
  dispatch(req: DispatchRequest, notify: boolean): void {
    if (!isPreparedOrRollback(req.sysFlag)) {
      const cq = this.consumeQueues.findOrCreate(req.topic, req.queueId);
      const staged = cq.put(req.queueOffset, {
        commitLogOffset: req.commitLogOffset,
        size: req.size,
        tagsCode: req.tagsCode,
      });
      if (staged) {
        this.consumeQueues.markStaged(cq);
        if (notify && this.listener) this.arrivals.push(req);
      }
    }
    this.index?.buildIndex(
      req.topic,
      req.commitLogOffset,
      req.storeTimestamp,
      req.sysFlag,
      req.uniqKey,
      req.keys,
    );
    if (req.storeTimestamp > this.lastStoreTimestamp) this.lastStoreTimestamp = req.storeTimestamp;
  }

  /** Writes what was staged, then calls the listener (logicOffset = queueOffset + 1, the new max, as Apache). */
  commit(): void {
    this.consumeQueues.writeStaged();
    this.index?.writeStaged();
    const arrivals = this.arrivals;
    if (arrivals.length === 0) return;
    this.arrivals = [];
    const listener = this.listener;
    if (!listener) return;
    for (const a of arrivals) {
      try {
        listener(a.topic, a.queueId, a.queueOffset + 1, a.tagsCode, a.storeTimestamp);
      } catch (e) {
        // a listener bug must not fail the append (the records are already written)
        process.emitWarning(`MessageArrivingListener threw: ${String(e)}`);
      }
    }
  }

  discard(): void {
    this.consumeQueues.discardStaged();
    this.index?.discardStaged();
    this.arrivals = [];
  }
}
