/**
 * Node-only entry point (`@savevm/qmp/node`): sockets, stdio, and clients that take addresses.
 */
import { parseAddress, type QmpAddress } from "./address.js";
import type { ByteStream } from "./byte-stream.js";
import { QmpClient as BaseQmpClient, type QmpClientOptions, type StreamConnector } from "./client.js";
import type { HmpServer } from "./hmp-server.js";
import { HmpTextClient } from "./hmp-text-client.js";
import type { QmpServer } from "./server.js";
import { acceptStream, closeDescriptor, connectStream, listenStreams, stdioStream, type ListenOptions, type StreamListener } from "./transports.js";

export { acceptStream, AddressInUseError, claimSocketPath, closeDescriptor, connectStream, listenStreams, stdioStream, unixListenError } from "./transports.js";
export type { ConnectOptions, ListenOptions, StreamListener } from "./transports.js";
export { fdPassingAvailable, writeWithFd } from "./fd-passing.js";

/**
 * Serves `server` on `address`: `unix:PATH` (socket file mode 0600), `tcp:HOST:PORT`
 * (127.0.0.1 when HOST is empty), `fd:N` (an inherited listening socket) or `stdio`.
 */
export async function listenQmp(server: QmpServer, address: string | QmpAddress, options: ListenOptions = {}): Promise<StreamListener> {
  server.fds.closeFd ??= closeDescriptor;
  const where = typeof address === "string" ? parseAddress(address) : address;
  if (where.kind === "stdio") {
    const session = server.attach(stdioStream());
    return { address: where, close: async () => session.close("listener closed") };
  }
  return listenStreams(where, (socket) => server.attach(socket), options);
}

/** Options of the Node {@link QmpClient}: the client's plus a connect timeout. */
export interface NodeQmpClientOptions extends QmpClientOptions {
  /** Give up connecting to an address after this many milliseconds. */
  connectTimeoutMs?: number;
}

function isAddress(target: unknown): target is QmpAddress {
  return typeof target === "object" && target !== null && "kind" in target && !("write" in target);
}

/**
 * The QMP client with addresses: `QmpClient.connect("unix:/run/vm.qmp")`,
 * `QmpClient.connect("tcp:127.0.0.1:4444")`, or any stream. With an address the client can
 * reconnect (option `reconnect`).
 */
export class QmpClient extends BaseQmpClient {
  static override connect<C extends BaseQmpClient>(
    this: new (options?: QmpClientOptions) => C,
    target: string | QmpAddress | ByteStream | StreamConnector,
    options: NodeQmpClientOptions = {},
  ): Promise<C> {
    const opened: ByteStream | StreamConnector =
      typeof target === "string" || isAddress(target) ? () => connectStream(target, { timeoutMs: options.connectTimeoutMs }) : target;
    return BaseQmpClient.connect.call(this, opened, options) as Promise<C>;
  }

  /**
   * Listens on `address` and waits for QEMU to connect out (`-qmp unix:PATH` without
   * `server=on`), then talks QMP over that connection.
   */
  static async accept(
    address: string | QmpAddress,
    options: NodeQmpClientOptions & { acceptTimeoutMs?: number; onListening?: (address: QmpAddress) => void } = {},
  ): Promise<QmpClient> {
    const acceptOptions: { timeoutMs?: number; onListening?: (address: QmpAddress) => void } = {};
    if (options.acceptTimeoutMs !== undefined) acceptOptions.timeoutMs = options.acceptTimeoutMs;
    if (options.onListening) acceptOptions.onListening = options.onListening;
    const stream = await acceptStream(address, acceptOptions);
    return QmpClient.connect(stream, options);
  }
}

/** Serves an HMP server on `address` (see {@link listenQmp} for the forms). */
export async function listenHmp(server: HmpServer, address: string | QmpAddress, options: ListenOptions = {}): Promise<StreamListener> {
  const where = typeof address === "string" ? parseAddress(address) : address;
  if (where.kind === "stdio") {
    const session = server.attach(stdioStream());
    return { address: where, close: async () => session.close() };
  }
  return listenStreams(where, (socket) => server.attach(socket), options);
}

/** Connects to a human monitor (`-monitor unix:PATH,server=on,wait=off`) and waits for its prompt. */
export async function connectHmp(address: string | QmpAddress, options: { connectTimeoutMs?: number; bannerTimeoutMs?: number } = {}): Promise<HmpTextClient> {
  const stream = await connectStream(address, { timeoutMs: options.connectTimeoutMs });
  try {
    return await HmpTextClient.connect(stream, { bannerTimeoutMs: options.bannerTimeoutMs });
  } catch (err) {
    stream.destroy();
    throw err;
  }
}
