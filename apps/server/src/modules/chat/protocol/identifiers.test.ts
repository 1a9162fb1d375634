import { describe, expect, it } from 'vitest';
import {
  assertValidRoomAlias,
  assertValidUserId,
  buildUserId,
  deriveLocalpart,
  InvalidIdentifierError,
  isCompliantUserLocalpart,
  isRecommendedServerName,
  isValidEventId,
  isValidNamespacedIdentifier,
  isValidOpaqueIdentifier,
  isValidRoomAlias,
  isValidRoomId,
  isValidServerName,
  isValidUserId,
  normaliseLocalpart,
  parseRoomId,
  parseServerName,
  parseUserId,
} from './identifiers.ts';

const hash43 = 'Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg';

describe(parseServerName.name, () => {
  // The examples of appendices.md § "Server Name", then edge cases of its grammar.
  const valid: [string, ReturnType<typeof parseServerName>][] = [
    ['matrix.org', { host: 'matrix.org', hostKind: 'dns', port: undefined }],
    ['matrix.org:8888', { host: 'matrix.org', hostKind: 'dns', port: 8888 }],
    ['1.2.3.4', { host: '1.2.3.4', hostKind: 'ipv4', port: undefined }],
    ['1.2.3.4:1234', { host: '1.2.3.4', hostKind: 'ipv4', port: 1234 }],
    ['[1234:5678::abcd]', { host: '[1234:5678::abcd]', hostKind: 'ipv6', port: undefined }],
    ['[1234:5678::abcd]:5678', { host: '[1234:5678::abcd]', hostKind: 'ipv6', port: 5678 }],
    ['[::ffff:1.2.3.4]', { host: '[::ffff:1.2.3.4]', hostKind: 'ipv6', port: undefined }],
    ['localhost', { host: 'localhost', hostKind: 'dns', port: undefined }],
    ['MATRIX.ORG', { host: 'MATRIX.ORG', hostKind: 'dns', port: undefined }],
    ['255.255.255.255:0', { host: '255.255.255.255', hostKind: 'ipv4', port: 0 }],
    ['1.2.3.4.5', { host: '1.2.3.4.5', hostKind: 'dns', port: undefined }],
  ];

  it.each(valid)('parses %s', (serverName, expected) => {
    expect(parseServerName(serverName)).toEqual(expected);
    expect(isValidServerName(serverName)).toBe(true);
  });

  const invalid = [
    '',
    ':8080',
    'matrix.org:',
    'matrix.org:123456',
    'matrix.org:port',
    'exa_mple.org',
    'exämple.org',
    'example.org/path',
    '256.1.1.1',
    '1.2.3.999:80',
    '::1',
    '[::1',
    '[::g]',
    '[1:2:3:4:5:6:7:8:9]',
    '[::1]:',
    '[fe80::1%eth0]',
    'a'.repeat(256),
  ];

  it.each(invalid)('rejects %j', (serverName) => {
    expect(parseServerName(serverName)).toBeUndefined();
  });

  it('holds names Bureau is configured with to the recommendations', () => {
    expect(isRecommendedServerName('bureau.gouv.fr')).toBe(true);
    expect(isRecommendedServerName('bureau.gouv.fr:8448')).toBe(true);
    expect(isRecommendedServerName('[::1]:8448')).toBe(true);
    expect(isRecommendedServerName('Bureau.gouv.fr')).toBe(false);
    expect(isRecommendedServerName('-bureau.fr')).toBe(false);
    expect(isRecommendedServerName('bureau..fr')).toBe(false);
    expect(isRecommendedServerName(`${'a.'.repeat(115)}fr`)).toBe(false);
  });
});

describe(parseUserId.name, () => {
  const valid = ['@alice:example.org', '@jean.dupont:bureau.gouv.fr', '@a-b_c=d/e+f.9:[::1]:8448', '@0:1.2.3.4'];
  it.each(valid)('accepts %s under the current grammar', (userId) => {
    expect(isValidUserId(userId)).toBe(true);
  });

  it('splits at the first colon, the server name keeping its port', () => {
    expect(parseUserId('@alice:example.org:8448')).toEqual({ localpart: 'alice', serverName: 'example.org:8448' });
  });

  const historicalOnly = [
    '@Alice:example.org',
    '@:example.org',
    '@al ice:example.org',
    '@é:example.org',
    '@a#b:example.org',
  ];
  it.each(historicalOnly)('accepts %j only under the historical grammar', (userId) => {
    expect(isValidUserId(userId)).toBe(false);
    expect(isValidUserId(userId, 'historical')).toBe(true);
  });

  const invalid = [
    'alice:example.org',
    '@alice',
    '@alice:',
    '@alice:exa mple.org',
    '#alice:example.org',
    '@a\u0000b:example.org',
    '@\uD800:example.org',
  ];
  it.each(invalid)('rejects %j under both grammars', (userId) => {
    expect(isValidUserId(userId)).toBe(false);
    expect(isValidUserId(userId, 'historical')).toBe(false);
  });

  it('limits user IDs to 255 bytes, sigil and domain included', () => {
    const domain = 'example.org';
    const fits = `@${'a'.repeat(255 - 2 - domain.length)}:${domain}`;
    expect(fits).toHaveLength(255);
    expect(isValidUserId(fits)).toBe(true);
    expect(isValidUserId(`@a${fits.slice(1)}`)).toBe(false);
    // Bytes, not characters: 125 "é" are 125 characters but 250 bytes.
    expect(isValidUserId(`@${'é'.repeat(125)}:${domain}`, 'historical')).toBe(false);
  });

  it('tells compliant historical localparts from non-compliant ones', () => {
    expect(isCompliantUserLocalpart('Alice!')).toBe(true);
    expect(isCompliantUserLocalpart('')).toBe(false);
    expect(isCompliantUserLocalpart('al ice')).toBe(false);
    expect(isCompliantUserLocalpart('é')).toBe(false);
  });

  it('throws a typed error from the assert and build variants', () => {
    expect(assertValidUserId('@bob:example.org')).toEqual({ localpart: 'bob', serverName: 'example.org' });
    expect(() => assertValidUserId('@Bob:example.org')).toThrow(InvalidIdentifierError);
    expect(buildUserId('bob', 'example.org')).toBe('@bob:example.org');
    expect(() => buildUserId('Bob', 'example.org')).toThrow(InvalidIdentifierError);
  });
});

describe(parseRoomId.name, () => {
  it('reads both forms', () => {
    expect(parseRoomId('!abc123:matrix.org')).toEqual({
      format: 'domain',
      localpart: 'abc123',
      serverName: 'matrix.org',
    });
    expect(parseRoomId(`!${hash43}`)).toEqual({ format: 'create-event-hash', hash: hash43 });
  });

  const table: [string, boolean, boolean][] = [
    // room ID, valid up to v11 (domain), valid in v12 (hash)
    ['!abc123:matrix.org', true, false],
    ['!AbC:[::1]:8448', true, false],
    ['!:matrix.org', true, false],
    [`!${hash43}`, false, true],
    ['!Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ', false, true],
    [`!${hash43}:matrix.org`, true, false],
    [`!${hash43.slice(1)}`, false, false],
    [`!${hash43.replace('-', '+')}`, false, false],
    ['!abc', false, false],
    ['abc:matrix.org', false, false],
    ['!abc:bad_host', false, false],
    [`!${'a'.repeat(250)}:b.org`, false, false],
  ];

  it.each(table)('%s: domain form %s, hash form %s', (roomId, validAsDomain, validAsHash) => {
    expect(isValidRoomId(roomId, 'domain')).toBe(validAsDomain);
    expect(isValidRoomId(roomId, 'create-event-hash')).toBe(validAsHash);
    expect(isValidRoomId(roomId)).toBe(validAsDomain || validAsHash);
  });
});

describe(isValidEventId.name, () => {
  const table: [string, boolean, boolean, boolean][] = [
    // event ID, v1–2 (domain), v3 (standard base64), v4+ (URL-safe base64)
    ['$yvN1b43rlmcOs5fY:localhost', true, false, false],
    ['$RrGxF28UrHLmoASHndYb9Jb/1SFww2ptmtur9INS438', false, true, false],
    ['$RrGxF28UrHLmoASHndYb9Jb_1SFww2ptmtur9INS438', false, false, true],
    ['$Rqnc1234567890abcdefghijklmnopqrstuvwxyzABC', false, true, true],
    ['$short', false, false, false],
    ['Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg', false, false, false],
    ['$0:domain', true, false, false],
  ];

  it.each(table)('%s: v1 %s, v3 %s, v4+ %s', (eventId, v1, v3, v4) => {
    expect(isValidEventId(eventId, 'domain')).toBe(v1);
    expect(isValidEventId(eventId, 'base64-hash')).toBe(v3);
    expect(isValidEventId(eventId, 'url-safe-hash')).toBe(v4);
    expect(isValidEventId(eventId)).toBe(v1 || v3 || v4);
  });
});

describe(isValidRoomAlias.name, () => {
  it.each(['#room:example.org', '#Salle des fêtes:example.org', '#a:[::1]:80'])('accepts %j', (alias) => {
    expect(isValidRoomAlias(alias)).toBe(true);
  });

  it.each(['#:example.org', 'room:example.org', '#room', '#ro\u0000om:example.org', `#${'a'.repeat(244)}:example.org`])(
    'rejects %j',
    (alias) => {
      expect(isValidRoomAlias(alias)).toBe(false);
    },
  );

  it('throws a typed error from the assert variant', () => {
    expect(assertValidRoomAlias('#r:e.org')).toEqual({ localpart: 'r', serverName: 'e.org' });
    expect(() => assertValidRoomAlias('#r')).toThrow(InvalidIdentifierError);
  });
});

describe('namespaced and opaque identifiers', () => {
  it('follows the common namespaced identifier grammar', () => {
    expect(isValidNamespacedIdentifier('m.room.message')).toBe(true);
    expect(isValidNamespacedIdentifier('fr.gouv.bureau-x_1')).toBe(true);
    expect(isValidNamespacedIdentifier('M.room')).toBe(false);
    expect(isValidNamespacedIdentifier('1abc')).toBe(false);
    expect(isValidNamespacedIdentifier('a'.repeat(256))).toBe(false);
  });

  it('follows the opaque identifier grammar', () => {
    expect(isValidOpaqueIdentifier('ABCdef-._~09')).toBe(true);
    expect(isValidOpaqueIdentifier('')).toBe(false);
    expect(isValidOpaqueIdentifier('a/b')).toBe(false);
  });
});

describe(normaliseLocalpart.name, () => {
  const table: [string, string][] = [
    ['jean.dupont', 'jean.dupont'],
    ['Jean.Dupont', 'jean.dupont'],
    ['élodie.müller', 'elodie.muller'],
    ['Œdipe.Lætitia', 'oedipe.laetitia'],
    ['françois-xavier', 'francois-xavier'],
    ['jean dupont', 'jean_dupont'],
    ['jean!!#dupont', 'jean_dupont'],
    ['jean+agenda', 'jean+agenda'],
    ['_admin_', 'admin'],
    ['a=b/c', 'a=b/c'],
    ['日本', ''],
    ['x'.repeat(100), 'x'.repeat(64)],
  ];

  it.each(table)('turns %j into %j', (input, expected) => {
    expect(normaliseLocalpart(input)).toBe(expected);
  });
});

describe(deriveLocalpart.name, () => {
  it('returns the normalised e-mail local part when it is free', async () => {
    expect(await deriveLocalpart('Jean.Dupont', () => false)).toBe('jean.dupont');
  });

  it('appends 2, 3... on collision', async () => {
    const taken = new Set(['jean.dupont', 'jean.dupont2']);
    const sut = await deriveLocalpart('jean.dupont', (candidate) => taken.has(candidate));
    expect(sut).toBe('jean.dupont3');
  });

  it('accepts an asynchronous lookup and asks in order', async () => {
    const asked: string[] = [];
    const sut = await deriveLocalpart('Élise', (candidate) => {
      asked.push(candidate);
      return Promise.resolve(candidate !== 'elise2');
    });
    expect(sut).toBe('elise2');
    expect(asked).toEqual(['elise', 'elise2']);
  });

  it('falls back when nothing usable remains', async () => {
    expect(await deriveLocalpart('日本', (candidate) => candidate === 'user')).toBe('user2');
    expect(await deriveLocalpart('日本', () => false, { fallback: 'agent' })).toBe('agent');
  });

  it('gives up after maxAttempts candidates', async () => {
    await expect(deriveLocalpart('a', () => true, { maxAttempts: 3 })).rejects.toThrow(/after 3 attempts/);
  });

  it('only ever produces localparts of the current grammar', async () => {
    for (const input of ['ÀÉÎÕÜ', 'a b\tc', 'x@y', '--', 'ÆØÅ.ßtraße']) {
      const localpart = await deriveLocalpart(input, () => false);
      expect(isValidUserId(`@${localpart}:example.org`), localpart).toBe(true);
    }
  });
});
