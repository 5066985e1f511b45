import { peekStream, startsWithMultifdMagic } from "@savevm/format";
import type { Socket } from "node:net";
import type { InputChannel } from "../channel.js";
import { MachineError } from "../errors.js";
import type { MultifdInputChannel, MultifdOutputChannel, MultifdRequest } from "../save/multifd/multifd-transport.js";
import type { MultifdCodec } from "../save/multifd/multifd-codec.js";
import { multifdZlib } from "./multifd-zlib.js";
import { ThreadLaneChannel } from "./multifd-send-thread.js";
import { connectSocket, SocketOutputChannel, type IncomingListener, type SocketAddress } from "./socket-channel.js";

const QEVM = 0x5145564d;

function startsWithQevm(head: Uint8Array): boolean {
  return head.length >= 4 && ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0 === QEVM;
}

function codecFor(request: MultifdRequest): { codec?: MultifdCodec } {
  return request.compression === "zlib" ? { codec: multifdZlib(request.level) } : {};
}

/**
 * Connects the main channel and then `request.channels` multifd channels to one address. The
 * main connection is made first and alone: QEMU 7.2's destination takes its first accepted
 * connection for the main stream without looking at it.
 */
export async function connectMultifd(address: SocketAddress, request: MultifdRequest): Promise<MultifdOutputChannel> {
  const main = await connectSocket(address);
  const lanes: ThreadLaneChannel[] = [];
  try {
    // One thread per channel writes its packets.
    for (let i = 0; i < request.channels; i++) lanes.push(await ThreadLaneChannel.connect(address));
  } catch (err) {
    main.destroy();
    await Promise.all(lanes.map((lane) => lane.abort()));
    throw err;
  }
  const channel = new SocketOutputChannel(main) as SocketOutputChannel & { multifd: MultifdOutputChannel["multifd"] };
  channel.multifd = { lanes, uuid: request.uuid, ...codecFor(request) };
  return channel;
}

/**
 * Accepts the main channel and `request.channels` multifd channels on one listener, in any
 * order, telling them apart by their first bytes: the main stream starts with `QEVM`, a multifd
 * channel with its init packet's magic. Anything else, or a second main stream, fails the load.
 */
export async function acceptMultifd(listener: IncomingListener, request: MultifdRequest): Promise<MultifdInputChannel> {
  const sockets: Socket[] = [];
  let main: InputChannel | undefined;
  const lanes: InputChannel[] = [];
  try {
    for (let i = 0; i <= request.channels; i++) {
      const socket = await listener.acceptNext();
      sockets.push(socket);
      const peeked = await peekStream(socket, (head) => head.length >= 4, 4);
      const input: InputChannel = { [Symbol.asyncIterator]: () => peeked.replay(), close: async () => void socket.destroy() };
      if (startsWithQevm(peeked.head) && main === undefined) {
        main = input;
      } else if (startsWithMultifdMagic(peeked.head) && lanes.length < request.channels) {
        lanes.push(input);
      } else {
        const head = Array.from(peeked.head, (b) => b.toString(16).padStart(2, "0")).join("");
        throw new MachineError(
          "CHANNEL",
          `multifd: connection ${i + 1} of ${
            request.channels + 1
          } starts with '${head}', neither a migration stream nor a multifd channel (or one too many of its kind)`,
        );
      }
    }
  } catch (err) {
    for (const s of sockets) s.destroy();
    throw err;
  } finally {
    listener.close();
  }
  return Object.assign(main!, { multifd: { lanes, uuid: request.uuid, ...codecFor(request) } });
}
