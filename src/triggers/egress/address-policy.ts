/**
 * Which IP addresses trigger code may reach through the host's `fetch`, and which are "not on the internet" for
 * GeoIP. Range classification is ipaddr.js's (its `SpecialRanges` follow the IANA special-purpose registries,
 * RFC 6890); this module adds the forms that embed an IPv4 address, the cloud metadata endpoints and the
 * operator's allow list.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Parses an address strictly (dotted-quad IPv4 only, no `0x7f.1` or `127.1` forms) and unwraps IPv4-mapped IPv6
 * (`::ffff:1.2.3.4` → `1.2.3.4`). Undefined when `text` is not an IP address.
 */
export function parseAddress(text: string): IpAddress | undefined {
  const family = isIP(text);
  if (family === 0) return undefined;
  // node:net has validated the dotted quad: skip ipaddr.js's several-notation parser (the GeoIP hot path).
  if (family === 4) return new ipaddr.IPv4(text.split('.').map(Number));
  const address = ipaddr.IPv6.parse(text);
  return address.isIPv4MappedAddress() ? address.toIPv4Address() : address;
}

/**
 * Instance metadata services: they hand out cloud credentials, so they stay refused even when their whole range is
 * allowed; only an allow-list entry naming the exact address lets one through. 168.63.129.16 (Azure WireServer) is
 * a public address, the reason it is listed here at all.
 */
const METADATA_ADDRESSES: ReadonlySet<string> = new Set([
  '169.254.169.254', // AWS, GCP, Azure, OpenStack, Oracle, DigitalOcean IMDS
  '169.254.169.253', // AWS VPC DNS
  '169.254.169.123', // AWS time sync
  '169.254.170.2', // AWS ECS task credentials
  '169.254.170.23', // AWS EKS pod identity
  '100.100.100.200', // Alibaba Cloud
  '168.63.129.16', // Azure WireServer
  '192.0.0.192', // Oracle Cloud Classic
  'fd00:ec2::254', // AWS IMDS over IPv6
  'fd00:ec2::23', // AWS EKS pod identity over IPv6
  'fd20:ce::254', // GCP metadata over IPv6
]);

/** ipaddr.js range names in words, for messages an action's author reads. */
const RANGE_WORDS: Readonly<Record<string, string>> = {
  unspecified: 'an unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address (100.64.0.0/10)',
  private: 'a private address (RFC 1918)',
  uniqueLocal: 'a unique local address (fc00::/7)',
  deprecatedSiteLocal: 'a site-local address (fec0::/10)',
  teredo: 'a Teredo address',
  discard: 'a discard-only address',
  reserved: 'a reserved address',
};

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');

/** The IPv4 address carried in the 32 bits starting at 16-bit group `group` of an IPv6 address. */
function embeddedIPv4(address: ipaddr.IPv6, group: number): ipaddr.IPv4 {
  const high = address.parts[group] ?? 0;
  const low = address.parts[group + 1] ?? 0;
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function refusalOfIPv4(address: ipaddr.IPv4): string | undefined {
  const range = address.range();
  return range === 'unicast' ? undefined : (RANGE_WORDS[range] ?? `a reserved address (${range})`);
}

function refusalOfEmbedded(inner: ipaddr.IPv4, form: string): string | undefined {
  if (METADATA_ADDRESSES.has(inner.toString())) return `a cloud metadata address (${form})`;
  const reason = refusalOfIPv4(inner);
  return reason === undefined ? undefined : `${reason} (${form})`;
}

function refusalOfIPv6(address: ipaddr.IPv6): string | undefined {
  const range = address.range();
  switch (range) {
    case 'ipv4Mapped':
    case 'rfc6145':
      return refusalOfEmbedded(embeddedIPv4(address, 6), `IPv4-${range === 'ipv4Mapped' ? 'mapped' : 'translated'}`);
    case 'rfc6052':
      // RFC 8215's 64:ff9b:1::/48 is for local NAT64 deployments only.
      return address.match(NAT64_WELL_KNOWN)
        ? refusalOfEmbedded(embeddedIPv4(address, 6), 'NAT64')
        : 'a local-use NAT64 address (64:ff9b:1::/48)';
    case '6to4':
      return refusalOfEmbedded(embeddedIPv4(address, 1), '6to4');
    case 'unicast':
      // Everything outside 2000::/3 is unassigned or special (including the deprecated IPv4-compatible ::a.b.c.d).
      return address.match(GLOBAL_UNICAST_V6) ? undefined : 'an address outside global unicast (2000::/3)';
    default:
      return RANGE_WORDS[range] ?? `a reserved address (${range})`;
  }
}

/**
 * Why `address` is not a public internet address, in words (`"a private address (RFC 1918)"`), or undefined when
 * it is one. Ignores the operator's allow list; see {@link createAddressPolicy}.
 */
export function refusalReason(address: IpAddress): string | undefined {
  if (METADATA_ADDRESSES.has(address.toString())) return 'a cloud metadata address';
  return address.kind() === 'ipv4' ? refusalOfIPv4(address as ipaddr.IPv4) : refusalOfIPv6(address as ipaddr.IPv6);
}

/** Decides, for one resolved address of one host name, whether egress may connect to it. */
export interface AddressPolicy {
  /** The reason the connection is refused, or undefined when it may go ahead. */
  check(address: IpAddress, hostname?: string): string | undefined;
}

/** Lower-case, without a trailing dot: how host names are compared. */
function normaliseHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

const LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?';
/** A host name of 1–253 characters and 1–63-character labels, optionally `*.`-prefixed (RFC 1123 §2.1). */
const HOST_NAME = new RegExp(`^(\\*\\.)?(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);

function parseCidr(entry: string): [IpAddress, number] | undefined {
  const slash = entry.indexOf('/');
  const base = slash === -1 ? entry : entry.slice(0, slash);
  if (isIP(base) === 0) return undefined;
  if (slash === -1) {
    const address = parseAddress(base)!;
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  }
  if (!ipaddr.isValidCIDR(entry)) return undefined;
  const [address, bits] = ipaddr.parseCIDR(entry);
  // An IPv4-mapped CIDR means the IPv4 one: addresses are compared after unwrapping.
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
  }
  return [address, bits];
}

/**
 * Builds the egress policy from `MINTER_ACTIONS_ALLOW_PRIVATE_EGRESS` entries: addresses (`10.0.0.7`), CIDRs
 * (`127.0.0.1/32`, `fd00::/8`) or host names (`api.internal`, `*.corp.example`), which may then resolve to
 * non-public addresses. Metadata addresses need an entry naming that exact address. Throws a TypeError on an entry
 * that is none of these: a configuration mistake belongs at start-up.
 */
export function createAddressPolicy(allowPrivate: readonly string[]): AddressPolicy {
  const ranges: [IpAddress, number][] = [];
  const hosts = new Set<string>();
  const suffixes: string[] = [];
  for (const raw of allowPrivate) {
    const entry = raw.trim();
    if (entry === '') continue;
    const cidr = parseCidr(entry);
    if (cidr !== undefined) {
      ranges.push(cidr);
      continue;
    }
    const host = normaliseHost(entry);
    // A numeric last label makes a URL parser read the name as an IPv4 address (WHATWG URL §3.5).
    if (!HOST_NAME.test(host) || /(^|\.)[0-9]+$/.test(host)) {
      throw new TypeError(`allowPrivate: "${entry}" is neither an IP address, a CIDR nor a host name`);
    }
    if (host.startsWith('*.')) suffixes.push(host.slice(1));
    else hosts.add(host);
  }

  const inRanges = (address: IpAddress, exactOnly: boolean): boolean =>
    ranges.some(([base, bits]) => {
      if (base.kind() !== address.kind()) return false;
      if (exactOnly && bits !== (base.kind() === 'ipv4' ? 32 : 128)) return false;
      return address.match(base, bits);
    });
  const hostAllowed = (hostname: string | undefined): boolean => {
    if (hostname === undefined) return false;
    const host = normaliseHost(hostname);
    return hosts.has(host) || suffixes.some((suffix) => host.endsWith(suffix));
  };

  return {
    check(address, hostname) {
      const reason = refusalReason(address);
      if (reason === undefined) return undefined;
      if (METADATA_ADDRESSES.has(address.toString())) return inRanges(address, true) ? undefined : reason;
      return inRanges(address, false) || hostAllowed(hostname) ? undefined : reason;
    },
  };
}
