import { MachineError } from "../errors.js";
import { DeviceSaveHandler } from "./device-handler.js";
import type { SaveEntry, SaveRegistry } from "./engine.js";
import type { LoadTransaction } from "./handler.js";
import type { LoadRecord, SectionLayout, SectionResolver } from "./load-record.js";
import type { SaveKind } from "./save-mode.js";
import type { SectionIdentity } from "./section.js";
import { uuidText } from "../uuid.js";

export interface LoadOptions {
  kind: SaveKind;
  machineType: string;
  /** The stream must start with a configuration record (QEMU's send-configuration). */
  requireConfiguration: boolean;
  /** With validate-uuid: the local UUID a received one must equal. */
  uuid?: string | undefined;
}

/**
 * Loads a stream into the registered entries: every entry stages what it reads, and only when
 * the whole stream has loaded and every entry validated does anything change (commit). Any
 * error aborts every entry's staging and leaves the machine as it was.
 */
export class Loader {
  readonly #registry: SaveRegistry;
  readonly #options: LoadOptions;
  readonly #transactions = new Map<SaveEntry, LoadTransaction>();
  readonly #sections = new Map<number, { entry: SaveEntry; identity: SectionIdentity }>();
  #sawConfiguration = false;
  #sawSection = false;

  constructor(registry: SaveRegistry, options: LoadOptions) {
    this.#registry = registry;
    this.#options = options;
  }

  /** For the stream reader: how to read the body of a section of this entry. */
  readonly resolve: SectionResolver = (idstr, instanceId) => {
    const entry = this.#lookup(idstr, instanceId);
    if (!entry) return undefined;
    const h = entry.handler;
    return h instanceof DeviceSaveHandler ? { kind: "vmstate", vmsd: h.device.vmsd } : { kind: "ram" };
  };

  #check(idstr: string, instanceId: number, versionId: number, offset: number): SaveEntry {
    this.#checkConfigurationSeen(offset);
    const entry = this.#lookup(idstr, instanceId);
    if (!entry) {
      throw new MachineError(
        "UNKNOWN_SECTION",
        `Unknown savevm section or instance '${idstr}' ${instanceId}. Make sure that your current VM setup matches your saved VM setup, including any hotplugged devices`,
        { offset, section: idstr },
      );
    }
    const h = entry.handler;
    if (versionId > h.versionId) {
      throw new MachineError("SECTION_VERSION_TOO_NEW", `savevm: unsupported version ${versionId} for '${idstr}' v${h.versionId}`, {
        offset,
        section: idstr,
      });
    }
    if (versionId < h.minimumVersionId) {
      throw new MachineError(
        "VERSION_TOO_OLD",
        `${idstr}: incoming version_id ${versionId} is too old for local minimum version_id  ${h.minimumVersionId}`,
        { offset, section: idstr },
      );
    }
    return entry;
  }

  async load(records: AsyncIterable<LoadRecord>): Promise<void> {
    try {
      for await (const record of records) {
        if (await this.#record(record)) break;
      }
      for (const tx of this.#transactions.values()) await tx.settle?.();
      for (const tx of this.#transactions.values()) tx.validate?.();
    } catch (err) {
      this.abort();
      throw err;
    }
    for (const tx of this.#transactions.values()) tx.commit();
    this.#transactions.clear();
  }

  abort(): void {
    for (const tx of this.#transactions.values()) tx.abort();
    this.#transactions.clear();
  }

  /** Returns true at EOF. */
  async #record(record: LoadRecord): Promise<boolean> {
    switch (record.type) {
      case "header":
        return false;
      case "configuration":
        if (record.machineType !== this.#options.machineType) {
          throw new MachineError(
            "MACHINE_TYPE_MISMATCH",
            `Machine type received is '${record.machineType}' and local is '${this.#options.machineType}'`,
            { offset: record.offset },
          );
        }
        if (record.uuid !== undefined && this.#options.uuid !== undefined) {
          const received = uuidText(record.uuid);
          if (received !== this.#options.uuid.toLowerCase()) {
            throw new MachineError("LOAD_FAILED", `UUID received is ${received} and local is ${this.#options.uuid}`, { offset: record.offset });
          }
        }
        this.#sawConfiguration = true;
        return false;
      case "eof":
        this.#checkConfigurationSeen(record.offset);
        return true;
      case "section":
        break;
    }
    let target: { entry: SaveEntry; identity: SectionIdentity } | undefined;
    if (record.sectionType === "start" || record.sectionType === "full") {
      const idstr = record.idstr ?? "";
      const instanceId = record.instanceId ?? 0;
      const versionId = record.versionId ?? 0;
      const entry = this.#check(idstr, instanceId, versionId, record.offset);
      target = { entry, identity: { sectionId: record.sectionId, idstr, instanceId, versionId } };
      this.#sections.set(record.sectionId, target);
    } else {
      target = this.#sections.get(record.sectionId);
      if (!target) {
        throw new MachineError("UNKNOWN_SECTION", `Unknown savevm section ${record.sectionId}`, { offset: record.offset });
      }
    }
    let tx = this.#transactions.get(target.entry);
    if (!tx) {
      tx = target.entry.handler.beginLoad();
      this.#transactions.set(target.entry, tx);
    }
    await tx.apply({ type: record.sectionType, entry: target.identity, offset: record.offset, body: record.body });
    return false;
  }

  #lookup(idstr: string, instanceId: number): SaveEntry | undefined {
    const entry = this.#registry.find(idstr, instanceId);
    return entry && this.#registry.forKind(this.#options.kind).includes(entry) ? entry : undefined;
  }

  #checkConfigurationSeen(offset: number): void {
    if (!this.#sawSection) {
      this.#sawSection = true;
      if (this.#options.requireConfiguration && !this.#sawConfiguration) {
        throw new MachineError("LOAD_FAILED", "Configuration section missing", { offset });
      }
    }
  }
}
