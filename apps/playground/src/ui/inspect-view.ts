import type { InspectedFile } from "../worker/inspect-file.js";
import { bytes, el, hex } from "./format.js";

function table(testid: string, headers: string[], rows: string[][], numeric: Set<number> = new Set()): HTMLTableElement {
  return el(
    "table",
    { "data-testid": testid },
    el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c, i) => el("td", numeric.has(i) ? { class: "num" } : {}, c))))),
  );
}

function isLeaf(value: unknown): boolean {
  if (value === null || typeof value !== "object") return true;
  return Array.isArray(value) && value.every((v) => v === null || typeof v !== "object");
}

/**
 * The device state as a tree: structs and lists of structs open as `<details>`, everything
 * else is a leaf showing its JSON value (a list of plain values stays one leaf). Each leaf
 * carries its path, so what is shown can be compared with `savevm inspect --json`.
 */
export function deviceTree(state: Record<string, unknown>): HTMLElement {
  const build = (value: unknown, path: string[]): HTMLElement => {
    const ul = el("ul");
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const p = [...path, key];
      if (isLeaf(v)) {
        const text = JSON.stringify(v);
        ul.append(el("li", { class: "leaf" }, el("span", { class: "key" }, key), " ", el("code", { "data-path": JSON.stringify(p) }, text)));
      } else {
        const count = Array.isArray(v) ? `[${v.length}]` : `{${Object.keys(v as object).length}}`;
        ul.append(el("li", {}, el("details", {}, el("summary", {}, el("span", { class: "key" }, key), ` ${count}`), build(v, p))));
      }
    }
    return ul;
  };
  return el("div", { class: "tree", "data-testid": "device-tree" }, build(state, []));
}

export function renderInspection(root: HTMLElement, f: InspectedFile): void {
  const s = f.summary;
  const facts: [string, string][] = [
    ["file", `${f.name} (${f.size} bytes)`],
    ["format", f.container === "libvirt" ? `libvirt save image v${f.libvirt!.version} (${f.libvirt!.format}), stream at ${hex(f.libvirt!.payloadOffset)}` : f.container === "gzip" ? `gzip-compressed QEMU migration stream v${s.header?.version ?? "?"}` : `QEMU migration stream v${s.header?.version ?? "?"}`],
  ];
  if (f.libvirt) {
    facts.push(["domain", `${f.libvirt.name ?? "(no name)"}${f.libvirt.uuid ? `  uuid ${f.libvirt.uuid}` : ""}`], ["was running", f.libvirt.wasRunning ? "yes" : "no"]);
  }
  if (s.configuration) {
    facts.push(
      ["machine type", s.configuration.machineType],
      ["capabilities", s.configuration.capabilities.length ? s.configuration.capabilities.join(", ") : "(none)"],
      ...(s.configuration.targetPageBits !== undefined ? [["page bits", String(s.configuration.targetPageBits)] as [string, string]] : []),
      ...(s.configuration.uuid ? [["uuid", s.configuration.uuid] as [string, string]] : []),
    );
  } else facts.push(["configuration", "(none)"]);
  facts.push(
    ["footers", s.footers ? "yes" : "no"],
    ["vmdesc", s.vmdesc ? `${s.vmdesc.size} bytes at ${hex(s.vmdesc.offset)} (${s.vmdesc.shape} shape, ${s.vmdesc.devices} devices)` : "(none)"],
    ["stream size", `${s.totalBytes} bytes`],
  );
  const dl = el("dl", { class: "facts", "data-testid": "inspect-header" });
  for (const [k, v] of facts) dl.append(el("dt", {}, k), el("dd", {}, v));

  const sections = table(
    "sections",
    ["id", "type", "idstr", "instance", "version", "offset", "size"],
    s.sections.map((x) => [String(x.sectionId), x.type.toUpperCase(), x.idstr, String(x.instanceId), String(x.version), hex(x.offset), String(x.size)]),
    new Set([0, 3, 4, 5, 6]),
  );
  const parts: HTMLElement[] = [el("h3", {}, "Header and configuration"), dl, el("h3", {}, `Sections (${s.sections.length})`), sections];
  if (s.ram) {
    parts.push(
      el("h3", {}, `RAM (page size ${s.ram.pageSize})`),
      table(
        "ram-blocks",
        ["block", "size", "zero", "uniform", "normal", "xbzrle", "compressed", "dedup"],
        s.ram.blocks.map((b) => [b.idstr, bytes(b.length), String(b.pages.zero), String(b.pages.uniform), String(b.pages.normal), String(b.pages.xbzrle), String(b.pages.compressed), String(b.pages.dedup)]),
        new Set([1, 2, 3, 4, 5, 6, 7]),
      ),
    );
  }
  const devices = Object.keys(f.state).length;
  parts.push(el("h3", {}, `Devices (${devices} sections)`), deviceTree(f.state));
  root.replaceChildren(...parts);
}
