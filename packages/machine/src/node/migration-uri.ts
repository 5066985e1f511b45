import { MachineError } from "../errors.js";

/** A parsed migration URI (QEMU 7.2 schemes plus 8.2's `file:`). */
export type MigrationUri =
  | { kind: "file"; path: string; offset: number }
  | { kind: "unix"; path: string }
  | { kind: "tcp"; host: string; port: number }
  | { kind: "fd"; name: string }
  | { kind: "exec"; command: string };

export type UriDirection = "outgoing" | "incoming";

function invalid(uri: string, direction: UriDirection): MachineError {
  return new MachineError(
    "INVALID_ARGUMENT",
    direction === "outgoing" ? "Parameter 'uri' expects a valid migration protocol" : `unknown migration protocol: ${uri}`,
  );
}

/**
 * Parses `file:PATH[,offset=N]`, `unix:PATH`, `tcp:HOST:PORT` (IPv6 as `[::1]:PORT`),
 * `fd:NAME` and `exec:CMD`, with QEMU's messages for anything else.
 */
export function parseMigrationUri(uri: string, direction: UriDirection): MigrationUri {
  const colon = uri.indexOf(":");
  if (colon < 0) throw invalid(uri, direction);
  const scheme = uri.slice(0, colon);
  const rest = uri.slice(colon + 1);
  switch (scheme) {
    case "file": {
      const m = /^(.*?)(?:,offset=(\d+|0x[0-9a-fA-F]+))?$/.exec(rest);
      const path = m?.[1] ?? "";
      if (path === "") throw invalid(uri, direction);
      return { kind: "file", path, offset: m?.[2] === undefined ? 0 : Number(m[2]) };
    }
    case "unix":
      if (rest === "") throw invalid(uri, direction);
      return { kind: "unix", path: rest };
    case "tcp": {
      const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(rest);
      const port = Number(m?.[3]);
      if (!m || !Number.isInteger(port) || port < 0 || port > 65535) throw invalid(uri, direction);
      return { kind: "tcp", host: m[1] ?? m[2] ?? "", port };
    }
    case "fd":
      if (rest === "") throw invalid(uri, direction);
      return { kind: "fd", name: rest };
    case "exec":
      if (rest.trim() === "") throw invalid(uri, direction);
      return { kind: "exec", command: rest };
    default:
      throw invalid(uri, direction);
  }
}
