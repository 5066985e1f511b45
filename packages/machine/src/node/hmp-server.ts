import { HmpRegistry, HmpServer } from "@savevm/qmp";
import { listenHmp } from "@savevm/qmp/node";
import type { Machine } from "../machine.js";
import { registerMachineHmpCommands } from "../monitor/hmp-commands.js";
import type { MonitorChannels } from "../monitor/monitor-channels.js";

/** Serves the machine's human monitor on `address` (QEMU's `-monitor unix:…,server=on`). */
export async function serveHmp(
  machine: Machine,
  address: string,
  channels: MonitorChannels,
  onQuit: () => void,
  hmp: HmpRegistry = registerMachineHmpCommands(new HmpRegistry(), machine, { channels, onQuit }),
): Promise<{ address: unknown; close: () => Promise<void> }> {
  const server = new HmpServer(hmp, { banner: "QEMU 7.2.0 monitor - type 'help' for more information" });
  const listener = await listenHmp(server, address);
  return {
    address: listener.address,
    async close() {
      server.close();
      await listener.close();
    },
  };
}
