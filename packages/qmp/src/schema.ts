import { QmpError } from "./errors.js";
import { hasMember, isJsonObject, setMember, type JsonObject, type JsonValue } from "./json-value.js";
import { INT64_MAX, INT64_MIN, UINT64_MAX } from "./json-parser.js";
import { GHashTableModel, qdictOrder } from "./qemu-order.js";

/**
 * QAPI-like argument schemas. Members are written as in QAPI: `{ uri: "str", "*detach": "bool" }`
 * (a leading `*` marks an optional member). Validation follows QEMU's input visitor: members are
 * checked in declaration order, the first problem wins, and the words are QEMU's.
 */

export type ScalarTypeName =
  | "str"
  | "int"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64"
  | "size"
  | "number"
  | "bool"
  | "any"
  | "null";

export interface EnumType<V extends string = string> {
  readonly kind: "enum";
  readonly name: string;
  readonly values: readonly V[];
}

export interface ArrayType<E extends TypeSpec = TypeSpec> {
  readonly kind: "array";
  readonly element: E;
}

export interface StructType<M extends Members = Members> {
  readonly kind: "struct";
  readonly name: string | undefined;
  readonly members: M;
}

export interface AlternateType<B extends readonly TypeSpec[] = readonly TypeSpec[]> {
  readonly kind: "alternate";
  readonly name: string;
  readonly branches: B;
}

export type TypeSpec = ScalarTypeName | EnumType | ArrayType<any> | StructType<any> | AlternateType<any>;

/** Members of an object type; a key starting with `*` is optional. */
export type Members = { readonly [member: string]: TypeSpec };

/** 64-bit integers arrive as `number` when exact, as `bigint` beyond 2^53. */
export type QmpInteger = number | bigint;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type IsAny<T> = 0 extends 1 & T ? true : false;

/**
 * The TypeScript type of a validated value of type `T`. With `Loose`, enums are plain strings:
 * used for handler return values, where TypeScript would otherwise widen literals.
 */
export type Infer<T, Loose extends boolean = false> = IsAny<T> extends true
  ? JsonValue
  : T extends "str"
    ? string
    : T extends "int8" | "int16" | "int32" | "uint8" | "uint16" | "uint32" | "number"
      ? number
      : T extends "int" | "int64" | "uint64" | "size"
        ? QmpInteger
        : T extends "bool"
          ? boolean
          : T extends "any"
            ? JsonValue
            : T extends "null"
              ? null
              : T extends EnumType<infer V>
                ? Loose extends true
                  ? string
                  : V
                : T extends ArrayType<infer E>
                  ? Infer<E, Loose>[]
                  : T extends StructType<infer M>
                    ? InferMembers<M, Loose>
                    : T extends AlternateType<infer B>
                      ? Infer<B[number], Loose>
                      : never;

/** The TypeScript type of validated members. */
export type InferMembers<M, Loose extends boolean = false> = IsAny<M> extends true
  ? JsonObject
  : Simplify<
      { -readonly [K in keyof M as K extends `*${infer N}` ? N : never]?: Infer<M[K], Loose> } & {
        -readonly [K in keyof M as K extends `*${string}` ? never : K]: Infer<M[K], Loose>;
      }
    >;

/** Builders for the non-scalar types. */
export const t = {
  enum<const V extends string>(name: string, values: readonly V[]): EnumType<V> {
    return { kind: "enum", name, values };
  },
  array<const E extends TypeSpec>(element: E): ArrayType<E> {
    return { kind: "array", element };
  },
  struct<const M extends Members>(name: string | undefined, members: M): StructType<M> {
    return { kind: "struct", name, members };
  },
  alternate<const B extends readonly TypeSpec[]>(name: string, branches: B): AlternateType<B> {
    return { kind: "alternate", name, branches };
  },
};

export interface MemberInfo {
  name: string;
  optional: boolean;
  type: TypeSpec;
}

const memberCache = new WeakMap<object, MemberInfo[]>();

/** Members in declaration order with the `*` prefix resolved. */
export function memberList(members: Members): MemberInfo[] {
  let list = memberCache.get(members);
  if (!list) {
    list = Object.keys(members).map((key) => {
      const optional = key.startsWith("*");
      return { name: optional ? key.slice(1) : key, optional, type: members[key]! };
    });
    memberCache.set(members, list);
  }
  return list;
}

// Path of the value being visited, for QEMU's "full names" like `capabilities[0].state`.
type PathSegment = string | number;

function fullName(path: readonly PathSegment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

function invalidType(path: readonly PathSegment[], expected: string): QmpError {
  return new QmpError(`Invalid parameter type for '${fullName(path)}', expected: ${expected}`);
}

/** The name QEMU prints for messages that use the bare member name: `null` inside lists. */
function plainName(path: readonly PathSegment[]): string {
  const last = path[path.length - 1];
  return typeof last === "string" ? last : "null";
}

const RANGES: Record<string, [bigint, bigint, string]> = {
  int8: [-128n, 127n, "int8_t"],
  int16: [-32768n, 32767n, "int16_t"],
  int32: [-2147483648n, 2147483647n, "int32_t"],
  uint8: [0n, 255n, "uint8_t"],
  uint16: [0n, 65535n, "uint16_t"],
  uint32: [0n, 4294967295n, "uint32_t"],
};

function asBigInt(value: JsonValue): bigint | undefined {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  return undefined;
}

function narrow(value: bigint): QmpInteger {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function visitInt64(value: JsonValue, path: PathSegment[]): bigint {
  const big = asBigInt(value);
  if (big === undefined || big < INT64_MIN || big > INT64_MAX) throw invalidType(path, "integer");
  return big;
}

function visitUint64(value: JsonValue, path: PathSegment[]): bigint {
  const big = asBigInt(value);
  // QEMU accepts negative int64 values for unsigned types and wraps them
  if (big === undefined || big < INT64_MIN || big > UINT64_MAX) {
    throw new QmpError(`Parameter '${fullName(path)}' expects uint64`);
  }
  return big < 0n ? big + UINT64_MAX + 1n : big;
}

function jsonTypeOf(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "bigint") return "number";
  return typeof value;
}

function alternateBranchJsonType(type: TypeSpec): string {
  if (typeof type === "string") {
    switch (type) {
      case "str":
        return "string";
      case "bool":
        return "boolean";
      case "null":
        return "null";
      case "any":
        return "any";
      default:
        return "number";
    }
  }
  switch (type.kind) {
    case "enum":
      return "string";
    case "array":
      return "array";
    case "struct":
      return "object";
    case "alternate":
      return "alternate";
  }
}

function visit(type: TypeSpec, value: JsonValue, path: PathSegment[]): JsonValue {
  if (typeof type === "string") {
    switch (type) {
      case "str":
        if (typeof value !== "string") throw invalidType(path, "string");
        return value;
      case "bool":
        if (typeof value !== "boolean") throw invalidType(path, "boolean");
        return value;
      case "number":
        if (typeof value === "number") return value;
        if (typeof value === "bigint") return Number(value);
        throw invalidType(path, "number");
      case "any":
        return value;
      case "null":
        if (value !== null) throw invalidType(path, "null");
        return null;
      case "int":
      case "int64":
        return narrow(visitInt64(value, path));
      case "uint64":
      case "size":
        return narrow(visitUint64(value, path));
      default: {
        const [min, max, cName] = RANGES[type]!;
        const big = type.startsWith("u") ? visitUint64(value, path) : visitInt64(value, path);
        if (big < min || big > max) throw new QmpError(`Parameter '${plainName(path)}' expects ${cName}`);
        return Number(big);
      }
    }
  }
  switch (type.kind) {
    case "enum":
      if (typeof value !== "string") throw invalidType(path, "string");
      if (!type.values.includes(value)) {
        throw new QmpError(`Parameter '${plainName(path)}' does not accept value '${value}'`);
      }
      return value;
    case "array": {
      if (!Array.isArray(value)) throw invalidType(path, "array");
      const out: JsonValue[] = [];
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        out.push(visit(type.element as TypeSpec, value[i]!, path));
        path.pop();
      }
      return out;
    }
    case "struct":
      if (!isJsonObject(value)) throw invalidType(path, "object");
      return visitMembers(type.members as Members, value, path);
    case "alternate": {
      const kind = jsonTypeOf(value);
      for (const branch of type.branches as readonly TypeSpec[]) {
        if (alternateBranchJsonType(branch) === kind) return visit(branch, value, path);
      }
      throw new QmpError(`Invalid parameter type for '${plainName(path)}', expected: ${type.name}`);
    }
  }
}

function visitMembers(members: Members, input: JsonObject, path: PathSegment[]): JsonObject {
  const list = memberList(members);
  const out: JsonObject = {};
  const keys = Object.keys(input);
  // QEMU tracks the members it has not used yet in a glib hash table built in QDict order
  const leftover = keys.length > 0 ? GHashTableModel.fromKeys(qdictOrder(keys)) : undefined;
  for (const member of list) {
    path.push(member.name);
    if (hasMember(input, member.name)) {
      leftover!.remove(member.name);
      setMember(out, member.name, visit(member.type, input[member.name]!, path));
    } else if (!member.optional) {
      throw new QmpError(`Parameter '${fullName(path)}' is missing`);
    }
    path.pop();
  }
  const unexpected = leftover?.first();
  if (unexpected !== undefined) {
    path.push(unexpected);
    throw new QmpError(`Parameter '${fullName(path)}' is unexpected`);
  }
  return out;
}

/**
 * Checks `args` against `members` and returns a copy with only the declared members,
 * integers normalised (unsigned values wrapped, exact ones as `number`). Throws
 * {@link QmpError} (`GenericError`) with QEMU's wording.
 */
export function validateArguments<const M extends Members>(members: M, args: JsonObject): InferMembers<M> {
  return visitMembers(members, args, []) as unknown as InferMembers<M>;
}

/** {@link validateArguments} without the typing, for callers that hold a schema as data. */
export function validateArgumentsUntyped(members: Members, args: JsonObject): JsonObject {
  return visitMembers(members, args, []);
}

/** Checks one value against a type (the same rules as for arguments). */
export function validateValue<T extends TypeSpec>(type: T, value: JsonValue, name?: string): Infer<T> {
  return visit(type, value, name === undefined ? [] : [name]) as unknown as Infer<T>;
}
