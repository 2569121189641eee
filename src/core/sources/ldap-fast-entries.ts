import { isUtf8 } from "node:buffer";
import { type BerReader, type Client, type Entry, MessageParser, ProtocolOperation, SearchEntry } from "ldapts";

/**
 * Search entries decoded straight from their bytes into the object ldapts hands out, for the paged reads of a sync
 * (a hundred thousand people, a million member values). ldapts builds an Attribute per attribute, a Buffer view
 * and a fatal TextDecoder call per value, then copies it all into the entry object; that was most of the reading
 * side's CPU. The result is the same object `SearchEntry.toObject` makes (test/core/sources/ldap-fast-entries.test.ts
 * compares the two over a real slapd), so the rest of ldapts (paging, controls, errors) is used unchanged.
 */
class FastSearchEntry extends SearchEntry {
  private entry: Entry = { dn: "" };
  private lowerTypes = new Set<string>();
  /** Attribute types whose values stay bytes even when valid UTF-8: the search's explicitBufferAttributes. */
  private binaryTypes = new Set<string>();

  override parseMessage(reader: BerReader): void {
    const buf = reader.buffer;
    let o = reader.offset;
    // One BER length (short or long form), at `o`; leaves `o` after it.
    const length = () => {
      const first = buf[o++] as number;
      if (first < 0x80) return first;
      let n = 0;
      for (let k = first & 0x7f; k > 0; k--) n = n * 256 + (buf[o++] as number);
      return n;
    };
    const expect = (tag: number) => {
      if (buf[o] !== tag) throw new Error(`LDAP search entry: expected tag 0x${tag.toString(16)} at ${o}`);
      o++;
      return length();
    };
    let len = expect(0x04);
    const name = buf.toString("utf8", o, o + len);
    o += len;
    this.name = name;
    const entry: Entry = { dn: name };
    len = expect(0x30);
    const end = o + len;
    while (o < end) {
      len = expect(0x30);
      const attributeEnd = o + len;
      len = expect(0x04);
      const type = buf.toString("utf8", o, o + len);
      o += len;
      this.lowerTypes.add(type.toLocaleLowerCase());
      // Where each value lies: bytes are copied out only for the attributes that stay bytes.
      const bounds: number[] = [];
      const text: string[] = [];
      let bytes = /;binary$/i.test(type) || this.binaryTypes.has(type);
      if (o < attributeEnd && buf[o] === 0x31) {
        len = expect(0x31);
        const setEnd = o + len;
        while (o < setEnd) {
          len = expect(0x04);
          const start = o;
          o += len;
          bounds.push(start, o);
          if (bytes) continue;
          const s = buf.toString("utf8", start, o);
          // Invalid UTF-8 decodes to U+FFFD; ldapts then keeps the attribute's values as bytes.
          if (s.includes("\uFFFD") && !isUtf8(buf.subarray(start, o))) bytes = true;
          else text.push(s);
        }
      }
      o = attributeEnd;
      let values: string[] | Buffer[] = text;
      if (bytes) {
        const copies: Buffer[] = [];
        for (let k = 0; k < bounds.length; k += 2)
          copies.push(Buffer.from(buf.subarray(bounds[k] as number, bounds[k + 1] as number)));
        values = copies;
      }
      entry[type] = values.length === 1 ? (values[0] as string | Buffer) : values;
    }
    reader.offset = o;
    this.entry = entry;
  }

  withBinaryTypes(types: readonly string[] | undefined): this {
    this.binaryTypes = new Set(types ?? []);
    return this;
  }

  override toObject(requestAttributes: string[]): Entry {
    for (const attribute of requestAttributes)
      if (this.entry[attribute] === undefined && !this.lowerTypes.has(attribute.toLocaleLowerCase()))
        this.entry[attribute] = [];
    return this.entry;
  }
}

type ParseEntry = (messageId: number, operation: number, reader: BerReader, details?: unknown) => unknown;

/**
 * Makes `client` decode its search entries with FastSearchEntry. Returns false, changing nothing, when this ldapts
 * does not have the shape this relies on (then entries are decoded by ldapts itself, only slower).
 */
export function decodeEntriesFast(client: Client): boolean {
  const parser = (client as unknown as { messageParser?: unknown }).messageParser;
  if (!(parser instanceof MessageParser)) return false;
  const hook = parser as unknown as { _getMessageFromProtocolOperation?: ParseEntry };
  const original = hook._getMessageFromProtocolOperation;
  if (typeof original !== "function") return false;
  hook._getMessageFromProtocolOperation = (messageId, operation, reader, details) => {
    if (operation !== ProtocolOperation.LDAP_RES_SEARCH_ENTRY)
      return original.call(parser, messageId, operation, reader, details);
    // `details` is the search request this entry answers.
    const request = details as { controls?: []; explicitBufferAttributes?: string[] } | undefined;
    const entry = new FastSearchEntry({ messageId }).withBinaryTypes(request?.explicitBufferAttributes);
    entry.parse(reader, request?.controls ?? []);
    return entry;
  };
  return true;
}
