import type { FuzzTarget } from "../target.js";
import { hmpArgsTarget } from "./hmp-args.js";
import { libvirtTarget } from "./libvirt.js";
import { multifdTarget } from "./multifd.js";
import { qmpJsonTarget } from "./qmp-json.js";
import { qmpSessionTarget } from "./qmp-session.js";
import { streamTarget } from "./stream.js";
import { vmstateTarget } from "./vmstate.js";

/** Every fuzz target, in the order the runs go through them. */
export const TARGETS: readonly FuzzTarget[] = [streamTarget, vmstateTarget, libvirtTarget, qmpJsonTarget, qmpSessionTarget, hmpArgsTarget, multifdTarget];
