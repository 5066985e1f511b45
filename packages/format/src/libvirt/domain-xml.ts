/** What `savevm inspect` prints about the domain of a save image. */
export interface DomainIdentity {
  name?: string;
  uuid?: string;
}

const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Replaces the five predefined entities and numeric character references; others stay as written. */
export function decodeXmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body.startsWith("#")) {
      const code = body[1] === "x" || body[1] === "X" ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      return code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body] ?? whole;
  });
}

/** Index just past the end of the markup that starts at `at` (a `<`), or -1 if it never ends. */
function markupEnd(xml: string, at: number): number {
  const rest = (open: string, close: string): number => {
    if (!xml.startsWith(open, at)) return -2;
    const end = xml.indexOf(close, at + open.length);
    return end < 0 ? -1 : end + close.length;
  };
  for (const [open, close] of [["<!--", "-->"], ["<![CDATA[", "]]>"], ["<?", "?>"]] as const) {
    const end = rest(open, close);
    if (end !== -2) return end;
  }
  // A tag or declaration: '>' ends it unless it sits inside a quoted attribute value.
  let quote = "";
  for (let i = at + 1; i < xml.length; i++) {
    const c = xml[i]!;
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === ">") {
      return i + 1;
    }
  }
  return -1;
}

/**
 * Finds the `<name>` and `<uuid>` children of the root `<domain>` element. A small tolerant
 * scanner, not a validating parser: elements deeper down (an interface's `<name>`, metadata) are
 * ignored, comments/CDATA/processing instructions are skipped, malformed input gives what was
 * found so far.
 */
export function readDomainIdentity(xml: string): DomainIdentity {
  const found: DomainIdentity = {};
  let depth = 0;
  let rootIsDomain = false;
  let capture: { field: keyof DomainIdentity; text: string } | undefined;
  let textFrom = 0;
  let at = xml.indexOf("<");
  while (at >= 0) {
    const end = markupEnd(xml, at);
    if (end < 0) break;
    if (capture) capture.text += decodeXmlEntities(xml.slice(textFrom, at));
    const second = xml[at + 1];
    if (second === "/") {
      depth--;
      if (capture && depth === 1) {
        found[capture.field] ??= capture.text.trim();
        capture = undefined;
      }
      if (depth <= 0) break;
    } else if (xml.startsWith("<![CDATA[", at)) {
      if (capture) capture.text += xml.slice(at + "<![CDATA[".length, end - "]]>".length);
    } else if (second !== "!" && second !== "?") {
      const tagName = /^<\s*([^\s/>]+)/.exec(xml.slice(at, end))?.[1] ?? "";
      const selfClosing = xml[end - 2] === "/";
      if (depth === 0) {
        rootIsDomain = tagName === "domain";
        if (!rootIsDomain) break;
      } else if (depth === 1 && (tagName === "name" || tagName === "uuid") && !selfClosing) {
        capture = { field: tagName, text: "" };
      }
      if (!selfClosing) depth++;
    }
    textFrom = end;
    at = xml.indexOf("<", end);
  }
  return rootIsDomain ? found : {};
}
