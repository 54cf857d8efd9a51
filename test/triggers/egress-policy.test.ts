/**
 * Address policy properties (fast-check). The refused ranges are listed here from the IANA special-purpose
 * registries (RFC 6890 and successors), independently of ipaddr.js, so the test checks the classification rather
 * than repeating it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { createAddressPolicy, parseAddress, refusalReason } from '../../src/triggers/egress/address-policy.js';
import { createEgressFetch, EgressRefusedError } from '../../src/triggers/egress/fetch.js';
import { fakeLookup, guardConnections, type ConnectionGuard } from './egress-harness.js';

const REFUSED_V4 = [
  '0.0.0.0/8', // "this network"
  '10.0.0.0/8', // RFC 1918
  '100.64.0.0/10', // RFC 6598 CGNAT
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local, metadata
  '172.16.0.0/12', // RFC 1918
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // TEST-NET-1
  '192.168.0.0/16', // RFC 1918
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // TEST-NET-2
  '203.0.113.0/24', // TEST-NET-3
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, broadcast
];

const REFUSED_V6 = [
  '::/96', // unspecified, loopback, IPv4-compatible
  '100::/64', // discard-only
  '64:ff9b:1::/48', // local-use NAT64
  '2001::/32', // Teredo
  '2001:db8::/32', // documentation
  '4000::/2', // not global unicast
  '8000::/1', // not global unicast; includes fc00::/7, fe80::/10, fec0::/10, ff00::/8
  'fc00::/7', // unique local, AWS IMDS over IPv6
  'fe80::/10', // link-local
  'ff00::/8', // multicast
];

/** An arbitrary address inside `cidr`, as text. */
function inside(cidr: string): fc.Arbitrary<string> {
  const [base, bits] = ipaddr.parseCIDR(cidr);
  const bytes = base.toByteArray();
  return fc.uint8Array({ minLength: bytes.length, maxLength: bytes.length }).map((random) => {
    const out = bytes.map((byte, i) => {
      const fixed = Math.max(0, Math.min(8, bits - i * 8)); // leading bits of this byte fixed by the prefix
      const mask = (0xff << (8 - fixed)) & 0xff;
      return (byte & mask) | ((random[i] ?? 0) & ~mask & 0xff);
    });
    return ipaddr.fromByteArray(out).toString();
  });
}

const refusedV4 = fc.oneof(...REFUSED_V4.map(inside));
const refusedV6 = fc.oneof(...REFUSED_V6.map(inside));

/** IPv6 forms that embed an IPv4 address: IPv4-mapped, IPv4-translated, NAT64, 6to4. */
const embedded = refusedV4.chain((v4) => {
  const [a, b, c, d] = ipaddr.IPv4.parse(v4).octets as [number, number, number, number];
  const high = ((a << 8) | b).toString(16);
  const low = ((c << 8) | d).toString(16);
  return fc.constantFrom(
    `::ffff:${v4}`,
    `::ffff:0:${high}:${low}`,
    `64:ff9b::${high}:${low}`,
    `2002:${high}:${low}::1`,
  );
});

const anyRefused = fc.oneof(refusedV4, refusedV6, embedded);

describe('address policy: every address in a refused range is refused', () => {
  it('refusalReason names a reason for any address in a refused range or embedding one', () => {
    fc.assert(
      fc.property(anyRefused, (text) => {
        const address = parseAddress(text);
        assert.ok(address, text);
        assert.equal(typeof refusalReason(address), 'string', text);
      }),
      { numRuns: 2000 },
    );
  });

  it('the policy with an allow list for other ranges still refuses them', () => {
    const policy = createAddressPolicy(['127.0.0.1/32', 'api.internal']);
    fc.assert(
      fc.property(
        anyRefused.filter((text) => parseAddress(text)?.toString() !== '127.0.0.1'),
        (text) => {
          assert.notEqual(policy.check(parseAddress(text)!, 'elsewhere.test'), undefined, text);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('an allowed CIDR lets its addresses through, except metadata addresses', () => {
    const policy = createAddressPolicy(['10.0.0.0/8', 'fd00::/8', '169.254.0.0/16']);
    fc.assert(
      fc.property(fc.oneof(inside('10.0.0.0/8'), inside('fd00::/8'), inside('169.254.0.0/16')), (text) => {
        const address = parseAddress(text)!;
        const metadata = refusalReason(address) === 'a cloud metadata address';
        assert.equal(policy.check(address) === undefined, !metadata, text);
      }),
    );
    assert.equal(policy.check(parseAddress('169.254.169.254')!), 'a cloud metadata address');
    assert.equal(createAddressPolicy(['169.254.169.254']).check(parseAddress('169.254.169.254')!), undefined);
  });

  it('an allowed host name lets that name (and a wildcard its subdomains) reach private addresses', () => {
    const policy = createAddressPolicy(['API.internal.', '*.corp.example']);
    const ten = parseAddress('10.1.1.1')!;
    assert.equal(policy.check(ten, 'api.internal'), undefined);
    assert.equal(policy.check(ten, 'billing.corp.example'), undefined);
    assert.equal(typeof policy.check(ten, 'corp.example'), 'string');
    assert.equal(typeof policy.check(ten, 'other.internal'), 'string');
    assert.equal(policy.check(parseAddress('fd00:ec2::254')!, 'api.internal'), 'a cloud metadata address');
  });

  it('public unicast addresses pass', () => {
    const policy = createAddressPolicy([]);
    const samples = ['8.8.8.8', '1.1.1.1', '93.184.215.14', '2606:4700:4700::1111', '2001:4860:4860::8888'];
    // Embedding forms of a public address: IPv4-mapped, NAT64, 6to4.
    for (const text of [...samples, '::ffff:8.8.4.4', '64:ff9b::808:808', '2002:808:808::1']) {
      assert.equal(policy.check(parseAddress(text)!), undefined, text);
    }
  });

  it('parseAddress accepts only canonical notations', () => {
    const odd = ['127.1', '0x7f.0.0.1', '2130706433', '1.2.3', '010.0.0.1', ' 1.2.3.4', '1.2.3.4 ', '', 'example.com'];
    for (const text of [...odd, '::ffff:1.2.3']) {
      assert.equal(parseAddress(text), undefined, JSON.stringify(text));
    }
    assert.equal(parseAddress('::FFFF:1.2.3.4')?.toString(), '1.2.3.4');
  });
});

describe('egress: the property holds through fetch, with no connection attempted', () => {
  let guard: ConnectionGuard;
  before(() => {
    guard = guardConnections();
  });
  after(() => {
    guard.stop();
    assert.deepEqual(guard.attempts, []);
  });

  it('any refused address a name resolves to is refused before connecting', async () => {
    await fc.assert(
      fc.asyncProperty(anyRefused, fc.constantFrom('http', 'https'), async (address, scheme) => {
        const { lookup } = fakeLookup({ 'target.test': [address] });
        const fetch = createEgressFetch({ lookup, allowPrivate: [] });
        await assert.rejects(fetch(`${scheme}://target.test/`), EgressRefusedError);
      }),
      { numRuns: 300 },
    );
  });
});
