import { parseSize } from "../../guest/workload.js";
import type { RunMachineOptions } from "../run-machine.js";
import { runOption, savevmRunArgs } from "./command-line.js";

/** The options of a `savevm run` machine that describe it (not its monitors or process). */
export type MachineShape = Pick<RunMachineOptions, "memory"> &
  Partial<Pick<RunMachineOptions, "machineType" | "guest" | "allowExec" | "snapshots">>;

/** `savevm run` arguments for a machine shape, as stored in the image's savevm metadata. */
export function runArgsOf(shape: Partial<MachineShape>): string[] {
  const args: string[] = [];
  if (shape.memory !== undefined) args.push("--memory", String(shape.memory));
  if (shape.machineType !== undefined) args.push("--machine", shape.machineType);
  if (shape.guest !== undefined) args.push("--guest", shape.guest);
  if (shape.allowExec) args.push("--allow-exec");
  if (shape.snapshots !== undefined) args.push("--snapshots", shape.snapshots);
  return args;
}

/** The machine shape in stored `savevm run` arguments. */
export function shapeOfRunArgs(args: readonly string[]): MachineShape {
  const memory = runOption(args, "--memory");
  const shape: MachineShape = { memory: parseSize(memory ?? "128M", "memory size") };
  const machineType = runOption(args, "--machine");
  if (machineType !== undefined) shape.machineType = machineType;
  const guest = runOption(args, "--guest");
  if (guest !== undefined) shape.guest = guest;
  if (args.includes("--allow-exec")) shape.allowExec = true;
  const snapshots = runOption(args, "--snapshots");
  if (snapshots !== undefined) shape.snapshots = snapshots;
  return shape;
}

/**
 * The `savevm run` arguments of a running savevm machine, from its process's argv: either
 * the CLI (`… savevm run --memory 64M …`) or the process `spawnMachine` starts
 * (`node machine-process.js '{json options}'`).
 */
export function runArgsOfProcess(argv: readonly string[]): string[] | undefined {
  const entry = argv.findIndex((a) => /(^|\/)machine-process\.js$/.test(a));
  if (entry >= 0 && argv[entry + 1] !== undefined) {
    try {
      return runArgsOf(JSON.parse(argv[entry + 1]!) as Partial<MachineShape>);
    } catch {
      return undefined;
    }
  }
  return savevmRunArgs(argv);
}
