import { errorMessage } from "../errors.js";
import type { Machine } from "../machine.js";
import type { MonitorChannels } from "./monitor-channels.js";

/**
 * `migrate-incoming` / `--incoming URI`: checks and starts listening now, then loads the stream
 * in the background. A failure is reported (status `failed`, `error-desc`) and the machine keeps
 * waiting, ready for another `migrate-incoming`.
 */
export async function startIncoming(
  machine: Machine,
  channels: MonitorChannels,
  uri: string,
  onError: (message: string) => void = () => undefined,
): Promise<void> {
  machine.checkIncoming();
  const prepared = await channels.prepareInput(uri);
  machine.markIncomingStarted(prepared.socketAddress);
  void (async () => {
    try {
      const input = await prepared.accept();
      await machine.incoming(input);
    } catch (err) {
      machine.markIncomingFailed(errorMessage(err));
      onError(errorMessage(err));
    } finally {
      prepared.close?.();
    }
  })();
}
