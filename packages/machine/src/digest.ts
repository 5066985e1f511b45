/** Incremental SHA-256, so RAM can be hashed block by block without one big copy. */
export interface Hasher {
  update(bytes: Uint8Array): void;
  digest(): Promise<string>;
}

export type HasherFactory = () => Hasher;

/**
 * A hasher on Web Crypto (browsers, Node). Web Crypto has no incremental API, so the parts are
 * collected and hashed at the end; the Node entry supplies a streaming one.
 */
export function webCryptoHasher(): Hasher {
  const parts: Uint8Array[] = [];
  let length = 0;
  return {
    update(bytes) {
      parts.push(bytes.slice());
      length += bytes.length;
    },
    async digest() {
      const all = new Uint8Array(length);
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
      return Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
    },
  };
}

/** What `x-query-digest` reports. */
export interface MachineDigest {
  /** SHA-256 over every RAM block, in block order. */
  ram: string;
  /** SHA-256 over each device's idstr, instance, version and encoded state, in section order. */
  devices: string;
  /** The guest's step counter. */
  steps: number;
}
