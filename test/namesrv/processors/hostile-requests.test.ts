import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStratusError } from "../../../lib/common/errors.js";
import { adminProcessors } from "../../../lib/namesrv/processors/admin-processors.js";
import { brokerProcessors } from "../../../lib/namesrv/processors/broker-processors.js";
import { routeProcessors } from "../../../lib/namesrv/processors/route-processors.js";
import { createRequest } from "../../../lib/protocol/remoting-command.js";
import { registerRequest, testChannel, testContext } from "../helpers.js";

const KEYS = [
  "brokerName",
  "brokerAddr",
  "clusterName",
  "haServerAddr",
  "brokerId",
  "compressed",
  "bodyCrc32",
  "topic",
  "cluster",
  "namespace",
  "key",
  "value",
  "acceptStandardJsonOnly",
  "heartbeatTimeoutMillis",
];

const extFields = fc.dictionary(
  fc.constantFrom(...KEYS),
  fc.oneof(fc.string({ maxLength: 12 }), fc.integer().map(String), fc.constantFrom("true", "false", "0", "")),
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v))),
  fc.nat(400).map((n) => (registerRequest().body ?? Buffer.alloc(0)).subarray(0, n)),
);

describe("NameServer processors under hostile requests", () => {
  it("answer or fail with StratusError, never crash, whatever the header and body", async () => {
    const ctx = testContext();
    const processors = [...brokerProcessors(ctx), ...routeProcessors(ctx), ...adminProcessors(ctx)];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...processors),
        extFields,
        body,
        fc.nat(500),
        async ([code, processor], ext, b, version) => {
          const request = { ...createRequest(code, ext, b), version };
          try {
            const response = await processor(request, testChannel());
            expect(response.opaque).toBe(request.opaque);
          } catch (e) {
            expect(isStratusError(e), String(e)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
