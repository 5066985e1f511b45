import type { JsonObject, JsonValue } from "./json-value.js";
import type { Infer, InferMembers, Members, TypeSpec } from "./schema.js";

/** What a command handler can reach besides its arguments. */
export interface CommandContext {
  /** Number of the client session running the command. */
  readonly sessionId: number;
  /** True when the command came as `exec-oob`. */
  readonly oob: boolean;
  /**
   * Takes a file descriptor the transport received with the command (SCM_RIGHTS on a unix
   * socket), or undefined. Plain Node sockets cannot receive descriptors, so this is only
   * filled by transports that can.
   */
  takeFd(): number | undefined;
  /** Sends an event to every negotiated client; events emitted during a command precede its reply. */
  emitEvent(name: string, data?: JsonObject): void;
  /** Ends this client's connection once the reply is written, as QEMU does after `quit`. */
  disconnectAfterReply(): void;
}

// enums are plain strings here: TypeScript widens literals a handler returns in generic calls
type HandlerResult<R> = [R] extends [undefined] ? JsonValue | void : Infer<R, true>;

export interface CommandDefinition<M extends Members, R extends TypeSpec | undefined> {
  /** Arguments, QAPI style: `{ uri: "str", "*detach": "bool" }`. Absent means none. */
  args?: M;
  /** Type of the return value (for introspection and handler typing). Absent means `{}`. */
  returns?: R;
  /** The command may be sent as `exec-oob` and runs immediately, overtaking queued commands. */
  allowOob?: boolean;
  /** Feature names shown by `query-qmp-schema` (e.g. `deprecated`). */
  features?: readonly string[];
  /** Runs the command with validated arguments; throw {@link QmpError} to pick an error class. */
  // NoInfer: the schema alone decides the types; inferring them back from the handler is slow
  handler: (args: InferMembers<NoInfer<M>>, ctx: CommandContext) => HandlerResult<R> | Promise<HandlerResult<R>>;
}

export interface RegisteredCommand {
  readonly name: string;
  readonly args: Members;
  readonly returns: TypeSpec | undefined;
  readonly allowOob: boolean;
  readonly features: readonly string[];
  readonly handler: (args: JsonObject, ctx: CommandContext) => unknown;
}

export interface RegisteredEvent {
  readonly name: string;
  readonly data: Members;
  readonly features: readonly string[];
}

const NO_MEMBERS: Members = Object.freeze({});

/** Commands and events of a QMP server, with their schemas. */
export class QmpRegistry {
  private readonly commandMap = new Map<string, RegisteredCommand>();
  private readonly eventMap = new Map<string, RegisteredEvent>();

  /** Adds (or replaces) a command. */
  command<const M extends Members = {}, const R extends TypeSpec | undefined = undefined>(
    name: string,
    definition: CommandDefinition<M, R>,
  ): this {
    this.commandMap.set(name, {
      name,
      args: definition.args ?? NO_MEMBERS,
      returns: definition.returns,
      allowOob: definition.allowOob === true,
      features: definition.features ?? [],
      handler: definition.handler as unknown as (args: JsonObject, ctx: CommandContext) => unknown,
    });
    return this;
  }

  /** Declares an event so that `query-qmp-schema` lists it. Emitting does not require it. */
  event<const M extends Members = {}>(name: string, data?: M, features: readonly string[] = []): this {
    this.eventMap.set(name, { name, data: data ?? NO_MEMBERS, features });
    return this;
  }

  removeCommand(name: string): boolean {
    return this.commandMap.delete(name);
  }

  getCommand(name: string): RegisteredCommand | undefined {
    return this.commandMap.get(name);
  }

  commands(): RegisteredCommand[] {
    return [...this.commandMap.values()];
  }

  events(): RegisteredEvent[] {
    return [...this.eventMap.values()];
  }
}
