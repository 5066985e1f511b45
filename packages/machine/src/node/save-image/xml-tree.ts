import { decodeXmlEntities } from "@savevm/format";

/** An element of a small XML document: enough to read a libvirt domain description. */
export interface XmlElement {
  /** Qualified name as written (`qemu:arg`). */
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (CDATA included), entities decoded. */
  text: string;
}

const MAX_DEPTH = 256;

/**
 * Parses a document into elements, tolerantly: comments, processing instructions and the
 * doctype are skipped, and malformed input ends the parse with what was read so far. Depth is
 * bounded and the work is linear, so untrusted XML from an image cannot run away.
 */
export function parseXml(xml: string): XmlElement | undefined {
  const root: XmlElement = { name: "", attributes: {}, children: [], text: "" };
  const stack: XmlElement[] = [root];
  let at = 0;
  while (at < xml.length) {
    const lt = xml.indexOf("<", at);
    const top = stack[stack.length - 1]!;
    if (lt < 0) break;
    if (lt > at && stack.length > 1) top.text += decodeXmlEntities(xml.slice(at, lt));
    if (xml.startsWith("<!--", lt)) {
      const end = xml.indexOf("-->", lt + 4);
      if (end < 0) break;
      at = end + 3;
    } else if (xml.startsWith("<![CDATA[", lt)) {
      const end = xml.indexOf("]]>", lt + 9);
      if (end < 0) break;
      top.text += xml.slice(lt + 9, end);
      at = end + 3;
    } else if (xml.startsWith("<?", lt) || xml.startsWith("<!", lt)) {
      const end = xml.indexOf(">", lt);
      if (end < 0) break;
      at = end + 1;
    } else if (xml[lt + 1] === "/") {
      const end = xml.indexOf(">", lt);
      if (end < 0) break;
      if (stack.length > 1) stack.pop();
      at = end + 1;
    } else {
      const tag = /^<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(xml.slice(lt, lt + 65536));
      if (!tag) break;
      const element: XmlElement = { name: tag[1]!, attributes: {}, children: [], text: "" };
      for (const a of tag[2]!.matchAll(/([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        element.attributes[a[1]!] = decodeXmlEntities(a[2] ?? a[3] ?? "");
      }
      top.children.push(element);
      if (tag[3] !== "/") {
        if (stack.length > MAX_DEPTH) break;
        stack.push(element);
      }
      at = lt + tag[0].length;
    }
  }
  const document = root.children[0];
  if (document) bindNamespaces(document);
  return document;
}

/** The first child named `name` (as written, prefix included). */
export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

/** Children whose local name is `local` and whose prefix is bound to `namespace`. */
export function childrenInNamespace(element: XmlElement | undefined, namespace: string, local: string): XmlElement[] {
  if (!element) return [];
  return element.children.filter((c) => {
    const colon = c.name.indexOf(":");
    const prefix = colon < 0 ? "" : c.name.slice(0, colon);
    const name = colon < 0 ? c.name : c.name.slice(colon + 1);
    return name === local && scopes.get(c)?.[prefix === "" ? "xmlns" : `xmlns:${prefix}`] === namespace;
  });
}

// In-scope namespace declarations of each parsed element (its own and its ancestors').
const scopes = new WeakMap<XmlElement, Record<string, string>>();

function bindNamespaces(element: XmlElement, inherited: Record<string, string> = {}): void {
  const scope = { ...inherited };
  for (const [key, value] of Object.entries(element.attributes)) if (key === "xmlns" || key.startsWith("xmlns:")) scope[key] = value;
  scopes.set(element, scope);
  for (const c of element.children) bindNamespaces(c, scope);
}

/** Escapes text for an attribute value in single or double quotes, or element content. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${({ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" } as const)[c as "&"]};`);
}
