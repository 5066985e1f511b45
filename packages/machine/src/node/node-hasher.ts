import { createHash } from "node:crypto";
import type { Hasher } from "../digest.js";

/** Streaming SHA-256 from node:crypto (no copy of guest RAM). */
export function nodeHasher(): Hasher {
  const hash = createHash("sha256");
  return {
    update(bytes) {
      hash.update(bytes);
    },
    async digest() {
      return hash.digest("hex");
    },
  };
}
