/**
 * Monitor addresses as people write them: `unix:/run/vm.qmp`, `tcp:127.0.0.1:4444`,
 * `tcp:[::1]:4444`, qmp-shell's bare `PATH` or `HOST:PORT`, `fd:3` for an inherited descriptor,
 * `stdio`.
 */
export type QmpAddress =
  | ({ kind: "unix"; path: string } & SocketRole)
  | ({ kind: "tcp"; host: string; port: number } & SocketRole)
  | { kind: "fd"; fd: number }
  | { kind: "stdio" };

/**
 * QEMU's chardev options after the address (`unix:PATH,server=on,wait=off`, the older
 * `server,nowait`), as given: they describe QEMU's side of the socket. Absent when not given.
 */
export interface SocketRole {
  /** `server=on` / `server`: QEMU listens; `server=off`: QEMU connects out. */
  server?: boolean;
  /** `wait=off` / `nowait`: QEMU starts without waiting for a client. */
  wait?: boolean;
}

const SWITCHES: Record<string, keyof SocketRole> = { server: "server", wait: "wait" };
/** Accepted and without effect here: socket tuning QEMU takes on the same string. */
const IGNORED = new Set(["nodelay", "ipv4", "ipv6"]);

function onOff(value: string, name: string, address: string): boolean {
  if (value === "on" || value === "yes" || value === "true") return true;
  if (value === "off" || value === "no" || value === "false") return false;
  throw new AddressError(`'${name}=${value}' in '${address}': expected on or off`, address);
}

/** Splits QEMU's `,`-separated options off (`,,` is a literal comma in the path). */
function splitOptions(text: string): { main: string; options: string[] } {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "," && text[i + 1] === ",") {
      current += ",";
      i++;
    } else if (ch === ",") {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return { main: parts[0]!, options: parts.slice(1) };
}

function parseRole(options: string[], address: string): SocketRole {
  const role: SocketRole = {};
  for (const option of options) {
    const eq = option.indexOf("=");
    const name = eq < 0 ? option : option.slice(0, eq);
    const value = eq < 0 ? undefined : option.slice(eq + 1);
    if (name === "nowait" && value === undefined) role.wait = false;
    else if (SWITCHES[name]) role[SWITCHES[name]] = value === undefined ? true : onOff(value, name, address);
    else if (IGNORED.has(name)) continue;
    else {
      throw new AddressError(
        `option '${option}' in '${address}' is not supported: savevm takes unix:PATH or tcp:HOST:PORT, optionally with ` +
          "server=on|off and wait=on|off (or server,nowait); write a comma in a path as ',,'",
        address,
      );
    }
  }
  return role;
}

/** Whether `text` is a QEMU chardev option list that a bare path must not swallow. */
function looksLikeOptions(options: string[]): boolean {
  return options.length > 0 && options.every((o) => /^(server|wait|nowait|nodelay|ipv4|ipv6)(=|$)/.test(o));
}

export class AddressError extends Error {
  readonly code = "BAD_ADDRESS";
  constructor(
    message: string,
    readonly address: string,
  ) {
    super(message);
    this.name = "AddressError";
  }
}

function parsePort(text: string, address: string): number {
  if (!/^[0-9]+$/.test(text)) throw new AddressError(`port '${text}' in '${address}' is not a number`, address);
  const port = Number(text);
  if (port > 65535) throw new AddressError(`port ${port} in '${address}' is out of range`, address);
  return port;
}

function parseHostPort(rest: string, address: string): { kind: "tcp"; host: string; port: number } {
  let host: string;
  let port: string;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0 || rest[close + 1] !== ":") throw new AddressError(`expected [HOST]:PORT in '${address}'`, address);
    host = rest.slice(1, close);
    port = rest.slice(close + 2);
  } else {
    const colon = rest.lastIndexOf(":");
    if (colon < 0) throw new AddressError(`expected HOST:PORT in '${address}'`, address);
    host = rest.slice(0, colon);
    port = rest.slice(colon + 1);
  }
  return { kind: "tcp", host, port: parsePort(port, address) };
}

/**
 * Parses an address; a TCP address with an empty host (`tcp::4444`) keeps `host` empty. QEMU's
 * `,server=on,wait=off` (or `,server,nowait`) after a unix or tcp address is read into
 * {@link SocketRole}; any other option is refused, never taken as part of a file name.
 */
export function parseAddress(address: string): QmpAddress {
  if (address === "stdio" || address === "-") return { kind: "stdio" };
  if (address.startsWith("unix:")) {
    const { main, options } = splitOptions(address.slice(5));
    if (!main) throw new AddressError(`'${address}' has no path`, address);
    return { kind: "unix", path: main, ...parseRole(options, address) };
  }
  if (address.startsWith("tcp:")) {
    const { main, options } = splitOptions(address.slice(4));
    return { ...parseHostPort(main, address), ...parseRole(options, address) };
  }
  if (address.startsWith("fd:")) {
    const text = address.slice(3);
    if (!/^[0-9]+$/.test(text)) throw new AddressError(`'${address}' needs a descriptor number`, address);
    return { kind: "fd", fd: Number(text) };
  }
  // qmp-shell style: HOST:PORT when it ends in a port number, a socket path otherwise
  const { main, options } = splitOptions(address);
  const bare = looksLikeOptions(options) ? main : address;
  const role = bare === address ? {} : parseRole(options, address);
  if (/^(\[[^\]]*\]|[^/:]*):[0-9]+$/.test(bare)) return { ...parseHostPort(bare, address), ...role };
  if (!bare) throw new AddressError("empty address", address);
  return { kind: "unix", path: bare, ...role };
}

export function formatAddress(address: QmpAddress): string {
  switch (address.kind) {
    case "unix":
      return `unix:${address.path}`;
    case "tcp":
      return address.host.includes(":") ? `tcp:[${address.host}]:${address.port}` : `tcp:${address.host}:${address.port}`;
    case "fd":
      return `fd:${address.fd}`;
    case "stdio":
      return "stdio";
  }
}
