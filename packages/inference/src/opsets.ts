export interface OpsetInfo {
  domain: string;
  version: number;
}

export interface ModelHeader {
  irVersion?: number;
  producer?: string;
  opsets: OpsetInfo[];
}

class Reader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly end = buf.length,
  ) {}
  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) {
      const len = this.varint();
      this.pos += len;
    } else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
}

/**
 * The top-level fields of an ONNX ModelProto (ir_version = 1, producer_name = 2, opset_import = 8),
 * read straight from the protobuf bytes: the graph (field 7, often most of the file) is skipped,
 * not decoded.
 */
export function readModelHeader(bytes: Uint8Array): ModelHeader {
  const r = new Reader(bytes);
  const header: ModelHeader = { opsets: [] };
  const text = new TextDecoder();
  while (r.pos < r.end) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 1 && wire === 0) header.irVersion = r.varint();
    else if (field === 2 && wire === 2) {
      const len = r.varint();
      header.producer = text.decode(bytes.subarray(r.pos, r.pos + len));
      r.pos += len;
    } else if (field === 8 && wire === 2) {
      const len = r.varint();
      const inner = new Reader(bytes, r.pos + len);
      inner.pos = r.pos;
      const opset: OpsetInfo = { domain: '', version: 0 };
      while (inner.pos < inner.end) {
        const k = inner.varint();
        if (k === (1 << 3) + 2) {
          const l = inner.varint();
          opset.domain = text.decode(bytes.subarray(inner.pos, inner.pos + l));
          inner.pos += l;
        } else if (k === (2 << 3) + 0) opset.version = inner.varint();
        else inner.skip(k % 8);
      }
      header.opsets.push(opset);
      r.pos += len;
    } else r.skip(wire);
    if (r.pos > r.end) throw new Error('truncated message');
  }
  return header;
}
