/**
 * A JSON value as the QMP reader produces it.
 *
 * Integers that fit in a double exactly are `number`; integers beyond 2^53 that QEMU keeps as
 * int64 or uint64 are `bigint`, so ids like 12345678901234567890 survive a round trip. Larger
 * integers become doubles, as in QEMU.
 */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | JsonObject;

export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Sets `key` as an own property even when it is `__proto__`. */
export function setMember(obj: JsonObject, key: string, value: JsonValue): void {
  if (key.length === 9 && key === "__proto__") {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

export function hasMember(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}
