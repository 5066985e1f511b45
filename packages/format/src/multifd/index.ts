export * from "./multifd-constants.js";
export {
  decodeMultifdInit,
  encodeMultifdInit,
  startsWithMultifdMagic,
  type MultifdDecodeContext,
  type MultifdInit,
} from "./multifd-init.js";
export { decodeMultifdPacket, encodeMultifdPacket, type MultifdPacket } from "./multifd-packet.js";
