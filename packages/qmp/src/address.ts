/**
 * Monitor addresses as people write them: `unix:/run/vm.qmp`, `tcp:127.0.0.1:4444`,
 * `tcp:[::1]:4444`, qmp-shell's bare `PATH` or `HOST:PORT`, `fd:3` for an inherited descriptor,
 * `stdio`.
 */
export type QmpAddress =
  | { kind: "unix"; path: string }
  | { kind: "tcp"; host: string; port: number }
  | { kind: "fd"; fd: number }
  | { kind: "stdio" };

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

/** Parses an address; a TCP address with an empty host (`tcp::4444`) keeps `host` empty. */
export function parseAddress(address: string): QmpAddress {
  if (address === "stdio" || address === "-") return { kind: "stdio" };
  if (address.startsWith("unix:")) {
    const path = address.slice(5);
    if (!path) throw new AddressError(`'${address}' has no path`, address);
    return { kind: "unix", path };
  }
  if (address.startsWith("tcp:")) return parseHostPort(address.slice(4), address);
  if (address.startsWith("fd:")) {
    const text = address.slice(3);
    if (!/^[0-9]+$/.test(text)) throw new AddressError(`'${address}' needs a descriptor number`, address);
    return { kind: "fd", fd: Number(text) };
  }
  // qmp-shell style: HOST:PORT when it ends in a port number, a socket path otherwise
  if (/^(\[[^\]]*\]|[^/:]*):[0-9]+$/.test(address)) return parseHostPort(address, address);
  if (!address) throw new AddressError("empty address", address);
  return { kind: "unix", path: address };
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
