import { readFileSync } from "node:fs";

/** Read as a file rather than required: start-up then never needs the CommonJS loader for it. */
export const version: string = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
