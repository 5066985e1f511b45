import { fs } from "./startup-fs.js";

/** Read as a file rather than required: start-up then never needs the CommonJS loader for it. */
export const version: string = (JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
