import type { VMStateDescription } from "./vmstate.js";

/** A device's state ready to be encoded: its layout (data) and the values to put in it. */
export interface DeviceBody {
  readonly vmsd: VMStateDescription;
  readonly state: Record<string, unknown>;
}
