// Entry point "@savevm/format/node": the parts that need Node (processes, files).
export * from "../libvirt/node.js";
