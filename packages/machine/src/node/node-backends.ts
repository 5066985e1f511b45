import { defaultBackends } from "../backends.js";
import type { MachineBackends } from "../machine.js";
import { nodeHasher } from "./node-hasher.js";
import { nodeStagingHelper, type NodeStagingOptions } from "./staging-thread.js";

export interface NodeBackendOptions {
  /** A worker thread shares the page writes of incoming loads (default true); options or false. */
  staging?: boolean | NodeStagingOptions;
}

/**
 * The default backends with node:crypto's streaming SHA-256 and, for incoming loads, a worker
 * thread that writes half of the pages into shared staging memory while this thread parses.
 */
export function nodeBackends(options: NodeBackendOptions = {}): MachineBackends {
  const staging = options.staging ?? true;
  const backends: MachineBackends = {
    ...defaultBackends(),
    hasher: nodeHasher,
  };
  if (staging !== false) backends.staging = nodeStagingHelper(staging === true ? {} : staging);
  return backends;
}
