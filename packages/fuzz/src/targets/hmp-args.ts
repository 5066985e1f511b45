import { HmpArgumentError, parseHmpArgs } from "@savevm/qmp";
import { HMP_COMMANDS } from "../transcripts.js";
import { hasCode, type FuzzTarget } from "../target.js";

/** `command index byte, command line`: the line is parsed with that command's argument types. */
export const hmpArgsTarget: FuzzTarget = {
  name: "hmp-args",
  description: "@savevm/qmp parseHmpArgs with QEMU 7.2's args_type of real HMP commands",
  seeds: () => HMP_COMMANDS.flatMap((c, i) => c.lines.map((line) => new Uint8Array([i, ...new TextEncoder().encode(line)]))),
  run(input) {
    if (input.length === 0) return;
    const command = HMP_COMMANDS[input[0]! % HMP_COMMANDS.length]!;
    parseHmpArgs(command.name, command.args, new TextDecoder().decode(input.subarray(1)));
  },
  expected: (error) => hasCode(error, [HmpArgumentError]),
  maxAllocation: 64 * 1024,
  maxInput: 4096,
  dictionary: [
    "-d",
    "-b",
    " ",
    '"',
    "\\",
    '\\"',
    "0x",
    "-",
    "on",
    "off",
    "18446744073709551616",
    "9223372036854775808",
    "1e3",
    "k",
    "M",
    "G",
    "\t",
  ],
};
