import type { Device } from "../devices/device.js";
import { MachineError } from "../errors.js";
import type { LoadTransaction, SaveContext, SaveHandler } from "./handler.js";
import type { IncomingSection } from "./incoming-section.js";
import { ALL_SAVE_MODES } from "./save-mode.js";

/** Saves a device as one FULL section, and loads it through staging. */
export class DeviceSaveHandler implements SaveHandler {
  readonly device: Device;
  readonly idstr: string;
  readonly instanceId: number;
  readonly versionId: number;
  readonly minimumVersionId: number;
  readonly modes: number;
  readonly excludeFromDigest: boolean;

  constructor(device: Device) {
    this.device = device;
    this.idstr = device.idstr;
    this.instanceId = device.instanceId;
    this.versionId = device.vmsd.version_id;
    this.minimumVersionId = device.vmsd.minimum_version_id ?? 0;
    this.modes = device.modes ?? ALL_SAVE_MODES;
    this.excludeFromDigest = device.excludeFromDigest ?? false;
  }

  needed(): boolean {
    return this.device.needed?.() ?? true;
  }

  save(ctx: SaveContext): void {
    ctx.sink.device({ vmsd: this.device.vmsd, state: this.device.saveState() });
  }

  beginLoad(): LoadTransaction {
    const device = this.device;
    let staged: { state: Record<string, unknown>; versionId: number } | undefined;
    return {
      apply(section: IncomingSection) {
        if (section.type !== "full" || section.body.kind !== "vmstate") {
          throw new MachineError("LOAD_FAILED", `Section '${device.idstr}' must be a FULL device section`, {
            offset: section.offset,
            section: device.idstr,
          });
        }
        device.validateState?.(section.body.state, section.entry.versionId);
        staged = { state: section.body.state, versionId: section.entry.versionId };
      },
      commit() {
        if (staged) device.loadState(staged.state, staged.versionId);
        staged = undefined;
      },
      abort() {
        staged = undefined;
      },
    };
  }
}
