/**
 * CHECK_CLIENT_CONFIG (what a Java consumer sends at start for a non-TAG subscription): a SQL92 expression
 * that does not parse is answered SUBSCRIPTION_PARSE_FAILED (23) with the parser's own error as the remark —
 * the token it met, its line and column, what it expected — as Apache answers with its parser's exception.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkExpression } from "../../../lib/broker/expression-message-filter.js";
import { ClientManageProcessor } from "../../../lib/broker/processor/client-manage-processor.js";
import { encodeSubscriptionData } from "../../../lib/protocol/body/heartbeat-data.js";
import { createRequest } from "../../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../../lib/protocol/request-code.js";
import { ResponseCode } from "../../../lib/protocol/response-code.js";
import { type AdminFixture, createAdminFixture, subscription } from "./admin-fixture.js";

let f: AdminFixture;

beforeEach(() => {
  f = createAdminFixture([["enablePropertyFilter", "true"]]);
});

afterEach(() => f.cleanup());

function check(expression: string, expressionType = "SQL92") {
  const sub = { ...subscription("TopicTest", expression), expressionType };
  const body = JSON.stringify({
    clientId: "10.0.0.9@1",
    group: "cg_sql",
    subscriptionData: encodeSubscriptionData(sub),
  });
  const p = new ClientManageProcessor(f.ctx, checkExpression);
  return p.checkClientConfig(createRequest(RequestCode.CHECK_CLIENT_CONFIG, {}, Buffer.from(body)));
}

describe("CHECK_CLIENT_CONFIG", () => {
  it("accepts an expression that parses", () => {
    expect(check("a > 1 AND b = 'x'").code).toBe(ResponseCode.SUCCESS);
  });

  it("answers a syntax error with code 23 and the parser's error: token, line, column, what it expected", () => {
    const r = check("a > AND b = 'x'");
    expect(r.code).toBe(ResponseCode.SUBSCRIPTION_PARSE_FAILED);
    expect(r.remark).toMatch(/^Encountered "AND" at line 1, column 5\. Was expecting .+\.$/);
  });

  it("points at the line and column on a later line too", () => {
    const r = check("a = 1\nAND (b = 'x'");
    expect(r.code).toBe(ResponseCode.SUBSCRIPTION_PARSE_FAILED);
    expect(r.remark).toMatch(/^Encountered <EOF> at line 2, column \d+\./);
  });

  it("answers a lexical error with code 23 and its position", () => {
    const r = check("a = 1 # 2");
    expect(r.code).toBe(ResponseCode.SUBSCRIPTION_PARSE_FAILED);
    expect(r.remark).toMatch(/^Lexical error at line 1, column 7\./);
  });
});
