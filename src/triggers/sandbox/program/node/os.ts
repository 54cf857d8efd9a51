/**
 * `os`: a stand-in that tells nothing of the host. An action runs in one isolate with no machine of its own, so the
 * answers are fixed: host name `minter`, Linux on x64, `EOL` `\n`, no CPUs, interfaces or users to list.
 */

/** Makes the `os` module. */
export function makeOs(): Record<string, unknown> {
  const constant = (value: unknown) =>
    function () {
      return value;
    };
  return {
    EOL: '\n',
    devNull: '/dev/null',
    hostname: constant('minter'),
    platform: constant('linux'),
    type: constant('Linux'),
    arch: constant('x64'),
    machine: constant('x86_64'),
    release: constant(''),
    version: constant(''),
    endianness: constant('LE'),
    tmpdir: constant('/tmp'),
    homedir: constant('/'),
    uptime: constant(0),
    totalmem: constant(0),
    freemem: constant(0),
    availableParallelism: constant(1),
    loadavg: function () {
      return [0, 0, 0];
    },
    cpus: function () {
      return [];
    },
    networkInterfaces: function () {
      return {};
    },
    userInfo: function () {
      return { uid: -1, gid: -1, username: 'minter', homedir: '/', shell: null };
    },
    constants: { signals: {}, errno: {}, priority: {} },
  };
}
