// A tiny, dependency-free reader of WebAssembly binaries: sections, imports,
// exports, memories, globals, and a decoder of the code section that lists the
// opcodes each function body uses (MVP + sign-extension + saturating
// float-to-int + SIMD128). Used by check-wasm.mjs.
import { TextDecoder } from 'node:util';

/** Section ids of the WebAssembly binary format. */
export const SECTION_NAMES = Object.freeze({
  0: 'custom',
  1: 'type',
  2: 'import',
  3: 'function',
  4: 'table',
  5: 'memory',
  6: 'global',
  7: 'export',
  8: 'start',
  9: 'element',
  10: 'code',
  11: 'data',
  12: 'datacount',
});

const EXTERNAL_KINDS = ['function', 'table', 'memory', 'global'];

class Reader {
  constructor(bytes, pos = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }
  byte() {
    if (this.pos >= this.end) throw new Error(`unexpected end of data at byte ${this.pos}`);
    return this.bytes[this.pos++];
  }
  u32() {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 35) throw new Error(`LEB128 too long at byte ${this.pos}`);
    }
    return result;
  }
  /** Signed LEB128 of up to `bits` bits; the value is skipped, not decoded. */
  skipSigned(bits) {
    const max = Math.ceil(bits / 7);
    for (let i = 0; i < max; i++) if ((this.byte() & 0x80) === 0) return;
    throw new Error(`signed LEB128 too long at byte ${this.pos}`);
  }
  skip(n) {
    if (this.pos + n > this.end) throw new Error(`unexpected end of data at byte ${this.pos}`);
    this.pos += n;
  }
  name() {
    const n = this.u32();
    const start = this.pos;
    this.skip(n);
    return new TextDecoder().decode(this.bytes.subarray(start, start + n));
  }
  limits() {
    const flags = this.byte();
    const min = this.u32();
    const max = flags & 1 ? this.u32() : undefined;
    return { flags, min, max, shared: (flags & 2) !== 0 };
  }
}

/**
 * Parse the module header and the section list.
 * @param {Uint8Array} bytes
 * @returns {{ id: number, name: string, start: number, size: number, customName?: string }[]}
 */
export function readSections(bytes) {
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) throw new Error('not a WebAssembly 1.0 binary');
  const r = new Reader(bytes, 8);
  const sections = [];
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const start = r.pos;
    r.skip(size);
    const s = { id, name: SECTION_NAMES[id] ?? `unknown(${id})`, start, size };
    if (id === 0) s.customName = new Reader(bytes, start, start + size).name();
    sections.push(s);
  }
  return sections;
}

/**
 * Imports, exports, memories, globals and the function bodies' opcodes of a module.
 * @param {Uint8Array} bytes
 */
export function inspectModule(bytes) {
  const sections = readSections(bytes);
  const imports = [];
  const exports = [];
  const memories = [];
  const globals = [];
  let functionCount = 0;
  let opcodes = new Map();
  for (const s of sections) {
    const r = new Reader(bytes, s.start, s.start + s.size);
    if (s.id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        const module = r.name();
        const name = r.name();
        const kind = r.byte();
        const entry = { module, name, kind: EXTERNAL_KINDS[kind] ?? `unknown(${kind})` };
        if (kind === 0) r.u32();
        else if (kind === 1) {
          r.byte();
          entry.limits = r.limits();
        } else if (kind === 2) entry.limits = r.limits();
        else if (kind === 3) {
          r.byte();
          r.byte();
        } else throw new Error(`unknown import kind ${kind}`);
        imports.push(entry);
      }
    } else if (s.id === 5) {
      for (let n = r.u32(); n > 0; n--) memories.push(r.limits());
    } else if (s.id === 6) {
      for (let n = r.u32(); n > 0; n--) {
        const type = r.byte();
        const mutable = r.byte() === 1;
        globals.push({ type, mutable });
        // The init expression: skip to its `end` (0x0b); constant expressions are short.
        decodeExpression(r, new Map());
      }
    } else if (s.id === 7) {
      for (let n = r.u32(); n > 0; n--) {
        const name = r.name();
        const kind = r.byte();
        const index = r.u32();
        exports.push({ name, kind: EXTERNAL_KINDS[kind] ?? `unknown(${kind})`, index });
      }
    } else if (s.id === 10) {
      opcodes = new Map();
      for (let n = r.u32(); n > 0; n--) {
        const size = r.u32();
        const body = new Reader(bytes, r.pos, r.pos + size);
        for (let groups = body.u32(); groups > 0; groups--) {
          body.u32();
          body.byte();
        }
        while (body.pos < body.end) decodeInstruction(body, opcodes);
        r.skip(size);
        functionCount++;
      }
    }
  }
  return { sections, imports, exports, memories, globals, functionCount, opcodes };
}

function decodeExpression(r, opcodes) {
  for (;;) {
    const op = decodeInstruction(r, opcodes);
    if (op === '0x0b') return;
  }
}

function memarg(r) {
  r.u32();
  r.u32();
}

function count(opcodes, key) {
  opcodes.set(key, (opcodes.get(key) ?? 0) + 1);
  return key;
}

/** Decode one instruction, count it by opcode name ('0x20', '0xfd:12', ...) and return that name. */
function decodeInstruction(r, opcodes) {
  const op = r.byte();
  const hex = `0x${op.toString(16).padStart(2, '0')}`;
  switch (true) {
    case op === 0x02 || op === 0x03 || op === 0x04: {
      // block type: 0x40, a value type, or a signed type index
      const b = r.bytes[r.pos];
      if (b === 0x40 || b === 0x7f || b === 0x7e || b === 0x7d || b === 0x7c || b === 0x7b || b === 0x70 || b === 0x6f) r.byte();
      else r.skipSigned(33);
      return count(opcodes, hex);
    }
    case op === 0x0c || op === 0x0d: // br, br_if
      r.u32();
      return count(opcodes, hex);
    case op === 0x0e: {
      for (let n = r.u32(); n >= 0; n--) r.u32(); // n labels + default
      return count(opcodes, hex);
    }
    case op === 0x10: // call
      r.u32();
      return count(opcodes, hex);
    case op === 0x11: // call_indirect
      r.u32();
      r.u32();
      return count(opcodes, hex);
    case op === 0x1c: // select t*
      for (let n = r.u32(); n > 0; n--) r.byte();
      return count(opcodes, hex);
    case op >= 0x20 && op <= 0x24: // local.get/set/tee, global.get/set
    case op === 0x25 || op === 0x26: // table.get/set
      r.u32();
      return count(opcodes, hex);
    case op >= 0x28 && op <= 0x3e: // loads and stores
      memarg(r);
      return count(opcodes, hex);
    case op === 0x3f || op === 0x40: // memory.size/grow
      r.byte();
      return count(opcodes, hex);
    case op === 0x41:
      r.skipSigned(32);
      return count(opcodes, hex);
    case op === 0x42:
      r.skipSigned(64);
      return count(opcodes, hex);
    case op === 0x43:
      r.skip(4);
      return count(opcodes, hex);
    case op === 0x44:
      r.skip(8);
      return count(opcodes, hex);
    case op === 0xd0: // ref.null t
      r.byte();
      return count(opcodes, hex);
    case op === 0xd2: // ref.func
      r.u32();
      return count(opcodes, hex);
    case op === 0xfc: {
      const sub = r.u32();
      if (sub === 8) { r.u32(); r.byte(); } // memory.init
      else if (sub === 9) r.u32(); // data.drop
      else if (sub === 10) { r.byte(); r.byte(); } // memory.copy
      else if (sub === 11) r.byte(); // memory.fill
      else if (sub === 12 || sub === 14) { r.u32(); r.u32(); }
      else if (sub === 13 || (sub >= 15 && sub <= 17)) r.u32();
      return count(opcodes, `0xfc:${sub}`);
    }
    case op === 0xfd: {
      const sub = r.u32();
      if (sub <= 11 || sub === 92 || sub === 93) memarg(r); // v128 loads/stores, load_zero
      else if (sub === 12 || sub === 13) r.skip(16); // v128.const, i8x16.shuffle
      else if (sub >= 21 && sub <= 34) r.byte(); // extract/replace lane
      else if (sub >= 84 && sub <= 91) { memarg(r); r.byte(); } // load/store lane
      return count(opcodes, `0xfd:${sub}`);
    }
    case op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || (op >= 0x45 && op <= 0xc4) || op === 0xd1:
      return count(opcodes, hex);
    default:
      throw new Error(`unknown opcode ${hex} at byte ${r.pos - 1}`);
  }
}
