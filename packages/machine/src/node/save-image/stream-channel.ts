import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MonitorDriver } from "./monitor-driver.js";
import { SaveRestoreError } from "./save-image-error.js";

/** The channel a save owns: the monitor migrates into `uri`, the save reads `bytes`. */
export interface StreamChannel {
  readonly kind: "fd" | "unix";
  /** What to give `migrate`. */
  readonly uri: string;
  /** The migration stream as it arrives; ends when the machine closes its side. */
  readonly bytes: AsyncIterable<Uint8Array>;
  /** Breaks the channel: a reader of `bytes` sees `error`. */
  fail(error: Error): void;
  close(): Promise<void>;
}

const FD_NAME = "savevm-save";

async function listenUnix(): Promise<{ server: net.Server; path: string; dir: string }> {
  // A private directory (mode 0700) holds the socket, so no other user can connect first.
  const dir = await mkdtemp(join(tmpdir(), "savevm-save-"));
  const path = join(dir, "migration.sock");
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return { server, path, dir };
}

/** The first connection to `server`; any later one is refused. */
function firstConnection(server: net.Server): Promise<net.Socket> {
  return new Promise((resolve) => {
    let taken = false;
    server.on("connection", (socket) => {
      if (taken) socket.destroy();
      else {
        taken = true;
        resolve(socket);
      }
    });
  });
}

function channelOver(kind: "fd" | "unix", uri: string, socket: Promise<net.Socket>, cleanup: () => Promise<void>): StreamChannel {
  let failure: Error | undefined;
  let current: net.Socket | undefined;
  let abortWait: ((error: Error) => void) | undefined;
  const waitFailure = new Promise<never>((_, reject) => (abortWait = reject));
  waitFailure.catch(() => undefined);
  return {
    kind,
    uri,
    bytes: (async function* () {
      const stream = await Promise.race([socket, waitFailure]);
      current = stream;
      if (failure) stream.destroy(failure);
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      } catch (err) {
        throw failure ?? new SaveRestoreError("CHANNEL", `migration channel failed: ${(err as Error).message}`, { cause: err });
      }
      if (failure) throw failure;
    })(),
    fail(error) {
      failure ??= error;
      abortWait?.(error);
      current?.destroy(error);
    },
    async close() {
      current?.destroy();
      await cleanup();
    },
  };
}

/**
 * A unix socket the save listens on (`migrate unix:PATH`): works with every monitor, QMP or
 * HMP, local QEMU or `savevm run`.
 */
export async function openSocketChannel(): Promise<StreamChannel> {
  const { server, path, dir } = await listenUnix();
  const connection = firstConnection(server);
  return channelOver("unix", `unix:${path}`, connection, async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });
}

/**
 * Two connected unix stream sockets (Node has no socketpair()): one end can be handed to
 * another process (its descriptor passed with getfd, or inherited), the other stays here.
 */
export async function connectedSocketPair(): Promise<{ local: net.Socket; remote: net.Socket }> {
  const { server, dir } = await listenUnix();
  try {
    const accepted = firstConnection(server);
    const remote = net.connect(server.address() as string);
    await new Promise<void>((resolve, reject) => {
      remote.once("connect", resolve);
      remote.once("error", reject);
    });
    return { local: await accepted, remote };
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The descriptor number behind a socket (libuv keeps it in the handle on every Unix). */
export function socketFd(socket: net.Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === "number" && fd >= 0 ? fd : undefined;
}

/**
 * A connected socket pair whose one end goes to the machine with `getfd` (SCM_RIGHTS), as
 * libvirt hands QEMU a pipe: `migrate fd:NAME`. Resolves `undefined` when the monitor cannot
 * take a descriptor, so the caller falls back to {@link openSocketChannel}.
 */
export async function openFdChannel(driver: MonitorDriver): Promise<StreamChannel | undefined> {
  const { local, remote } = await connectedSocketPair();
  try {
    const fd = socketFd(remote);
    const passed = fd !== undefined && (await driver.passFd(FD_NAME, fd));
    // The machine holds its own copy now; ours must go, or the reader would never see the end.
    remote.destroy();
    if (!passed) {
      local.destroy();
      return undefined;
    }
    return channelOver("fd", `fd:${FD_NAME}`, Promise.resolve(local), async () => undefined);
  } catch (err) {
    remote.destroy();
    local.destroy();
    throw err;
  }
}
