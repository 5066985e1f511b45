import type { ByteStream } from "./byte-stream.js";
import { ClientSlots } from "./client-slots.js";
import { Emitter } from "./emitter.js";
import { QmpError } from "./errors.js";
import { FdTable } from "./fd-table.js";
import { buildSchemaInfo } from "./introspection.js";
import type { JsonObject } from "./json-value.js";
import { QmpRegistry, type CommandDefinition, type RegisteredCommand } from "./registry.js";
import { t, type Members, type TypeSpec } from "./schema.js";
import { QmpServerSession, type SessionHost, type SessionLimits } from "./server-session.js";

export interface QmpVersion {
  qemu: { major: number; minor: number; micro: number };
  package: string;
}

export interface QmpTimestamp {
  seconds: number;
  microseconds: number;
}

export interface QmpServerOptions {
  /** Reported in the greeting and by `query-version`. Default QEMU 7.2.0, package "savevm". */
  version?: QmpVersion;
  /** Capabilities offered in the greeting. Default `["oob"]`. */
  capabilities?: readonly string[];
  /** Commands and events; a fresh registry by default. */
  registry?: QmpRegistry;
  /**
   * Clients served at the same time. QEMU serves 1: the next connection waits, without a
   * greeting, until the current one leaves. Default 1.
   */
  maxClients?: number;
  /** Connections that may wait for their turn; more are closed at once. Default 16. */
  maxWaitingClients?: number;
  limits?: SessionLimits;
  /** QEMU's `pretty=on`. */
  pretty?: boolean;
  /**
   * Run in-band commands of all clients one at a time, as QEMU does. Default true; with
   * false, each client's commands still run in order but clients run concurrently.
   */
  serializeCommands?: boolean;
  /** Adds `getfd` / `closefd` backed by {@link QmpServer.fds}. */
  fdCommands?: boolean;
  /** Event timestamps; the wall clock by default. */
  clock?: () => QmpTimestamp;
}

function wallClock(): QmpTimestamp {
  const micros = Math.round((performance.timeOrigin + performance.now()) * 1000);
  return { seconds: Math.floor(micros / 1e6), microseconds: micros % 1e6 };
}

const QMPCapability = t.enum("QMPCapability", ["oob"]);
const VersionInfo = t.struct("VersionInfo", {
  qemu: t.struct("VersionTriple", { major: "int", minor: "int", micro: "int" }),
  package: "str",
});
const CommandInfo = t.struct("CommandInfo", { name: "str" });

/**
 * A QMP server: the command registry, the built-in commands (`qmp_capabilities`,
 * `query-commands`, `query-version`, `query-qmp-schema`), event broadcast, and the client
 * sessions. It runs over any {@link ByteStream}; `@savevm/qmp/node` adds sockets and stdio.
 */
export class QmpServer extends Emitter<{ session: [QmpServerSession]; "session-closed": [QmpServerSession] }> {
  readonly registry: QmpRegistry;
  /** Named file descriptors (`getfd`), for commands such as `migrate fd:NAME`. */
  readonly fds = new FdTable();
  private readonly options: QmpServerOptions;
  private readonly slots: ClientSlots<QmpServerSession>;
  private nextId = 1;
  private inbandTail: Promise<unknown> = Promise.resolve();
  private readonly host: SessionHost;

  constructor(options: QmpServerOptions = {}) {
    super();
    this.options = options;
    this.registry = options.registry ?? new QmpRegistry();
    this.addBuiltins();
    this.slots = new ClientSlots(options.maxClients ?? 1, options.maxWaitingClients ?? 16, (session) => this.emit("session", session));
    const server = this;
    this.host = {
      offeredCapabilities: options.capabilities ?? ["oob"],
      pretty: options.pretty === true,
      greeting: () => ({ QMP: { version: this.versionInfo(), capabilities: [...(options.capabilities ?? ["oob"])] } }),
      findCommand: (name) => this.registry.getCommand(name),
      runInband: (task) => this.runInband(task),
      emitEvent: (name, data) => this.emitEvent(name, data),
      sessionClosed(session) {
        server.sessionClosed(session);
      },
    };
  }

  /** Registers a command (see {@link QmpRegistry.command}). */
  command<const M extends Members = {}, const R extends TypeSpec | undefined = undefined>(name: string, definition: CommandDefinition<M, R>): this {
    this.registry.command<M, R>(name, definition);
    return this;
  }

  /** Declares an event for introspection (see {@link QmpRegistry.event}). */
  event<const M extends Members = {}>(name: string, data?: M): this {
    this.registry.event<M>(name, data);
    return this;
  }

  /**
   * Serves a client over `stream`. The session starts at once if a client slot is free,
   * otherwise it waits (no greeting, nothing read) like a second client of QEMU.
   */
  attach(stream: ByteStream): QmpServerSession {
    const session = new QmpServerSession(this.host, stream, this.nextId++, this.options.limits);
    stream.pause();
    this.slots.admit(session);
    return session;
  }

  /** Sessions being served (not the waiting ones). */
  sessions(): QmpServerSession[] {
    return this.slots.active();
  }

  /**
   * Sends an event to every client that has negotiated. Events raised while nobody is
   * connected are dropped, as in QEMU.
   */
  emitEvent(name: string, data?: JsonObject, timestamp: QmpTimestamp = (this.options.clock ?? wallClock)()): void {
    const event: JsonObject = { timestamp: { seconds: timestamp.seconds, microseconds: timestamp.microseconds }, event: name };
    if (data !== undefined) event.data = data;
    for (const session of this.slots.active()) session.deliverEvent(event);
  }

  /** Disconnects every client. */
  close(): void {
    for (const session of this.slots.all()) session.close("server closed");
  }

  private versionInfo(): JsonObject {
    const v = this.options.version ?? { qemu: { major: 7, minor: 2, micro: 0 }, package: "savevm" };
    // member order matters: QEMU's hash order for these keys depends on insertion order
    return { qemu: { major: v.qemu.major, minor: v.qemu.minor, micro: v.qemu.micro }, package: v.package };
  }

  private runInband<T>(task: () => Promise<T>): Promise<T> {
    if (this.options.serializeCommands === false) return task();
    const run = this.inbandTail.then(task, task);
    this.inbandTail = run.catch(() => undefined);
    return run;
  }

  private sessionClosed(session: QmpServerSession): void {
    if (this.slots.release(session)) this.emit("session-closed", session);
  }

  private addBuiltins(): void {
    const registry = this.registry;
    registry.command("qmp_capabilities", {
      args: { "*enable": t.array(QMPCapability) },
      // handled by the session, which owns the negotiation state
      handler: () => {
        throw new QmpError("qmp_capabilities is handled by the session");
      },
    });
    registry.command("query-version", { returns: VersionInfo, handler: () => this.versionInfo() as never });
    registry.command("query-commands", {
      returns: t.array(CommandInfo),
      handler: () => registry.commands().map((c: RegisteredCommand) => ({ name: c.name })),
    });
    registry.command("query-qmp-schema", { returns: t.array("any"), handler: () => buildSchemaInfo(registry) });
    if (this.options.fdCommands) {
      registry.command("getfd", {
        args: { fdname: "str" },
        handler: ({ fdname }, ctx) => {
          const fd = ctx.takeFd();
          if (fd === undefined) throw new QmpError("No file descriptor supplied via SCM_RIGHTS");
          if (/^[0-9]/.test(fdname)) {
            this.fds.release(fd);
            throw new QmpError("Parameter 'fdname' expects a name not starting with a digit");
          }
          this.fds.set(fdname, fd);
        },
      });
      registry.command("closefd", {
        args: { fdname: "str" },
        handler: ({ fdname }) => {
          if (!this.fds.close(fdname)) throw new QmpError(`File descriptor named '${fdname}' not found`);
        },
      });
    }
  }
}
