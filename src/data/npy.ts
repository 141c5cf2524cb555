/**
 * A small reader and writer of NumPy's .npy format (version 1.0–3.0), so that weights, data and
 * predictions travel to and from numpy exactly. Written here rather than taken from npyjs because
 * that package cannot read big-endian or Fortran-ordered files and has no writer.
 * Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { DataError } from '../errors.js';

export interface NpyArray {
  shape: number[];
  /** Values converted to float64, in C (row-major) order. */
  data: Float64Array;
  /** The dtype descriptor found in the file, e.g. "<f8". */
  dtype: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

type Reader = (view: DataView, offset: number, little: boolean) => number;
const READERS: Record<string, [size: number, read: Reader]> = {
  f8: [8, (v, o, le) => v.getFloat64(o, le)],
  f4: [4, (v, o, le) => v.getFloat32(o, le)],
  i8: [8, (v, o, le) => Number(v.getBigInt64(o, le))],
  u8: [8, (v, o, le) => Number(v.getBigUint64(o, le))],
  i4: [4, (v, o, le) => v.getInt32(o, le)],
  u4: [4, (v, o, le) => v.getUint32(o, le)],
  i2: [2, (v, o, le) => v.getInt16(o, le)],
  u2: [2, (v, o, le) => v.getUint16(o, le)],
  i1: [1, (v, o) => v.getInt8(o)],
  u1: [1, (v, o) => v.getUint8(o)],
  b1: [1, (v, o) => v.getUint8(o)],
};

/** Parses a .npy file's bytes. @param where names the source in error messages. */
export function parseNpy(bytes: Uint8Array, where: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, k) => bytes[k] !== b)) throw new DataError(`${where}: not a .npy file (bad magic bytes)`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new DataError(`${where}: unsupported .npy version ${major}`);
  }
  if (headerStart + headerLen > bytes.length) {
    throw new DataError(`${where}: malformed .npy header: its length field says ${headerLen} bytes, but the file has only ${bytes.length - headerStart} after it`);
  }
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new DataError(`${where}: malformed .npy header`);
  // numpy writes each dimension as a plain integer: "(6, 3)", "(6,)", "()"
  const dims = shapeText.split(',').map((t) => t.trim());
  if (dims.at(-1) === '') dims.pop();
  if (dims.some((t) => !/^\d+$/.test(t))) throw new DataError(`${where}: malformed shape (${shapeText}): each dimension must be a non-negative integer`);
  const shape = dims.map(Number);
  if (shape.some((v) => !Number.isSafeInteger(v))) throw new DataError(`${where}: malformed shape (${shapeText})`);
  const order = descr[0];
  const kind = descr.slice(1);
  const spec = READERS[kind];
  if (spec === undefined || !'<>|='.includes(order)) {
    throw new DataError(`${where}: unsupported dtype '${descr}' (numeric arrays of float, int, uint or bool only)`);
  }
  const [size, read] = spec;
  const little = order !== '>';
  const count = shape.reduce((p, v) => p * v, 1);
  const dataStart = headerStart + headerLen;
  if (!Number.isSafeInteger(count * size) || bytes.length < dataStart + count * size) {
    throw new DataError(`${where}: file is truncated (${bytes.length - dataStart} data bytes for the ${shape.join('×')} values of ${size} bytes its header states)`);
  }
  const data = new Float64Array(count);
  if (fortran === 'True' && shape.length > 1) {
    // column-major on disk: element with C index (i0,…,ik) sits at Σ i_j · stride_j with stride_0 = 1
    const strides = new Array<number>(shape.length);
    strides[0] = 1;
    for (let j = 1; j < shape.length; j++) strides[j] = strides[j - 1] * shape[j - 1];
    const idx = new Array<number>(shape.length).fill(0);
    for (let c = 0; c < count; c++) {
      let f = 0;
      for (let j = 0; j < shape.length; j++) f += idx[j] * strides[j];
      data[c] = read(view, dataStart + f * size, little);
      for (let j = shape.length - 1; j >= 0; j--) {
        if (++idx[j] < shape[j]) break;
        idx[j] = 0;
      }
    }
  } else {
    for (let c = 0; c < count; c++) data[c] = read(view, dataStart + c * size, little);
  }
  return { shape, data, dtype: descr };
}

/** Serialises a float64 array, C order, little-endian, format version 1.0. */
export function formatNpy(data: Float64Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((p, s) => p * s, 1);
  if (count !== data.length) throw new RangeError(`shape (${shape.join(',')}) does not hold ${data.length} values`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // pad with spaces so that the data start is a multiple of 64, header ends with \n
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.length * 8);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let k = 0; k < header.length; k++) out[10 + k] = header.charCodeAt(k);
  const start = 10 + header.length;
  for (let k = 0; k < data.length; k++) view.setFloat64(start + 8 * k, data[k], true);
  return out;
}
