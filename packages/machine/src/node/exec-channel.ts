import { spawn, type ChildProcess } from "node:child_process";
import type { InputChannel, OutputChannel } from "../channel.js";
import { MachineError } from "../errors.js";
import { SocketOutputChannel, socketInput } from "./socket-channel.js";

function exited(child: ChildProcess, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once("error", (err) => reject(new MachineError("CHANNEL", `Failed to run '${command}': ${err.message}`, { cause: err })));
    child.once("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new MachineError("CHANNEL", `'${command}' exited with ${signal ?? `status ${code}`}`));
    });
  });
}

/** `exec:CMD` outgoing: the stream goes to the command's standard input (`/bin/sh -c`). */
export function execOutput(command: string): OutputChannel {
  const child = spawn("/bin/sh", ["-c", command], { stdio: ["pipe", "ignore", "inherit"] });
  const exit = exited(child, command);
  exit.catch(() => undefined);
  const pipe = new SocketOutputChannel(child.stdin!);
  return {
    write: (chunks) => pipe.write(chunks),
    async close() {
      await pipe.close();
      await exit;
    },
    async abort() {
      await pipe.abort();
      child.kill("SIGTERM");
    },
  };
}

/** `exec:CMD` incoming: the stream is the command's standard output. */
export function execInput(command: string): InputChannel {
  const child = spawn("/bin/sh", ["-c", command], { stdio: ["ignore", "pipe", "inherit"] });
  const exit = exited(child, command);
  exit.catch(() => undefined);
  const input = socketInput(child.stdout!);
  return {
    async *[Symbol.asyncIterator]() {
      yield* input;
      await exit;
    },
    async close() {
      await input.close();
      if (child.exitCode === null) child.kill("SIGTERM");
    },
  };
}
