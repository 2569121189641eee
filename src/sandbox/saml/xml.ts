import { DOMParser, type Document, type Element } from "@xmldom/xmldom";

export const NS = {
  protocol: "urn:oasis:names:tc:SAML:2.0:protocol",
  assertion: "urn:oasis:names:tc:SAML:2.0:assertion",
  metadata: "urn:oasis:names:tc:SAML:2.0:metadata",
  dsig: "http://www.w3.org/2000/09/xmldsig#",
} as const;

/** Parses untrusted XML strictly: any well-formedness error or DOCTYPE (entity tricks) refuses the document. */
export function parseXml(text: string): Document | undefined {
  if (/<!DOCTYPE/i.test(text)) return undefined;
  let failed = false;
  try {
    const doc = new DOMParser({
      onError: (level) => {
        if (level !== "warning") failed = true;
      },
    }).parseFromString(text, "text/xml");
    return failed || !doc.documentElement ? undefined : doc;
  } catch {
    return undefined;
  }
}

export function childElements(parent: Element, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    const el = node as Element;
    if (node.nodeType === 1 && el.namespaceURI === ns && el.localName === localName) out.push(el);
  }
  return out;
}

export function descendants(parent: Document | Element, ns: string, localName: string): Element[] {
  return Array.from(parent.getElementsByTagNameNS(ns, localName));
}

export const textOf = (el: Element | undefined): string => (el?.textContent ?? "").trim();
