import { errorMessage } from "../errors.js";
import type { Machine } from "../machine.js";
import type { IncomingInput, MonitorChannels } from "./monitor-channels.js";

export interface IncomingHandlers {
  /** The load failed (the machine keeps waiting for another `migrate-incoming`). */
  onError?: (message: string) => void;
  /** Something a person starting the machine should read (a libvirt image's `was_running`). */
  onNote?: (line: string) => void;
  /** The load finished and the machine entered its run state. */
  onLoaded?: () => void;
}

/**
 * A libvirt image carries whether the guest ran at the save. libvirt stops the guest before it
 * saves, so the stream itself says "paused": as `virsh restore` does, the guest is resumed after
 * the load when `was_running` is set (unless `-S` asked to stay paused), and kept paused when
 * not (`stop` while incoming only clears autostart). Returns what to do once loaded.
 */
function followWasRunning(machine: Machine, input: IncomingInput, onNote: (line: string) => void): () => void {
  const header = input.saveImage;
  if (header === undefined) return () => undefined;
  const format = header.format === "raw" ? "" : `, ${header.format}`;
  if (!header.wasRunning) {
    machine.stop();
    onNote(`libvirt save image (was_running=0${format}): the guest stays paused after the load`);
    return () => undefined;
  }
  if (!machine.autostart) {
    onNote(`libvirt save image (was_running=1${format}): the guest stays paused after the load because of -S; 'cont' resumes it`);
    return () => undefined;
  }
  onNote(`libvirt save image (was_running=1${format}): the guest resumes after the load`);
  return () => {
    try {
      if (!machine.runState.running) machine.cont();
    } catch (err) {
      // the load itself succeeded: a guest that cannot resume (shutdown state) stays as loaded
      onNote(`the guest cannot resume after the load: ${errorMessage(err)}`);
    }
  };
}

/**
 * `migrate-incoming` / `--incoming URI`: checks and starts listening now, then loads the stream
 * in the background. A failure is reported (status `failed`, `error-desc`) and the machine keeps
 * waiting, ready for another `migrate-incoming`.
 */
export async function startIncoming(
  machine: Machine,
  channels: MonitorChannels,
  uri: string,
  handlers: IncomingHandlers | ((message: string) => void) = {}
): Promise<void> {
  const {
    onError = () => undefined,
    onNote = () => undefined,
    onLoaded = () => undefined,
  } = typeof handlers === "function" ? { onError: handlers } : handlers;
  machine.checkIncoming();
  const prepared = await channels.prepareInput(uri, machine.multifdRequest());
  machine.markIncomingStarted(prepared.socketAddress);
  void (async () => {
    try {
      const input = await prepared.accept();
      const afterLoad = followWasRunning(machine, input, onNote);
      await machine.incoming(input);
      afterLoad();
      onLoaded();
    } catch (err) {
      machine.markIncomingFailed(errorMessage(err));
      onError(errorMessage(err));
    } finally {
      prepared.close?.();
    }
  })();
}
