import { describe, expect, it } from "vitest";
import { adminProcessors } from "../../../lib/namesrv/processors/admin-processors.js";
import type { NamesrvContext } from "../../../lib/namesrv/processors/context.js";
import { decodeKVTable } from "../../../lib/protocol/cluster-info.js";
import { encodeKVConfigHeader } from "../../../lib/protocol/namesrv-headers.js";
import { createRequest, type RemotingCommand } from "../../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../../lib/protocol/request-code.js";
import { ResponseCode } from "../../../lib/protocol/response-code.js";
import { testChannel, testContext } from "../helpers.js";

function run(ctx: NamesrvContext, request: RemotingCommand): Promise<RemotingCommand> {
  const found = adminProcessors(ctx).find(([c]) => c === request.code);
  if (!found) throw new Error(`no processor for ${request.code}`);
  return found[1](request, testChannel());
}

const kv = (code: number, namespace: string, key: string, value?: string) =>
  createRequest(code, encodeKVConfigHeader({ namespace, key, value }));

describe("KV config", () => {
  it("puts, gets and deletes a value, answering QUERY_NOT_FOUND with Apache's remark once it is gone", async () => {
    const ctx = testContext();
    expect(
      (await run(ctx, kv(RequestCode.PUT_KV_CONFIG, "ORDER_TOPIC_CONFIG", "T", "broker-a:4"))).code,
    ).toBe(ResponseCode.SUCCESS);
    const got = await run(ctx, kv(RequestCode.GET_KV_CONFIG, "ORDER_TOPIC_CONFIG", "T"));
    expect([got.code, got.extFields]).toEqual([ResponseCode.SUCCESS, { value: "broker-a:4" }]);
    await run(ctx, kv(RequestCode.DELETE_KV_CONFIG, "ORDER_TOPIC_CONFIG", "T"));
    const missing = await run(ctx, kv(RequestCode.GET_KV_CONFIG, "ORDER_TOPIC_CONFIG", "T"));
    expect([missing.code, missing.remark]).toEqual([
      ResponseCode.QUERY_NOT_FOUND,
      "No config item, Namespace: ORDER_TOPIC_CONFIG Key: T",
    ]);
  });

  it("lists a namespace as a KVTable, and answers QUERY_NOT_FOUND for one never written", async () => {
    const ctx = testContext();
    await run(ctx, kv(RequestCode.PUT_KV_CONFIG, "ns", "a", "1"));
    await run(ctx, kv(RequestCode.PUT_KV_CONFIG, "ns", "b", "2"));
    const list = await run(ctx, createRequest(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: "ns" }));
    expect(decodeKVTable(list.body ?? Buffer.alloc(0))).toEqual({ table: { a: "1", b: "2" } });
    const none = await run(ctx, createRequest(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: "other" }));
    expect([none.code, none.remark]).toEqual([
      ResponseCode.QUERY_NOT_FOUND,
      "No config item, Namespace: other",
    ]);
  });

  it("requires namespace, key and value on PUT_KV_CONFIG", async () => {
    const ctx = testContext();
    await expect(run(ctx, kv(RequestCode.PUT_KV_CONFIG, "ns", "k"))).rejects.toMatchObject({
      code: "HEADER_MALFORMED",
    });
  });
});

describe("NameServer config", () => {
  it("serves its config as properties text", async () => {
    const ctx = testContext();
    const text = (await run(ctx, createRequest(RequestCode.GET_NAMESRV_CONFIG))).body?.toString() ?? "";
    expect(text).toContain("listenPort=9876\n");
    expect(text).toContain("orderMessageEnable=false\n");
  });

  it("updates runtime settings and refuses black-listed or unknown keys", async () => {
    const ctx = testContext();
    const update = (text: string) =>
      run(ctx, createRequest(RequestCode.UPDATE_NAMESRV_CONFIG, {}, Buffer.from(text)));
    expect((await update("orderMessageEnable=true\nenableTopicList=false\n")).code).toBe(
      ResponseCode.SUCCESS,
    );
    expect(ctx.config.current.orderMessageEnable).toBe(true);
    expect(ctx.config.current.enableTopicList).toBe(false);
    const black = await update("kvConfigPath=/tmp/x");
    expect([black.code, black.remark]).toEqual([
      ResponseCode.NO_PERMISSION,
      "Can not update config in black list.",
    ]);
    const unknown = await update("noSuchKey=1");
    expect(unknown.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(unknown.remark).toContain("noSuchKey");
    const badValue = await update("orderMessageEnable=maybe");
    expect(badValue.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(ctx.config.current.orderMessageEnable).toBe(true);
  });
});
