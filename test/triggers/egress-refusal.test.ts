/**
 * Egress refusals, proven without traffic: names resolve through an injected lookup to addresses that must never
 * be reached, and a connection guard records (and would stop) any socket, so "refused before connecting" is
 * asserted, not assumed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createEgressFetch, EgressNetworkError, EgressRefusedError } from '../../src/triggers/egress/fetch.js';
import { fakeLookup, guardConnections, type ConnectionGuard } from './egress-harness.js';

describe('egress: refused targets never get a connection', () => {
  let guard: ConnectionGuard;
  before(() => {
    guard = guardConnections();
  });
  after(() => {
    guard.stop();
    assert.deepEqual(guard.attempts, [], 'not one socket was opened');
  });

  const cases: [address: string, reason: string][] = [
    ['10.0.0.5', 'a private address (RFC 1918)'],
    ['172.16.4.4', 'a private address (RFC 1918)'],
    ['192.168.1.1', 'a private address (RFC 1918)'],
    ['127.0.0.1', 'a loopback address'],
    ['127.255.0.9', 'a loopback address'],
    ['0.0.0.0', 'an unspecified address'],
    ['169.254.169.254', 'a cloud metadata address'],
    ['169.254.10.10', 'a link-local address'],
    ['100.64.0.1', 'a carrier-grade NAT address (100.64.0.0/10)'],
    ['100.100.100.200', 'a cloud metadata address'],
    ['168.63.129.16', 'a cloud metadata address'],
    ['224.0.0.251', 'a multicast address'],
    ['255.255.255.255', 'the broadcast address'],
    ['192.0.2.10', 'a reserved address'],
    ['240.0.0.1', 'a reserved address'],
    ['::1', 'a loopback address'],
    ['::', 'an unspecified address'],
    ['::ffff:127.0.0.1', 'a loopback address'],
    ['::ffff:169.254.169.254', 'a cloud metadata address'],
    ['::ffff:0:a00:5', 'a private address (RFC 1918) (IPv4-translated)'],
    ['::7f00:1', 'an address outside global unicast (2000::/3)'],
    ['fd00:ec2::254', 'a cloud metadata address'],
    ['fc00::1', 'a unique local address (fc00::/7)'],
    ['fe80::1', 'a link-local address'],
    ['fec0::1', 'a site-local address (fec0::/10)'],
    ['ff02::1', 'a multicast address'],
    ['64:ff9b::a00:5', 'a private address (RFC 1918) (NAT64)'],
    ['64:ff9b:1::1', 'a local-use NAT64 address (64:ff9b:1::/48)'],
    ['2002:7f00:1::', 'a loopback address (6to4)'],
    ['2002:a9fe:a9fe::1', 'a cloud metadata address (6to4)'],
    ['2001::1', 'a Teredo address'],
    ['2001:db8::1', 'a reserved address'],
  ];

  for (const [address, reason] of cases) {
    it(`refuses a name resolving to ${address}: ${reason}`, async () => {
      const { lookup, calls } = fakeLookup({ 'target.test': [address] });
      const fetch = createEgressFetch({ lookup });
      await assert.rejects(fetch('https://target.test/path?token=secret'), (error: Error) => {
        assert.ok(error instanceof EgressRefusedError);
        assert.equal(error.code, 'ERR_EGRESS_REFUSED');
        assert.equal(error.reason, reason);
        assert.equal(error.host, 'target.test');
        assert.equal(error.message, `fetch refused: target.test resolves to ${error.address}, ${reason}`);
        assert.doesNotMatch(error.message, /secret|path/);
        return true;
      });
      assert.deepEqual(calls, ['target.test']);
    });
  }

  it('refuses when any one of several answers is refused (no retry can land on it)', async () => {
    const { lookup } = fakeLookup({ 'mixed.test': ['93.184.215.14', '10.1.2.3'] });
    await assert.rejects(createEgressFetch({ lookup })('http://mixed.test/'), {
      name: 'EgressRefusedError',
      address: '10.1.2.3',
    });
  });

  for (const [url, address] of [
    ['http://127.1/', '127.0.0.1'],
    ['http://2130706433/', '127.0.0.1'],
    ['http://0x7f.0.0.1/', '127.0.0.1'],
    ['http://[::ffff:7f00:1]/', '127.0.0.1'],
    ['http://[::1]:8080/', '::1'],
    ['http://169.254.169.254/latest/meta-data/iam/', '169.254.169.254'],
    ['http://[fd00:ec2::254]/', 'fd00:ec2::254'],
  ] as const) {
    it(`refuses the literal ${url} without resolving it`, async () => {
      const { lookup, calls } = fakeLookup({});
      await assert.rejects(createEgressFetch({ lookup })(url), { name: 'EgressRefusedError', address });
      assert.deepEqual(calls, []);
    });
  }

  for (const url of ['file:///etc/passwd', 'ftp://example.com/', 'data:text/plain,hi', 'gopher://example.com/']) {
    it(`refuses the scheme of ${url}`, async () => {
      await assert.rejects(createEgressFetch()(url), (error: Error) => {
        assert.ok(error instanceof EgressRefusedError);
        assert.match(error.message, /^fetch refused: only http: and https: URLs are allowed, not [a-z]+:$/);
        return true;
      });
    });
  }

  it('refuses Fetch "bad ports" (SMTP here)', async () => {
    await assert.rejects(createEgressFetch()('http://mail.example.com:25/'), {
      name: 'EgressRefusedError',
      message: 'fetch refused: port 25 is not allowed',
    });
  });

  it('refuses metadata even when its whole range is allowed', async () => {
    const { lookup } = fakeLookup({ 'imds.test': ['169.254.169.254'] });
    const fetch = createEgressFetch({ lookup, allowPrivate: ['169.254.0.0/16', 'imds.test'] });
    await assert.rejects(fetch('http://imds.test/'), {
      name: 'EgressRefusedError',
      reason: 'a cloud metadata address',
    });
  });

  it('reports a name that does not resolve as a network error', async () => {
    const { lookup } = fakeLookup({});
    await assert.rejects(createEgressFetch({ lookup })('http://nowhere.test/'), (error: Error) => {
      assert.ok(error instanceof EgressNetworkError);
      assert.equal(error.message, 'fetch failed: cannot resolve nowhere.test (ENOTFOUND)');
      return true;
    });
  });

  it('treats caller misuse as a TypeError, as fetch does', async () => {
    const fetch = createEgressFetch();
    await assert.rejects(fetch('not a url'), TypeError);
    await assert.rejects(fetch('https://example.com/', { method: 'GET', body: 'x' }), TypeError);
    await assert.rejects(fetch('https://example.com/', { method: 'CONNECT' }), TypeError);
    await assert.rejects(fetch('https://example.com/', { headers: { 'bad header': 'x' } }), TypeError);
    await assert.rejects(fetch('https://example.com/', { headers: { 'x-a': 'line\nbreak' } }), TypeError);
  });

  it('throws at construction on an allowPrivate entry that is no address, CIDR or host name', () => {
    assert.throws(() => createEgressFetch({ allowPrivate: ['10.0.0.0/33'] }), TypeError);
    assert.throws(() => createEgressFetch({ allowPrivate: ['not a host!'] }), {
      message: 'allowPrivate: "not a host!" is neither an IP address, a CIDR nor a host name',
    });
  });
});
