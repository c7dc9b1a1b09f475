/**
 * Every limit Stratus enforces, as a named constant. Each is checked before allocating.
 */

/** Largest frame accepted on the wire (Apache: com.rocketmq.remoting.frameMaxLength). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** Largest remoting header (JSON or ROCKETMQ binary). */
export const MAX_HEADER_BYTES = 1024 * 1024;
/** Most extFields entries in one header. */
export const MAX_EXT_FIELDS = 1024;
/** Requests one connection may have in flight before the server answers SYSTEM_BUSY. */
export const MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION = 4096;
/** Bytes queued for write on one connection before it is considered stuck and closed. */
export const MAX_PENDING_WRITE_BYTES = 64 * 1024 * 1024;
/** Connections one server accepts at once. */
export const MAX_CONNECTIONS = 10_000;
/** Idle time after which a server closes a channel (Apache serverChannelMaxIdleTimeSeconds). */
export const DEFAULT_IDLE_CLOSE_MS = 120_000;
/** Default timeout for a request a Stratus process sends. */
export const DEFAULT_INVOKE_TIMEOUT_MS = 3_000;

/** Largest message body (Apache maxMessageSize, 4 MiB). */
export const MAX_MESSAGE_BODY_BYTES = 4 * 1024 * 1024;
/** Largest properties string in one message (Apache: Short.MAX_VALUE). */
export const MAX_PROPERTIES_BYTES = 32_767;
/** Longest topic name (Apache TopicValidator: 127). */
export const MAX_TOPIC_LENGTH = 127;
/** Largest total size of one batch body. */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** The smallest batch entry (empty body, no properties: BATCH_MIN_RECORD_BYTES in lib/protocol/message-batch). */
const MIN_BATCH_ENTRY_BYTES = 22;
/**
 * Most messages in one batch: as many as MAX_BATCH_BYTES can hold, so only the byte limit ever refuses a batch
 * (Apache counts none; its clients split batches by size alone, so 4 MiB of short messages is tens of thousands).
 */
export const MAX_BATCH_MESSAGES = Math.floor(MAX_BATCH_BYTES / MIN_BATCH_ENTRY_BYTES);
/** Most messages returned by one pull (Apache maxTransferCountOnMessageInMemory is 32 per pull by default). */
export const MAX_PULL_MESSAGES = 1024;
/** Largest pull response body. */
export const MAX_PULL_BYTES = 8 * 1024 * 1024;
/** Pull requests parked (long polling) across the broker. */
export const MAX_PARKED_PULLS = 100_000;
/** Largest queue count a topic may have. */
export const MAX_QUEUE_NUMS = 1024;
/** Most results one QUERY_MESSAGE returns. */
export const MAX_QUERY_RESULTS = 64;
/** Largest stored message record: the body limit plus room for topic, properties and the fixed fields (Apache 5.x). */
export const MAX_MESSAGE_RECORD_BYTES = MAX_MESSAGE_BODY_BYTES + 64 * 1024;
/** Deepest object/array nesting accepted in a JSON body (fastjson bodies nest at most a handful of levels). */
export const MAX_JSON_DEPTH = 64;
/** Largest inflated REGISTER_BROKER body (compressed form); a broker with 100k topics needs well under this. */
export const MAX_REGISTER_BODY_INFLATED_BYTES = 64 * 1024 * 1024;
/** Largest QUERY_MESSAGE response body: matching records are returned until this many bytes. */
export const MAX_QUERY_BODY_BYTES = 8 * 1024 * 1024;
/** Queue locks (LOCK_BATCH_MQ) held across all consumer groups; expired ones are purged before refusing. */
export const MAX_REBALANCE_LOCK_ENTRIES = 1_000_000;
/** Live brokers one NameServer tracks. */
export const MAX_NAMESRV_BROKERS = 10_000;
/** Topics in one NameServer's route table. */
export const MAX_NAMESRV_TOPICS = 1_000_000;
/** Topics whose route a MetadataStore-backed NameServer keeps cached (the least recently loaded go first). */
export const MAX_NAMESRV_ROUTE_CACHE_ENTRIES = 100_000;
/** Entries (all namespaces together) in the NameServer's KV config table. */
export const MAX_KV_CONFIG_ENTRIES = 100_000;
/** Longest SQL92 filter expression compiled, in UTF-16 code units (Apache sets none; real selectors are short). */
export const MAX_FILTER_EXPRESSION_LENGTH = 8 * 1024;
/** Deepest nesting of a SQL92 filter (parentheses, unary operators, chained comparisons), checked before recursing. */
export const MAX_FILTER_NESTING_DEPTH = 128;
/** Compiled SQL92 filters kept by expression string (Apache's SelectorParser cache holds 100). */
export const MAX_FILTER_CACHE_ENTRIES = 256;
/** Timer messages (5.x TIMER_DELIVER_MS / TIMER_DELAY_SEC) waiting in memory at once; more are refused. */
export const MAX_PENDING_TIMER_MESSAGES = 1_000_000;

/** Longest ObjectStore key in UTF-8 bytes (S3's limit). */
export const MAX_OBJECT_KEY_BYTES = 1024;
/** Longest "/"-separated segment of an ObjectStore key once percent-encoded (a file name on the embedded
 * store: 255 bytes less room for its suffix). */
export const MAX_OBJECT_KEY_SEGMENT_BYTES = 240;
/** Largest object one ObjectStore.put accepts (it is held in memory as one Buffer). */
export const MAX_OBJECT_BYTES = 1024 * 1024 * 1024;
/** Objects at least this large are uploaded in parts (S3 multipart) by the AWS ObjectStore. */
export const OBJECT_MULTIPART_THRESHOLD_BYTES = 16 * 1024 * 1024;
/** Part size of a multipart upload (S3's minimum for all parts but the last is 5 MiB). */
export const OBJECT_MULTIPART_PART_BYTES = 8 * 1024 * 1024;
/** Smallest part S3 accepts (every part but the last). */
export const MIN_OBJECT_MULTIPART_PART_BYTES = 5 * 1024 * 1024;
/** Parts of one multipart upload sent at once. */
export const OBJECT_MULTIPART_CONCURRENCY = 4;
/** Most keys one ObjectStore.list page returns (S3's ListObjectsV2 maximum). */
export const MAX_OBJECT_LIST_PAGE = 1000;
/** Longest MetadataStore partition or sort key in UTF-8 bytes (DynamoDB's sort-key limit). */
export const MAX_METADATA_KEY_BYTES = 1024;
/** Largest MetadataStore value, as JSON (DynamoDB items stop at 400 KB with keys and attributes). */
export const MAX_METADATA_VALUE_BYTES = 350 * 1024;
/** Most items one MetadataStore.query page returns. */
export const MAX_METADATA_QUERY_PAGE = 1000;
/** Most operations in one MetadataStore.transactWrite (DynamoDB TransactWriteItems allows 100). */
export const MAX_METADATA_TRANSACT_OPS = 25;
/** Most operations in one MetadataStore.batchWrite call (sent to DynamoDB 25 at a time). */
export const MAX_METADATA_BATCH_OPS = 10_000;

/** Largest message-trace body decoded (a trace message is an ordinary message: Apache maxMessageSize). */
export const MAX_TRACE_BODY_BYTES = MAX_MESSAGE_BODY_BYTES;
/** Most trace messages one trace query reads per broker and key (Apache mqadmin queryMsgTraceById's maxNum). */
export const MAX_TRACE_QUERY_MESSAGES = MAX_QUERY_RESULTS;

/** Largest CommitLog chunk the tier uploader cuts (tierChunkBytes is checked against it; a chunk offset fits an int). */
export const MAX_TIER_CHUNK_BYTES = 256 * 1024 * 1024;
/** Most topic-queues one tier chunk holds (a chunk's manifest record lists them; 1024 keeps it far below 350 KiB). */
export const MAX_TIER_CHUNK_QUEUES = 1024;
/** Largest chunk index (the ConsumeQueue units and keys after a chunk's CommitLog bytes) the tier reader decodes. */
export const MAX_TIER_CHUNK_INDEX_BYTES = 64 * 1024 * 1024;
/** Bytes of a tier chunk one range read fetches (the unit the read cache holds). */
export const TIER_READ_BLOCK_BYTES = 1024 * 1024;
/** Blocks the tier reader fetches ahead of a sequential read. */
export const TIER_READ_AHEAD_BLOCKS = 2;
/** Default bytes of tier data (blocks and chunk indexes) cached by a broker (tierReadCacheBytes). */
export const DEFAULT_TIER_READ_CACHE_BYTES = 64 * 1024 * 1024;
/** Tier chunks whose key index one QUERY_MESSAGE reads, newest first. */
export const MAX_TIER_QUERY_CHUNKS = 256;
/** Tier chunks held in a broker's in-memory manifest index. */
export const MAX_TIER_INDEXED_CHUNKS = 10_000_000;
/** Longest wait between two attempts of a failing tier upload or manifest commit (backoff cap). */
export const TIER_RETRY_MAX_MS = 5_000;
/** Tier chunks object-store retention removes per pass. */
export const MAX_TIER_CHUNKS_EXPIRED_PER_RUN = 100;
