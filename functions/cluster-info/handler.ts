/**
 * Lambda entry of the cluster-info admin API (cluster-info.ts). STRATUS_NAMESRV_ADDR is the NameServer load
 * balancer's "dns:9876"; the remoting connection is kept across invocations of a warm function.
 */
import { RemotingClient } from "../../lib/remoting/client.js";
import { createClusterInfoHandler } from "./cluster-info.js";

const namesrvAddr = process.env.STRATUS_NAMESRV_ADDR;
if (namesrvAddr === undefined || namesrvAddr === "") throw new Error("STRATUS_NAMESRV_ADDR is not set");

export const handler = createClusterInfoHandler({ namesrvAddr, client: new RemotingClient() });
