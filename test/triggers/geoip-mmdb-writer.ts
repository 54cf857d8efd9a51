/**
 * A minimal MaxMind DB writer for tests: an IPv4 search tree (24-bit records) mapping a few networks to records,
 * per the MaxMind DB File Format Specification 2.0. Enough to test the GeoIP2 record shape without shipping
 * MaxMind's own files (GeoLite2 is not redistributable).
 */

type Value = string | number | boolean | Value[] | { [key: string]: Value };

function control(type: number, size: number): Buffer {
  const head = type <= 7 ? [type << 5] : [0, type - 7];
  if (size < 29) return Buffer.from([head[0]! | size, ...head.slice(1)]);
  if (size < 285) return Buffer.from([head[0]! | 29, ...head.slice(1), size - 29]);
  const rest = size - 285;
  return Buffer.from([head[0]! | 30, ...head.slice(1), rest >> 8, rest & 0xff]);
}

function unsigned(type: number, value: number): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
}

/** Encodes a value in the MMDB data section format (no pointers). */
function encode(value: Value): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, bytes.length), bytes]);
  }
  if (typeof value === 'boolean') return control(14, value ? 1 : 0);
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value < 2 ** 32) return unsigned(6, value);
    const double = Buffer.alloc(8);
    double.writeDoubleBE(value);
    return Buffer.concat([control(3, 8), double]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  const entries = Object.entries(value);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, v]) => [encode(k), encode(v)])]);
}

/** Builds an IPv4 MMDB whose networks (`"8.8.8.0/24"`) map to the given records. */
export function writeMmdb(networks: Record<string, Value>, databaseType = 'Test-City'): Buffer {
  const records: Buffer[] = [];
  const offsets: number[] = [];
  let dataSize = 0;
  for (const record of Object.values(networks)) {
    const encoded = encode(record);
    offsets.push(dataSize);
    records.push(encoded);
    dataSize += encoded.length;
  }

  // Node 0 is the root; each node holds [left, right]; -1 = empty, {data: i} = record i, number = child node.
  type Slot = number | { data: number } | -1;
  const nodes: [Slot, Slot][] = [[-1, -1]];
  Object.keys(networks).forEach((cidr, index) => {
    const [base = '', bitsText = '32'] = cidr.split('/');
    const bits = Number(bitsText);
    const address = base.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
    let node = 0;
    for (let depth = 0; depth < bits; depth++) {
      const bit = Math.floor(address / 2 ** (31 - depth)) % 2;
      if (depth === bits - 1) {
        nodes[node]![bit] = { data: index };
      } else {
        let next = nodes[node]![bit]!;
        if (typeof next !== 'number' || next === -1) {
          nodes.push([-1, -1]);
          next = nodes.length - 1;
          nodes[node]![bit] = next;
        }
        node = next;
      }
    }
  });

  const nodeCount = nodes.length;
  const tree = Buffer.alloc(nodeCount * 6);
  const resolve = (slot: Slot): number =>
    slot === -1 ? nodeCount : typeof slot === 'number' ? slot : nodeCount + 16 + offsets[slot.data]!;
  nodes.forEach(([left, right], i) => {
    tree.writeUIntBE(resolve(left), i * 6, 3);
    tree.writeUIntBE(resolve(right), i * 6 + 3, 3);
  });

  const metadata = encode({
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_700_000_000,
    database_type: databaseType,
    description: { en: 'Minter test database' },
    ip_version: 4,
    languages: ['en'],
    node_count: nodeCount,
    record_size: 24,
  });
  return Buffer.concat([
    tree,
    Buffer.alloc(16),
    ...records,
    Buffer.from([0xab, 0xcd, 0xef]),
    Buffer.from('MaxMind.com'),
    metadata,
  ]);
}
