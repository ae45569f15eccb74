import type { Result } from "../core/index.js";
import type { ByteSource } from "./byte-source.js";

/** One coded frame of the track. Times are in the track's `timescale` units. */
export interface Mp4Sample {
  /** Byte offset of the coded frame in the file. */
  offset: number;
  /** Coded size in bytes. */
  size: number;
  /** Decode time, shifted by the edit list like `pts` (so the first B-frame file's dts can be negative, as in ffmpeg). */
  dts: number;
  /** Presentation time after the edit list (what ffmpeg reports as `pts`); may be negative for pre-roll frames. */
  pts: number;
  /** A sync sample (key frame): decoding can start here. */
  key: boolean;
}

/** The first video track of an MP4 file, as far as decoders need it. */
export interface Mp4VideoTrack {
  /** Sample entry four-character code: `avc1`, `hvc1`, `av01`, `vp09`, `mp4v`, ... */
  fourcc: string;
  /**
   * A WebCodecs / RFC 6381 codec string (`avc1.64001f`, `av01.0.04M.08`, ...), or `null` when the codec has
   * none WebCodecs accepts (e.g. MPEG-4 part 2 `mp4v`).
   */
  codecString: string | null;
  /** For `mp4v`: the esds object type (0x20 = MPEG-4 Visual, 0x6a = MPEG-1, 0x6c = JPEG, ...); else null. */
  objectType: number | null;
  /** The codec configuration record (avcC / hvcC / av1C / vpcC payload), WebCodecs' `description`. */
  description: Uint8Array | null;
  width: number;
  height: number;
  /** Ticks per second of the sample times. */
  timescale: number;
  /** Samples in decode order. */
  samples: Mp4Sample[];
  /** Sample indices (into `samples`) in presentation order, pre-roll samples (pts < 0) left out. */
  presentation: number[];
  /** `pts / timescale` of each entry of {@link presentation}, in seconds. */
  times: Float64Array;
}

/** Box types that can start an MP4 / MOV file. */
const TOP_LEVEL = new Set(["ftyp", "moov", "mdat", "free", "skip", "wide", "pnot", "uuid", "styp", "sidx", "junk"]);

/** Why an MP4 file could not be read. */
export type Mp4Failure = { reason: "truncated" | "not-mp4" | "unsupported"; message: string };

interface Box {
  type: string;
  start: number;
  /** Offset of the payload. */
  body: number;
  end: number;
}

class Bytes {
  private readonly v: DataView;
  constructor(readonly b: Uint8Array) {
    this.v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  u8(o: number): number {
    return this.v.getUint8(o);
  }
  u16(o: number): number {
    return this.v.getUint16(o);
  }
  u32(o: number): number {
    return this.v.getUint32(o);
  }
  i32(o: number): number {
    return this.v.getInt32(o);
  }
  u64(o: number): number {
    return Number(this.v.getBigUint64(o));
  }
  i64(o: number): number {
    return Number(this.v.getBigInt64(o));
  }
  type(o: number): string {
    return String.fromCharCode(this.b[o], this.b[o + 1], this.b[o + 2], this.b[o + 3]);
  }
  /** Child boxes of the range [from, to). Throws a RangeError on a box that overruns its parent. */
  boxes(from: number, to: number): Box[] {
    const out: Box[] = [];
    let o = from;
    while (o + 8 <= to) {
      let size = this.u32(o);
      const type = this.type(o + 4);
      let body = o + 8;
      if (size === 1) {
        size = this.u64(o + 8);
        body = o + 16;
      } else if (size === 0) size = to - o;
      if (size < body - o || o + size > to) throw new RangeError(`box "${type}" at byte ${o} overruns its parent`);
      out.push({ type, start: o, body, end: o + size });
      o += size;
    }
    return out;
  }
  child(parent: Box, type: string): Box | undefined {
    return this.boxes(parent.body, parent.end).find((b) => b.type === type);
  }
}

const hex2 = (n: number) => n.toString(16).padStart(2, "0");

function reverseBits32(x: number): number {
  let r = 0;
  for (let i = 0; i < 32; i++) r = (r << 1) | ((x >>> i) & 1);
  return r >>> 0;
}

/** RFC 6381 / WebCodecs codec string from a sample entry and its configuration record. */
function codecString(fourcc: string, cfg: Uint8Array | null): string | null {
  if (!cfg) return null;
  if ((fourcc === "avc1" || fourcc === "avc3") && cfg.length >= 4) return `${fourcc}.${hex2(cfg[1])}${hex2(cfg[2])}${hex2(cfg[3])}`;
  if (fourcc === "av01" && cfg.length >= 3) {
    const profile = cfg[1] >> 5;
    const level = cfg[1] & 0x1f;
    const tier = cfg[2] >> 7 ? "H" : "M";
    const bits = (cfg[2] >> 6) & 1 ? ((cfg[2] >> 5) & 1 ? 12 : 10) : 8;
    return `av01.${profile}.${String(level).padStart(2, "0")}${tier}.${String(bits).padStart(2, "0")}`;
  }
  if (fourcc === "vp09" && cfg.length >= 7) {
    // vpcC is a full box: 4 bytes version/flags, then profile, level, bitDepth(4) | chroma(3) | range(1).
    return `vp09.${String(cfg[4]).padStart(2, "0")}.${String(cfg[5]).padStart(2, "0")}.${String(cfg[6] >> 4).padStart(2, "0")}`;
  }
  if ((fourcc === "hvc1" || fourcc === "hev1") && cfg.length >= 13) {
    const space = ["", "A", "B", "C"][cfg[1] >> 6];
    const tier = (cfg[1] >> 5) & 1 ? "H" : "L";
    const compat = reverseBits32(((cfg[2] << 24) | (cfg[3] << 16) | (cfg[4] << 8) | cfg[5]) >>> 0);
    const constraints = Array.from(cfg.subarray(6, 12));
    while (constraints.length > 0 && constraints[constraints.length - 1] === 0) constraints.pop();
    return [`${fourcc}`, `${space}${cfg[1] & 0x1f}`, compat.toString(16), `${tier}${cfg[12]}`, ...constraints.map((c) => c.toString(16))].join(".");
  }
  return null;
}

/** objectTypeIndication of the DecoderConfigDescriptor inside an `esds` payload (after version/flags). */
function esdsObjectType(b: Uint8Array): number | null {
  let o = 4;
  const descriptor = (): { tag: number; len: number } | null => {
    if (o >= b.length) return null;
    const tag = b[o++];
    let len = 0;
    for (let i = 0; i < 4 && o < b.length; i++) {
      const c = b[o++];
      len = (len << 7) | (c & 0x7f);
      if (!(c & 0x80)) break;
    }
    return { tag, len };
  };
  const es = descriptor();
  if (!es || es.tag !== 3) return null;
  const flags = b[o + 2];
  o += 3;
  if (flags & 0x80) o += 2;
  if (flags & 0x40) o += 1 + b[o];
  if (flags & 0x20) o += 2;
  const dc = descriptor();
  return dc && dc.tag === 4 && o < b.length ? b[o] : null;
}

/** Expand run-length `(count, value)` tables to one value per sample. */
function expand(n: number, entries: [number, number][], fill: number): Int32Array | Float64Array {
  const out = new Float64Array(n).fill(fill);
  let i = 0;
  for (const [count, value] of entries) for (let k = 0; k < count && i < n; k++) out[i++] = value;
  return out;
}

function parseTrack(v: Bytes, trak: Box, movieScale: number, fileSize: number, name: string): Result<{ track: Mp4VideoTrack }, Mp4Failure> | null {
  const mdia = v.child(trak, "mdia");
  const hdlr = mdia && v.child(mdia, "hdlr");
  if (!mdia || !hdlr || v.type(hdlr.body + 8) !== "vide") return null;
  const mdhd = v.child(mdia, "mdhd");
  const stbl = v.child(v.child(mdia, "minf") ?? mdia, "stbl");
  if (!mdhd || !stbl) return { ok: false, reason: "not-mp4", message: `${name}: video track without mdhd/stbl boxes` };
  const timescale = v.u8(mdhd.body) === 1 ? v.u32(mdhd.body + 20) : v.u32(mdhd.body + 12);
  const box = (t: string) => v.child(stbl, t);
  const stsd = box("stsd");
  if (!stsd || v.u32(stsd.body + 4) < 1) return { ok: false, reason: "not-mp4", message: `${name}: video track without a sample description (stsd)` };
  const entry = v.boxes(stsd.body + 8, stsd.end)[0];
  const fourcc = entry.type;
  const width = v.u16(entry.body + 24);
  const height = v.u16(entry.body + 26);
  const children = v.boxes(entry.body + 78, entry.end);
  const cfgBox = children.find((c) => ["avcC", "hvcC", "av1C", "vpcC"].includes(c.type));
  const description = cfgBox ? v.b.slice(cfgBox.body, cfgBox.end) : null;
  const esds = children.find((c) => c.type === "esds");
  const objectType = esds ? esdsObjectType(v.b.subarray(esds.body, esds.end)) : null;
  const stts = box("stts");
  const stsz = box("stsz");
  const stsc = box("stsc");
  const stco = box("stco") ?? box("co64");
  if (!stts || !stsz || !stsc || !stco) {
    return { ok: false, reason: "unsupported", message: `${name}: the video track has no sample table (fragmented MP4 is not supported)` };
  }
  const n = v.u32(stsz.body + 8);
  const fixed = v.u32(stsz.body + 4);
  const sizes = new Float64Array(n);
  for (let i = 0; i < n; i++) sizes[i] = fixed || v.u32(stsz.body + 12 + 4 * i);
  const pairs = (b: Box, signed: boolean): [number, number][] => {
    const c = v.u32(b.body + 4);
    return Array.from({ length: c }, (_, i) => [v.u32(b.body + 8 + 8 * i), signed ? v.i32(b.body + 12 + 8 * i) : v.u32(b.body + 12 + 8 * i)]);
  };
  const deltas = expand(n, pairs(stts, false), 0);
  const ctts = box("ctts");
  const offsets = ctts ? expand(n, pairs(ctts, true), 0) : new Float64Array(n);
  const stss = box("stss");
  const key = new Uint8Array(n).fill(stss ? 0 : 1);
  if (stss) for (let i = 0, c = v.u32(stss.body + 4); i < c; i++) key[v.u32(stss.body + 8 + 4 * i) - 1] = 1;
  const is64 = stco.type === "co64";
  const chunkCount = v.u32(stco.body + 4);
  const chunkOffset = (k: number) => (is64 ? v.u64(stco.body + 8 + 8 * k) : v.u32(stco.body + 8 + 4 * k));
  const runs = Array.from({ length: v.u32(stsc.body + 4) }, (_, i) => ({ first: v.u32(stsc.body + 8 + 12 * i) - 1, per: v.u32(stsc.body + 12 + 12 * i) }));
  // Edit list: an empty first edit delays the track, the first real edit's media_time shifts it (as ffmpeg does).
  let shift = 0;
  const edts = v.child(trak, "edts");
  const elst = edts && v.child(edts, "elst");
  if (elst) {
    const version = v.u8(elst.body);
    const count = v.u32(elst.body + 4);
    const size = version === 1 ? 20 : 12;
    let real = 0;
    for (let i = 0; i < count; i++) {
      const o = elst.body + 8 + i * size;
      const duration = version === 1 ? v.u64(o) : v.u32(o);
      const mediaTime = version === 1 ? v.i64(o + 8) : v.i32(o + 4);
      if (mediaTime === -1) shift += Math.round((duration * timescale) / movieScale);
      else if (real++ === 0) shift -= mediaTime;
    }
    if (real > 1) return { ok: false, reason: "unsupported", message: `${name}: edit lists with ${real} segments are not supported` };
  }
  const samples: Mp4Sample[] = [];
  let dts = 0;
  let s = 0;
  for (let r = 0; r < runs.length; r++) {
    const last = r + 1 < runs.length ? runs[r + 1].first : chunkCount;
    for (let c = runs[r].first; c < last && s < n; c++) {
      let off = chunkOffset(c);
      for (let k = 0; k < runs[r].per && s < n; k++, s++) {
        samples.push({ offset: off, size: sizes[s], dts: dts + shift, pts: dts + offsets[s] + shift, key: key[s] === 1 });
        off += sizes[s];
        dts += deltas[s];
      }
    }
  }
  if (samples.length !== n) return { ok: false, reason: "not-mp4", message: `${name}: sample table lists ${n} samples but its chunks hold ${samples.length}` };
  const lastSample = samples.reduce((m, x) => Math.max(m, x.offset + x.size), 0);
  if (lastSample > fileSize) {
    const cut = samples.findIndex((x) => x.offset + x.size > fileSize);
    return {
      ok: false,
      reason: "truncated",
      message: `${name} is truncated: ${fileSize} bytes, but frame ${cut} of ${n} lies at bytes ${samples[cut].offset}..${samples[cut].offset + samples[cut].size}`,
    };
  }
  const presentation = samples.map((_, i) => i).filter((i) => samples[i].pts >= 0);
  presentation.sort((a, b) => samples[a].pts - samples[b].pts);
  const times = Float64Array.from(presentation, (i) => samples[i].pts / timescale);
  return { ok: true, track: { fourcc, codecString: codecString(fourcc, description), objectType, description, width, height, timescale, samples, presentation, times } };
}

/**
 * Read the first video track's sample table from an MP4 / MOV file: codec, size, every frame's byte range,
 * decode and presentation time (edit list applied the way ffmpeg applies it) and key-frame flags. Reads only
 * the top-level box headers and the `moov` box. Bad data is a value: `truncated` (the file ends before a box
 * or a frame it declares), `not-mp4` (no `moov`, no video track) or `unsupported` (fragmented files, multi-
 * segment edit lists). Messages name the file.
 */
export async function readMp4Track(file: ByteSource): Promise<Result<{ track: Mp4VideoTrack }, Mp4Failure>> {
  const name = file.name;
  const fileSize = await file.size();
  let o = 0;
  let moovAt: { start: number; body: number; end: number } | null = null;
  let sawFtyp = false;
  while (o + 8 <= fileSize) {
    const h = new Bytes(await file.read(o, Math.min(16, fileSize - o)));
    let size = h.u32(0);
    const type = h.type(4);
    let body = o + 8;
    if (size === 1) {
      if (h.b.length < 16) break;
      size = h.u64(8);
      body = o + 16;
    } else if (size === 0) size = fileSize - o;
    if (!/^[\x20-\x7e]{4}$/.test(type) || size < body - o || (o === 0 && !TOP_LEVEL.has(type))) {
      return { ok: false, reason: "not-mp4", message: `${name} is not an MP4 file (bad box header "${type}" at byte ${o})` };
    }
    if (o === 0) sawFtyp = type === "ftyp";
    // A cut-off mdat after the moov: the sample table says which frames are missing (checked below).
    if (o + size > fileSize && type === "mdat" && moovAt) break;
    if (o + size > fileSize) {
      return { ok: false, reason: "truncated", message: `${name} is truncated: its "${type}" box at byte ${o} needs ${size} bytes, the file ends after ${fileSize - o}` };
    }
    if (type === "moov") moovAt = { start: o, body, end: o + size };
    o += size;
  }
  if (!moovAt) {
    return sawFtyp
      ? { ok: false, reason: "truncated", message: `${name} has no "moov" box (truncated while recording, or not finalized)` }
      : { ok: false, reason: "not-mp4", message: `${name} is not an MP4 file (no "ftyp"/"moov" boxes)` };
  }
  const buf = await file.read(moovAt.start, moovAt.end - moovAt.start);
  const v = new Bytes(buf);
  const moov: Box = { type: "moov", start: 0, body: moovAt.body - moovAt.start, end: buf.length };
  try {
    const mvhd = v.child(moov, "mvhd");
    const movieScale = mvhd ? (v.u8(mvhd.body) === 1 ? v.u32(mvhd.body + 20) : v.u32(mvhd.body + 12)) : 1000;
    for (const trak of v.boxes(moov.body, moov.end).filter((b) => b.type === "trak")) {
      const r = parseTrack(v, trak, movieScale, fileSize, name);
      if (r) return r;
    }
  } catch (e) {
    if (e instanceof RangeError) return { ok: false, reason: "not-mp4", message: `${name}: malformed moov box (${e.message})` };
    throw e;
  }
  return { ok: false, reason: "not-mp4", message: `${name} has no video track` };
}
