/**
 * Our QMP server in its own process for the benchmark (QEMU runs in its own process too), with
 * QEMU's query-status. Usage: node server-process.js SOCKET_PATH
 */
import { listenQmp } from "../src/node.js";
import { QmpServer } from "../src/server.js";
import { t } from "../src/schema.js";

const path = process.argv[2];
if (!path) throw new Error("usage: server-process SOCKET_PATH");
const server = new QmpServer();
server.command("query-status", {
  returns: t.struct("StatusInfo", { running: "bool", singlestep: "bool", status: "str" }),
  handler: () => ({ running: false, singlestep: false, status: "prelaunch" }),
});
await listenQmp(server, `unix:${path}`);
process.stdout.write("ready\n");
process.on("SIGTERM", () => process.exit(0));
