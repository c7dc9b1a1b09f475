/**
 * Startup recovery (protocol §9.6), with the CommitLog as the source of truth:
 * 1. open CommitLog segments, ConsumeQueues (each up to its first invalid unit) and index files;
 * 2. scan the CommitLog from the newest segment whose first record is older than the checkpoint's safe time
 *    (the first segment if there is none), validating size, magic, CRC and fields, and re-dispatch every valid
 *    record (units already present are skipped);
 * 3. cut the CommitLog after the last valid record, and drop ConsumeQueue units and index items past it.
 */
import { MessageConst } from "../protocol/message-properties.js";
import type { MessageExt } from "../protocol/message-record.js";
import type { StoreCheckpoint } from "./checkpoint.js";
import type { CommitLog } from "./commitlog/commit-log.js";
import { pickRecoveryStart, scanCommitLog } from "./commitlog/commit-log-scan.js";
import type { ConsumeQueueTable } from "./consumequeue/consume-queue-table.js";
import type { Dispatcher } from "./dispatcher.js";
import type { IndexService } from "./index/index-service.js";
import { consumeQueueTagsCode } from "./schedule-delay.js";

/** Re-dispatched records staged before their units are written out. */
const RECOVERY_COMMIT_EVERY = 4096;

export interface RecoveryParts {
  commitLog: CommitLog;
  consumeQueues: ConsumeQueueTable;
  index: IndexService | undefined;
  dispatcher: Dispatcher;
  checkpoint: StoreCheckpoint;
  delayLevels: readonly number[];
}

export interface RecoveryOutcome {
  /** CommitLog end after recovery. */
  maxPhyOffset: number;
  /** Records validated by the scan. */
  scanned: number;
  /** Store time of the newest valid record (0 if none was scanned). */
  lastStoreTimestamp: number;
}

export function recoverStore(p: RecoveryParts, lastExitOK: boolean): RecoveryOutcome {
  p.commitLog.load();
  p.consumeQueues.load();
  p.index?.load(lastExitOK);
  const start = pickRecoveryStart(p.commitLog, p.checkpoint.minTimestamp());
  let scanned = 0;
  let lastStoreTimestamp = 0;
  const end = scanCommitLog(
    p.commitLog,
    start,
    { checkCRC: true, afterCrash: !lastExitOK },
    (msg: MessageExt) => {
      p.dispatcher.dispatch(
        {
          topic: msg.topic,
          queueId: msg.queueId,
          commitLogOffset: msg.commitLogOffset,
          size: msg.storeSize,
          tagsCode: consumeQueueTagsCode(
            p.delayLevels,
            msg.topic,
            msg.propertiesString,
            msg.storeTimestamp,
            undefined,
          ),
          storeTimestamp: msg.storeTimestamp,
          queueOffset: msg.queueOffset,
          sysFlag: msg.sysFlag,
          uniqKey: msg.properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX),
          keys: msg.properties.get(MessageConst.PROPERTY_KEYS),
        },
        false,
      );
      lastStoreTimestamp = msg.storeTimestamp;
      if (++scanned % RECOVERY_COMMIT_EVERY === 0) p.dispatcher.commit();
    },
  );
  p.dispatcher.commit();
  p.commitLog.truncateAt(end);
  p.commitLog.flushedOffset = end;
  for (const cq of p.consumeQueues.all()) {
    cq.truncateDirty(end);
    cq.correctMinOffset(p.commitLog.minOffset);
  }
  p.index?.truncateBeyond(end);
  return { maxPhyOffset: end, scanned, lastStoreTimestamp };
}
