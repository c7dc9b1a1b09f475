/**
 * The broker's calls to the NameServers: REGISTER_BROKER (at start, every registerNameServerPeriod, after topic
 * changes) and UNREGISTER_BROKER at shutdown, to every address in namesrvAddr (";"-separated).
 */
import { crc32 } from "node:zlib";
import { dataVersionBean } from "../protocol/data-version.js";
import { toFastjson } from "../protocol/fastjson.js";
import { isReadable, isWriteable } from "../protocol/perm-name.js";
import { createRequest } from "../protocol/remoting-command.js";
import { RequestCode } from "../protocol/request-code.js";
import { ResponseCode } from "../protocol/response-code.js";
import { type TopicConfig, topicConfigBean } from "../protocol/topic-config.js";
import { RemotingClient } from "../remoting/client.js";
import type { BrokerContext } from "./broker-context.js";

export function namesrvAddrList(namesrvAddr: string): string[] {
  return namesrvAddr
    .split(";")
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
}

export class BrokerOuterAPI {
  private readonly client = new RemotingClient();
  private readonly failures = new Map<string, string>();

  constructor(private readonly ctx: BrokerContext) {}

  private header(): Record<string, string> {
    const c = this.ctx.config;
    return {
      brokerName: c.brokerName,
      brokerAddr: this.ctx.brokerAddr,
      clusterName: c.brokerClusterName,
      haServerAddr: `${c.brokerIP1}:${c.listenPort + 1}`,
      brokerId: String(c.brokerId),
    };
  }

  /** The topic table as registered: broker-wide perm is ANDed in when the broker is not read-write. */
  private registeredTopics(): TopicConfig[] {
    const brokerPerm = this.ctx.config.brokerPermission;
    const restricted = !isWriteable(brokerPerm) || !isReadable(brokerPerm);
    return this.ctx.topicConfigManager
      .all()
      .map((tc) => (restricted ? { ...tc, perm: tc.perm & brokerPerm } : tc));
  }

  private body(): Buffer {
    const topicConfigTable: Record<string, unknown> = {};
    for (const tc of this.registeredTopics()) topicConfigTable[tc.topicName] = topicConfigBean(tc);
    const json = toFastjson({
      filterServerList: [],
      topicConfigSerializeWrapper: {
        dataVersion: dataVersionBean(this.ctx.topicConfigManager.dataVersion),
        topicConfigTable,
      },
    });
    return Buffer.from(json, "utf8");
  }

  /** Register with every NameServer; failures are logged once per address, never thrown. */
  async registerBrokerAll(): Promise<void> {
    const body = this.body();
    const ext = { ...this.header(), compressed: "false", bodyCrc32: String(crc32(body) & 0x7fffffff) };
    const timeout = this.ctx.config.registerBrokerTimeoutMills;
    await Promise.all(
      namesrvAddrList(this.ctx.config.namesrvAddr).map(async (addr) => {
        try {
          const res = await this.client.invoke(
            addr,
            createRequest(RequestCode.REGISTER_BROKER, ext, body),
            timeout,
          );
          if (res.code !== ResponseCode.SUCCESS) throw new Error(`code ${res.code} ${res.remark ?? ""}`);
          if (this.failures.delete(addr))
            process.stderr.write(`stratus broker: registered with NameServer ${addr}\n`);
        } catch (e) {
          const msg = (e as Error).message;
          if (this.failures.get(addr) !== msg) {
            process.stderr.write(`stratus broker: cannot register with NameServer ${addr}: ${msg}\n`);
          }
          this.failures.set(addr, msg);
        }
      }),
    );
  }

  async unregisterBrokerAll(): Promise<void> {
    await Promise.all(
      namesrvAddrList(this.ctx.config.namesrvAddr).map((addr) =>
        this.client
          .invoke(addr, createRequest(RequestCode.UNREGISTER_BROKER, this.header()), 1000)
          .catch(() => undefined),
      ),
    );
  }

  close(): void {
    this.client.close();
  }
}
