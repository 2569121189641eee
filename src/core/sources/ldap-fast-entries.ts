import { isUtf8 } from "node:buffer";
import { type BerReader, type Client, type Entry, MessageParser, ProtocolOperation, SearchEntry } from "ldapts";

/**
 * Search entries decoded straight from their bytes into the object ldapts hands out, for the paged reads of a sync
 * (a hundred thousand people, a million member values). ldapts builds an Attribute per attribute, a Buffer view
 * and a fatal TextDecoder call per value, then copies it all into the entry object; that was most of the reading
 * side's CPU. The result is the same object `SearchEntry.toObject` makes (test/core/sources/ldap-fast-entries.test.ts
 * compares the two over a real slapd), so the rest of ldapts (paging, controls, errors) is used unchanged.
 */
const EMPTY = Buffer.alloc(0);
/** Where the decoder is: module-level, so decoding an entry allocates no closures. */
const cursor: { buf: Buffer; o: number } = { buf: EMPTY, o: 0 };

/** One BER length (short or long form) at the cursor; moves past it. */
function berLength(): number {
  const first = cursor.buf[cursor.o++] as number;
  if (first < 0x80) return first;
  let n = 0;
  for (let k = first & 0x7f; k > 0; k--) n = n * 256 + (cursor.buf[cursor.o++] as number);
  return n;
}

function expectTag(tag: number): number {
  if (cursor.buf[cursor.o] !== tag)
    throw new Error(`LDAP search entry: expected tag 0x${tag.toString(16)} at ${cursor.o}`);
  cursor.o++;
  return berLength();
}

class FastSearchEntry extends SearchEntry {
  private entry: Entry = { dn: "" };
  private lowerTypes = new Set<string>();
  /** Attribute types whose values stay bytes even when valid UTF-8: the search's explicitBufferAttributes. */
  private binaryTypes = new Set<string>();

  override parseMessage(reader: BerReader): void {
    const buf = reader.buffer;
    cursor.buf = buf;
    cursor.o = reader.offset;
    let len = expectTag(0x04);
    const name = buf.toString("utf8", cursor.o, cursor.o + len);
    cursor.o += len;
    this.name = name;
    const entry: Entry = { dn: name };
    len = expectTag(0x30);
    const end = cursor.o + len;
    while (cursor.o < end) {
      len = expectTag(0x30);
      const attributeEnd = cursor.o + len;
      len = expectTag(0x04);
      const type = buf.toString("utf8", cursor.o, cursor.o + len);
      cursor.o += len;
      this.lowerTypes.add(type.toLocaleLowerCase());
      // Where each value lies: bytes are copied out only for the attributes that stay bytes.
      const bounds: number[] = [];
      const text: string[] = [];
      let bytes = /;binary$/i.test(type) || this.binaryTypes.has(type);
      if (cursor.o < attributeEnd && buf[cursor.o] === 0x31) {
        len = expectTag(0x31);
        const setEnd = cursor.o + len;
        while (cursor.o < setEnd) {
          len = expectTag(0x04);
          const start = cursor.o;
          cursor.o += len;
          bounds.push(start, cursor.o);
          if (bytes) continue;
          const s = buf.toString("utf8", start, cursor.o);
          // Invalid UTF-8 decodes to U+FFFD; ldapts then keeps the attribute's values as bytes.
          if (s.includes("\uFFFD") && !isUtf8(buf.subarray(start, cursor.o))) bytes = true;
          else text.push(s);
        }
      }
      cursor.o = attributeEnd;
      let values: string[] | Buffer[] = text;
      if (bytes) {
        const copies: Buffer[] = [];
        for (let k = 0; k < bounds.length; k += 2)
          copies.push(Buffer.from(buf.subarray(bounds[k] as number, bounds[k + 1] as number)));
        values = copies;
      }
      entry[type] = values.length === 1 ? (values[0] as string | Buffer) : values;
    }
    reader.offset = cursor.o;
    cursor.buf = EMPTY;
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
