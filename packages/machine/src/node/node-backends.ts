import { defaultBackends } from "../backends.js";
import type { MachineBackends } from "../machine.js";
import { nodeHasher } from "./node-hasher.js";

/** The default backends with node:crypto's streaming SHA-256. */
export function nodeBackends(): MachineBackends {
  return { ...defaultBackends(), hasher: nodeHasher };
}
