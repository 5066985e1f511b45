import type { MigrationRecord } from "../records.js";
import { DEFAULT_PAGE_SIZE } from "../constants.js";

/** How many bytes a record takes in the stream (a PACKAGED command includes its nested stream). */
export function encodedLength(rec: MigrationRecord, pageSize = DEFAULT_PAGE_SIZE): number {
  switch (rec.kind) {
    case "header":
      return 8;
    case "configuration": {
      let n = 1 + 4 + rec.machineType.length;
      for (const s of rec.subsections) n += 2 + s.name.length + 4 + s.payload.length;
      return n;
    }
    case "section": {
      const header = rec.type === "start" || rec.type === "full" ? 5 + 1 + rec.idstr.length + 8 : 5;
      return header + (rec.body?.length ?? 0);
    }
    case "footer":
      return 5;
    case "eof":
      return 1;
    case "vmdesc":
      return 5 + rec.json.length;
    case "trailing":
      return rec.data.length;
    case "command": {
      let n = 5 + rec.data.length;
      for (const inner of rec.packaged ?? []) n += encodedLength(inner, pageSize);
      return n;
    }
    case "ram": {
      if (rec.type === "mem-size") {
        let n = 8;
        for (const b of rec.blocks) n += 1 + b.idstr.length + 8 + (b.pageSize !== undefined ? 8 : 0) + (b.addr !== undefined ? 8 : 0);
        return n;
      }
      if (rec.type === "eos" || rec.type === "multifd-flush") return 8;
      const head = 8 + (rec.continued ? 0 : 1 + rec.block.length);
      switch (rec.type) {
        case "zero":
          return head + 1;
        case "page":
          return head + pageSize;
        case "xbzrle":
          return head + 3 + rec.data.length;
        case "compressed":
          return head + 4 + rec.data.length;
        case "dedup":
          return head + 8;
      }
    }
  }
}
