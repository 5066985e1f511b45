/**
 * node:fs for what `savevm --help` and `--version` run, loaded with `require`: an ESM import of
 * node:fs evaluates every export, the lazy ones too (`ReadStream`, `promises`), and so loads
 * Node's whole stream machinery, which costs more than printing the help (measured: 10 ms of a
 * 14 ms start-up over a bare `node`). The commands' own modules import node:fs as usual.
 */
import { createRequire } from "node:module";

export const fs = createRequire(import.meta.url)("node:fs") as typeof import("node:fs");
