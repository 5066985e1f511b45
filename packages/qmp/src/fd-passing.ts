import { spawn } from "node:child_process";
import type * as net from "node:net";
import { QmpClientError } from "./errors.js";

/**
 * Sending a descriptor with SCM_RIGHTS (what `getfd` and `add-fd` need). Node's `net` module
 * cannot attach ancillary data to a write, so a short-lived python3 process inherits both the
 * connected unix socket and the descriptor and does the one `sendmsg`; the reply still arrives
 * on our side of the socket. Without python3 (3.9+, for `socket.send_fds`) fd passing is
 * reported unavailable and callers fall back to another channel.
 */

const HELPER = [
  "import socket, sys",
  "data = sys.stdin.buffer.read()",
  "s = socket.socket(fileno=3)",
  "sent = socket.send_fds(s, [data], [4])",
  "if sent < len(data): s.sendall(data[sent:])",
].join("\n");

const PYTHON = process.env.SAVEVM_PYTHON ?? "python3";

let available: Promise<boolean> | undefined;

/** Whether this host can send descriptors over unix sockets (python3 with `socket.send_fds`). */
export function fdPassingAvailable(): Promise<boolean> {
  available ??= new Promise<boolean>((resolve) => {
    const child = spawn(PYTHON, ["-c", "import socket; socket.send_fds"], { stdio: "ignore" });
    child.once("error", () => resolve(false));
    child.once("close", (code) => resolve(code === 0));
  });
  return available;
}

function drained(socket: net.Socket): Promise<void> {
  if (socket.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => socket.once("drain", () => resolve()));
}

/**
 * Writes `bytes` to a connected unix socket with `fd` attached (SCM_RIGHTS), after everything
 * written before has left. The descriptor stays open on our side.
 */
export async function writeWithFd(socket: net.Socket, bytes: Uint8Array, fd: number): Promise<void> {
  if (!(await fdPassingAvailable())) {
    throw new QmpClientError("FD_PASSING_UNAVAILABLE", `sending a file descriptor needs ${PYTHON} 3.9 or newer, which was not found`);
  }
  // Handing the Socket object itself to spawn() would stop our reads on it for good, so the
  // child gets the descriptor number (libuv keeps it in the handle on every Unix).
  const socketFd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof socketFd !== "number" || socketFd < 0) {
    throw new QmpClientError("FD_PASSING_UNAVAILABLE", "this connection has no socket descriptor to send a file descriptor over");
  }
  // A QMP message must reach the peer whole: let our own buffered bytes go first.
  await drained(socket);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(PYTHON, ["-c", HELPER], { stdio: ["pipe", "ignore", "pipe", socketFd, fd] });
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (text: string) => (stderr += text.slice(0, 2000)));
    child.once("error", (err) => reject(new QmpClientError("FD_PASSING_FAILED", `cannot run ${PYTHON}: ${err.message}`, { cause: err })));
    child.once("close", (code) => {
      if (code === 0) resolve();
      else reject(new QmpClientError("FD_PASSING_FAILED", `sending the file descriptor failed: ${stderr.trim() || `exit status ${code}`}`));
    });
    child.stdin!.end(bytes);
  });
}
