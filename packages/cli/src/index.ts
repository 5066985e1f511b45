export { main, createProgram } from "./program.js";
export { formatError, UsageError } from "./cli-error.js";
