import { createBytePipe, HmpRegistry, QmpClient, QmpRegistry, QmpServer } from "@savevm/qmp";
import { afterEach, describe, expect, it } from "vitest";
import type { Machine } from "../machine.js";
import { logMachine } from "../test-support/machines.js";
import { registerMachineHmpCommands } from "./hmp-commands.js";
import { registerMachineCommands } from "./qmp-commands.js";

const machines: Machine[] = [];
const clients: QmpClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const m of machines.splice(0)) m.destroy();
});

async function monitors(config: { name?: string; uuid?: string }) {
  const machine = logMachine(config);
  machines.push(machine);
  const registry = new QmpRegistry();
  registerMachineCommands(registry, machine);
  const server = new QmpServer({ registry });
  const [serverEnd, clientEnd] = createBytePipe();
  server.attach(serverEnd);
  // over the wire, so the replies also pass the commands' return schemas
  const client = await QmpClient.connect(clientEnd);
  clients.push(client);
  const hmp = registerMachineHmpCommands(new HmpRegistry(), machine);
  return {
    qmp: (command: string) => client.execute(command) as Promise<unknown>,
    hmp: (line: string) => hmp.execute(line),
  };
}

// Answers captured from QEMU 7.2 (`-name "tiny vm" -uuid 6F1C4A0E-…`, and without either).
describe("query-name / query-uuid and info name / info uuid, as QEMU 7.2 answers them", () => {
  it("a named machine: its name, its UUID in lower case", async () => {
    const m = await monitors({ name: "tiny vm", uuid: "6F1C4A0E-0000-4000-8000-000000000001" });
    expect(await m.qmp("query-name")).toEqual({ name: "tiny vm" });
    expect(await m.qmp("query-uuid")).toEqual({ UUID: "6f1c4a0e-0000-4000-8000-000000000001" });
    expect(await m.hmp("info name")).toBe("tiny vm\n");
    expect(await m.hmp("info uuid")).toBe("6f1c4a0e-0000-4000-8000-000000000001\n");
  });

  it("without a name or UUID: {} and the all-zero UUID; info name prints nothing", async () => {
    const m = await monitors({});
    expect(await m.qmp("query-name")).toEqual({});
    expect(await m.qmp("query-uuid")).toEqual({ UUID: "00000000-0000-0000-0000-000000000000" });
    expect(await m.hmp("info name")).toBe("");
    expect(await m.hmp("info uuid")).toBe("00000000-0000-0000-0000-000000000000\n");
  });

  it("both appear in QEMU's help lines", async () => {
    const m = await monitors({});
    const help = await m.hmp("info");
    expect(help).toContain("info name  -- show the current VM name");
    expect(help).toContain("info uuid  -- show the current VM UUID");
  });
});
