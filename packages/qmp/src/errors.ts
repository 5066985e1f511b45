import type { JsonObject, JsonValue } from "./json-value.js";

/** QEMU's error classes (`QapiErrorClass`). Nearly everything is `GenericError`. */
export type QmpErrorClass = "GenericError" | "CommandNotFound" | "DeviceNotActive" | "DeviceNotFound" | "KVMMissingCap";

export interface QmpErrorOptions {
  /** Default `GenericError`. */
  errorClass?: QmpErrorClass | (string & {});
  /** The command message that was sent, when the error answers one (client side). */
  command?: JsonObject;
  /** The id of the reply. */
  id?: JsonValue;
}

/**
 * An error reply `{"error": {"class", "desc"}}`. Command handlers throw it to choose the class;
 * the client rejects with it when the server answers with an error.
 */
export class QmpError extends Error {
  readonly code = "QMP_ERROR";
  readonly errorClass: string;
  readonly desc: string;
  readonly command: JsonObject | undefined;
  readonly id: JsonValue | undefined;

  constructor(desc: string, options: QmpErrorOptions = {}) {
    super(desc);
    this.name = "QmpError";
    this.desc = desc;
    this.errorClass = options.errorClass ?? "GenericError";
    this.command = options.command;
    this.id = options.id;
  }

  toJSON(): { class: string; desc: string } {
    return { class: this.errorClass, desc: this.desc };
  }
}

/**
 * What a thrown value becomes on the wire: a {@link QmpError} keeps its class; anything else
 * (for example the coded errors of other savevm packages) is a `GenericError` whose desc is the
 * error's message.
 */
export function toQmpError(err: unknown): QmpError {
  if (err instanceof QmpError) return err;
  if (err instanceof Error) return new QmpError(err.message);
  if (typeof err === "object" && err !== null && typeof (err as { message?: unknown }).message === "string") {
    return new QmpError((err as { message: string }).message);
  }
  return new QmpError(String(err));
}

/** Client failures other than an error reply; `code` says which. */
export class QmpClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "QmpClientError";
  }
}

/** The server's first message was missing, late, or not a QMP greeting. */
export class QmpGreetingError extends QmpClientError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("GREETING", message, options);
    this.name = "QmpGreetingError";
  }
}

/** `qmp_capabilities` failed. */
export class QmpNegotiationError extends QmpClientError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("NEGOTIATION", message, options);
    this.name = "QmpNegotiationError";
  }
}

/**
 * The connection could not be made or was lost. Codes: `CONNECT_FAILED`, `DISCONNECTED`
 * (a call was pending when the connection closed), `CLOSED` (used after close), `TIMEOUT`.
 */
export class QmpConnectionError extends QmpClientError {
  constructor(code: "CONNECT_FAILED" | "DISCONNECTED" | "CLOSED" | "TIMEOUT", message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = "QmpConnectionError";
  }
}

/** The server sent something that is not valid QMP (bad JSON, an id-less error nobody awaits). */
export class QmpProtocolError extends QmpClientError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("BAD_REPLY", message, options);
    this.name = "QmpProtocolError";
  }
}

/** An HMP command printed an error (`Error: …`, `unknown command: …`). */
export class HmpError extends Error {
  readonly code = "HMP_ERROR";
  constructor(
    message: string,
    /** The full text the monitor printed. */
    readonly output: string,
    readonly commandLine: string,
  ) {
    super(message);
    this.name = "HmpError";
  }
}

/** Finds an error in HMP output the way libvirt did: the text QEMU prints for failures. */
export function hmpErrorIn(output: string): string | undefined {
  const firstLine = output.split(/\r?\n/, 1)[0] ?? "";
  if (firstLine.startsWith("Error: ")) return firstLine.slice(7);
  if (firstLine.startsWith("unknown command: ")) return firstLine;
  if (/\r?\nTry "help [^"]*" for more information/.test(output)) return firstLine;
  return undefined;
}
