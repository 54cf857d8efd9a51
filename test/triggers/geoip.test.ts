/**
 * Auth0 `event.request.geoip` from the bundled DB-IP City Lite database and from operator MMDB files. Addresses
 * are only looked up, never contacted. Cities move between monthly database releases, so the assertions on the
 * bundled data stick to country and continent.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import {
  defaultGeoipPaths,
  geoipFromRecord,
  GeoipDatabaseError,
  openGeoip,
  type GeoipLookup,
} from '../../src/triggers/geoip/database.js';
import { writeMmdb } from './geoip-mmdb-writer.js';

describe('geoip: bundled DB-IP City Lite', () => {
  let geoip: GeoipLookup;
  before(async () => {
    geoip = await openGeoip();
  });

  it('Auth0 sample: event.request.geoip.continentCode === "NA" for a US address (8.8.8.8)', () => {
    const result = geoip.lookup('8.8.8.8');
    assert.equal(result.continentCode, 'NA');
    assert.equal(result.countryCode, 'US');
    assert.equal(result.countryCode3, 'USA');
    assert.equal(result.countryName, 'United States');
    assert.equal(typeof result.cityName, 'string');
    assert.equal(typeof result.subdivisionName, 'string');
    assert.ok(Math.abs(result.latitude! - 37.4) < 10 && Math.abs(result.longitude! + 100) < 30, 'somewhere in the US');
  });

  it('a European address (RIPE NCC, 193.0.6.139) is in EU / NL', () => {
    assert.deepEqual(pick(geoip.lookup('193.0.6.139')), {
      continentCode: 'EU',
      countryCode: 'NL',
      countryCode3: 'NLD',
    });
  });

  it('IPv6 is looked up in the IPv6 file (RIPE NCC, 2001:67c:2e8:22::c100:68b)', () => {
    assert.deepEqual(pick(geoip.lookup('2001:67c:2e8:22::c100:68b')), {
      continentCode: 'EU',
      countryCode: 'NL',
      countryCode3: 'NLD',
    });
  });

  it('an IPv4-mapped IPv6 address answers as the IPv4 one', () => {
    assert.deepEqual(geoip.lookup('::ffff:8.8.8.8'), geoip.lookup('8.8.8.8'));
    assert.deepEqual(geoip.lookup('::FFFF:193.0.6.139'), geoip.lookup('193.0.6.139'));
  });

  it('an answer is remembered per address: the same frozen object again, and other addresses keep their own', () => {
    const first = geoip.lookup('8.8.8.8');
    assert.equal(geoip.lookup('8.8.8.8'), first);
    assert.ok(Object.isFrozen(first), 'shared answers cannot be changed by one caller for the next');
    assert.equal(geoip.lookup('193.0.6.139').countryCode, 'NL');
    assert.equal(geoip.lookup('8.8.8.8').countryCode, 'US');
    assert.deepEqual(geoip.lookup('10.0.0.1'), {});
    for (let i = 0; i < 5000; i++) geoip.lookup(`203.0.${i >> 8}.${i & 255}`); // past the bound: emptied, not grown
    assert.equal(geoip.lookup('8.8.8.8').countryCode, 'US');
  });

  it('only Auth0 field names appear', () => {
    const allowed = new Set([
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
    ]);
    for (const key of Object.keys(geoip.lookup('8.8.8.8'))) assert.ok(allowed.has(key), key);
  });

  for (const ip of [
    '10.0.0.1',
    '172.16.0.1',
    '192.168.1.1',
    '127.0.0.1',
    '::1',
    '0.0.0.0',
    '::',
    '169.254.169.254',
    '100.64.0.1',
    'fe80::1',
    'fe80::1%eth0',
    'fd00::1',
    '::ffff:10.0.0.1',
    '::ffff:127.0.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '192.0.2.1',
  ]) {
    it(`private, loopback or reserved ${ip} → {}`, () => assert.deepEqual(geoip.lookup(ip), {}));
  }

  const malformed = ['', 'nope', '1.2.3', '999.1.1.1', '127.1', '0x7f.0.0.1', '010.0.0.1', ' 8.8.8.8', '8.8.8.8:443'];
  for (const ip of [...malformed, '[::1]', '::g']) {
    it(`invalid ${JSON.stringify(ip)} → {}`, () => assert.deepEqual(geoip.lookup(ip), {}));
  }

  it('a non-string → {} (never throws on the hot path)', () => {
    assert.deepEqual(geoip.lookup(undefined as unknown as string), {});
  });

  it('reports the files in use', () => {
    assert.deepEqual(
      geoip.databases.map(({ path, type }) => ({ path, type })),
      defaultGeoipPaths().map((path, i) => ({ path, type: i === 0 ? 'city ipv4' : 'city ipv6' })),
    );
    assert.ok(geoip.databases.every(({ builtAt }) => builtAt.getTime() > Date.UTC(2020, 0, 1)));
  });
});

describe('geoip: operator database (MINTER_GEOIP_DB)', () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'minter-geoip-'));
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('a path that does not exist is a clear start-up error', async () => {
    const missing = join(directory, 'GeoLite2-City.mmdb');
    await assert.rejects(openGeoip(missing), (error: Error) => {
      assert.ok(error instanceof GeoipDatabaseError);
      assert.equal(error.code, 'ERR_GEOIP_DATABASE');
      assert.equal(error.message, `GeoIP database not found: ${missing}`);
      return true;
    });
  });

  it('a file that is not an MMDB is a clear start-up error', async () => {
    const junk = join(directory, 'junk.mmdb');
    await writeFile(junk, 'country_code,city\nUS,Mountain View\n');
    await assert.rejects(openGeoip(junk), {
      name: 'GeoipDatabaseError',
      message: new RegExp(`^${junk.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a MaxMind DB \\(MMDB\\) file: `),
    });
    const gzipped = join(directory, 'city.mmdb.gz');
    await writeFile(gzipped, gzipSync(writeMmdb({ '8.8.8.0/24': { country_code: 'US' } })));
    await assert.rejects(openGeoip(gzipped), {
      name: 'GeoipDatabaseError',
      message: /is not a MaxMind DB \(MMDB\) file: .*gzip/,
    });
    await assert.rejects(openGeoip(directory), {
      name: 'GeoipDatabaseError',
      message: /^cannot read GeoIP database .*: EISDIR$/,
    });
  });

  it('MaxMind GeoIP2 City shape maps to Auth0 field names', async () => {
    const file = join(directory, 'GeoIP2-City-Test.mmdb');
    await writeFile(
      file,
      writeMmdb(
        {
          '81.2.69.0/24': {
            city: { geoname_id: 2643743, names: { en: 'London', de: 'London' } },
            continent: { code: 'EU', geoname_id: 6255148, names: { en: 'Europe' } },
            country: { geoname_id: 2635167, iso_code: 'GB', names: { en: 'United Kingdom' } },
            location: { accuracy_radius: 10, latitude: 51.5142, longitude: -0.0931, time_zone: 'Europe/London' },
            subdivisions: [{ geoname_id: 6269131, iso_code: 'ENG', names: { en: 'England' } }],
          },
          '8.8.8.0/24': {
            continent: { code: 'NA', names: { en: 'North America' } },
            registered_country: { iso_code: 'US', names: { en: 'United States' } },
          },
        },
        'GeoIP2-City',
      ),
    );
    const geoip = await openGeoip(file);
    assert.deepEqual(geoip.lookup('81.2.69.142'), {
      cityName: 'London',
      continentCode: 'EU',
      countryCode: 'GB',
      countryCode3: 'GBR',
      countryName: 'United Kingdom',
      latitude: 51.5142,
      longitude: -0.0931,
      subdivisionCode: 'ENG',
      subdivisionName: 'England',
      timeZone: 'Europe/London',
    });
    assert.deepEqual(geoip.lookup('::ffff:8.8.8.8'), {
      continentCode: 'NA',
      countryCode: 'US',
      countryCode3: 'USA',
      countryName: 'United States',
    });
    assert.deepEqual(geoip.lookup('1.1.1.1'), {}, 'unknown to the database');
    assert.deepEqual(geoip.lookup('2001:67c:2e8:22::c100:68b'), {}, 'IPv6 against an IPv4-only file');
    assert.equal(geoip.databases[0]?.type, 'GeoIP2-City');
  });

  it('ip-location-db shape: continent, alpha-3 and name come from the country table', async () => {
    const file = join(directory, 'country.mmdb');
    await writeFile(file, writeMmdb({ '193.0.6.0/24': { country_code: 'NL' } }, 'country ipv4'));
    assert.deepEqual((await openGeoip(file)).lookup('193.0.6.139'), {
      continentCode: 'EU',
      countryCode: 'NL',
      countryCode3: 'NLD',
      countryName: 'Netherlands',
    });
  });
});

describe('geoip: record mapping', () => {
  it('ip-location-db city record: empty strings are absent, float32 noise is rounded', () => {
    assert.deepEqual(
      geoipFromRecord({
        city: 'Mountain View',
        country_code: 'US',
        latitude: 37.422000885009766,
        longitude: -122.08499908447266,
        postcode: '',
        state1: 'California',
        state2: '',
        timezone: '',
      }),
      {
        cityName: 'Mountain View',
        continentCode: 'NA',
        countryCode: 'US',
        countryCode3: 'USA',
        countryName: 'United States',
        latitude: 37.422,
        longitude: -122.085,
        subdivisionName: 'California',
      },
    );
  });

  it('an unknown country code keeps only itself; a non-record is {}', () => {
    assert.deepEqual(geoipFromRecord({ country_code: 'ZZ' }), { countryCode: 'ZZ' });
    assert.deepEqual(geoipFromRecord(null), {});
    assert.deepEqual(geoipFromRecord('US'), {});
  });
});

function pick(geoip: { continentCode?: string; countryCode?: string; countryCode3?: string }) {
  return { continentCode: geoip.continentCode, countryCode: geoip.countryCode, countryCode3: geoip.countryCode3 };
}
