/** The interop tests talk to QEMU through our own QMP client, as users of @savevm/qmp would. */
import { QmpClient } from "@savevm/qmp/node";

export interface Monitor {
  execute(command: string, args?: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

export async function connectMonitor(socketPath: string, timeoutMs: number): Promise<Monitor> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const client = await QmpClient.connect(`unix:${socketPath}`, { connectTimeoutMs: 2_000 });
      return {
        execute: (command, args) => client.execute(command, args),
        close: () => client.close(),
      };
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
