import { describe, expect, it } from "vitest";
import { AddressError, parseAddress } from "./address.js";
import { parseQemuSize } from "./size.js";

describe("parseAddress", () => {
  it("reads QEMU's chardev options instead of making them part of the path", () => {
    expect(parseAddress("unix:/run/vm.qmp,server=on,wait=off")).toEqual({ kind: "unix", path: "/run/vm.qmp", server: true, wait: false });
    expect(parseAddress("unix:/run/vm.qmp,server,nowait")).toEqual({ kind: "unix", path: "/run/vm.qmp", server: true, wait: false });
    expect(parseAddress("tcp:127.0.0.1:4444,server=on,wait=off")).toEqual({
      kind: "tcp",
      host: "127.0.0.1",
      port: 4444,
      server: true,
      wait: false,
    });
    expect(parseAddress("tcp::4444,server,nowait,nodelay")).toEqual({ kind: "tcp", host: "", port: 4444, server: true, wait: false });
    expect(parseAddress("/run/vm.qmp,server=on,wait=off")).toEqual({ kind: "unix", path: "/run/vm.qmp", server: true, wait: false });
    expect(parseAddress("unix:/run/vm.qmp,server=off")).toEqual({ kind: "unix", path: "/run/vm.qmp", server: false });
  });

  it("keeps ,, as a comma in the path, and plain paths as they are", () => {
    expect(parseAddress("unix:/run/a,,b.qmp")).toEqual({ kind: "unix", path: "/run/a,b.qmp" });
    expect(parseAddress("/run/vm.qmp")).toEqual({ kind: "unix", path: "/run/vm.qmp" });
    expect(parseAddress("localhost:4444")).toEqual({ kind: "tcp", host: "localhost", port: 4444 });
  });

  it("refuses options it does not know with a hint", () => {
    expect(() => parseAddress("unix:/run/vm.qmp,reconnect=1")).toThrow(AddressError);
    expect(() => parseAddress("unix:/run/vm.qmp,reconnect=1")).toThrow(/not supported.*server=on\|off/);
    expect(() => parseAddress("unix:/run/vm.qmp,server=maybe")).toThrow(/expected on or off/);
  });
});

describe("parseQemuSize", () => {
  it("reads sizes as qemu_strtosz does", () => {
    expect(parseQemuSize("1G")).toBe(1 << 30);
    expect(parseQemuSize("1M")).toBe(1 << 20);
    expect(parseQemuSize("512K")).toBe(512 * 1024);
    expect(parseQemuSize("512k")).toBe(512 * 1024);
    expect(parseQemuSize("1.5K")).toBe(1536);
    expect(parseQemuSize("4096")).toBe(4096);
    expect(parseQemuSize("10B")).toBe(10);
    expect(parseQemuSize("0x1000")).toBe(4096);
    expect(parseQemuSize("15E")).toBeTypeOf("bigint");
    expect(parseQemuSize("8P")).toBe(2n ** 53n);
    expect(parseQemuSize("4P")).toBe(2 ** 52);
  });

  it("refuses what QEMU refuses", () => {
    for (const bad of ["", "G", "1X", "-1M", "1.5", "1.5B", "1 G x", "17E"]) {
      expect(() => parseQemuSize(bad), bad).toThrow(expect.objectContaining({ code: "INVALID_SIZE" }));
    }
  });
});
