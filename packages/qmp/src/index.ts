/**
 * @savevm/qmp — the QEMU Machine Protocol as QEMU 7.2 speaks it: a streaming JSON reader and
 * writer with QEMU's exact behaviour, a server framework (commands, schemas, events, OOB),
 * a client in the style of python's qemu.qmp, and the human monitor (HMP). Everything here
 * runs in browsers and Node; sockets and stdio are in `@savevm/qmp/node`.
 */
export { AddressError, formatAddress, parseAddress, type QmpAddress, type SocketRole } from "./address.js";
export { parseQemuSize, SizeError } from "./size.js";
export { createBytePipe, PipeEnd, type ByteStream } from "./byte-stream.js";
export {
  QmpClient,
  type ClientState,
  type ExecuteOptions,
  type QmpClientOptions,
  type QmpGreeting,
  type StreamConnector,
} from "./client.js";
export { Emitter, type EventMap } from "./emitter.js";
export {
  HmpError,
  hmpErrorIn,
  QmpClientError,
  QmpConnectionError,
  QmpError,
  QmpGreetingError,
  QmpNegotiationError,
  QmpProtocolError,
  toQmpError,
  type QmpErrorClass,
  type QmpErrorOptions,
} from "./errors.js";
export { EventListener, type EventFilter, type EventListenerOptions, type QmpEvent, type WaitOptions } from "./events.js";
export { FdTable } from "./fd-table.js";
export { HmpArgumentError, parseHmpArgs, type HmpArgs, type HmpArgValue } from "./hmp-args.js";
export { HmpClient, type HmpCommandOptions, type QmpExecutor } from "./hmp-client.js";
export { LineEditor, type LineEditorOptions } from "./hmp-line-editor.js";
export { HmpRegistry, type HmpCommandSpec, type HmpContext } from "./hmp-registry.js";
export { addHumanMonitorCommand, HmpServer, HmpSession, type HmpServerOptions } from "./hmp-server.js";
export { HmpTextClient, renderTerminalLine, type HmpRunOptions } from "./hmp-text-client.js";
export { buildSchemaInfo } from "./introspection.js";
export { JsonLexer, Token, type TokenSink, type TokenType } from "./json-lexer.js";
export { JsonParser } from "./json-parser.js";
export { JsonMessageStream, JsonParseError, QEMU_JSON_LIMITS, type JsonMessageSink, type JsonStreamLimits } from "./json-stream.js";
export { isJsonObject, type JsonObject, type JsonValue } from "./json-value.js";
export { formatDouble17g, formatJson, formatQemuJson, quoteJsonString, type FormatOptions, type QemuFormatOptions } from "./json-writer.js";
export { checkRequest, isOobRequest, type CheckedRequest, type QmpRequest } from "./message.js";
export { GHashTableModel, qdictBucket, qdictOrder } from "./qemu-order.js";
export {
  QmpRegistry,
  type CommandContext,
  type CommandDefinition,
  type RegisteredCommand,
  type RegisteredEvent,
} from "./registry.js";
export {
  t,
  validateArguments,
  validateArgumentsUntyped,
  validateValue,
  type AlternateType,
  type ArrayType,
  type EnumType,
  type Infer,
  type InferMembers,
  type Members,
  type QmpInteger,
  type ScalarTypeName,
  type StructType,
  type TypeSpec,
} from "./schema.js";
export { QmpServer, type QmpServerOptions, type QmpTimestamp, type QmpVersion } from "./server.js";
export { QmpServerSession, type SessionLimits, type SessionState, type SessionStats } from "./server-session.js";

/** Parses a complete JSON text with QEMU's reader (single quotes allowed, big integers kept). */
export { parseJson } from "./parse-json.js";
