import { Direction, MatrixError, type MatrixClient } from 'matrix-js-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../../app.ts';
import { createTestEnvironment, type TestEnvironment } from '../../../testing/test-database.ts';
import { testPassword } from '../testing/matrix-test-client.ts';
import { loginWithSdk, startSynced, timelineBodies, waitFor } from '../testing/sdk-clients.ts';

const system = { system: true, label: 'test' };

/**
 * The real client's end-to-end encryption (matrix-js-sdk with its Rust crypto, in Node) against Bureau on
 * loopback: two agents exchange a message in an encrypted room (device keys, one-time key claims, to-device
 * room keys, megolm), then Alice bootstraps cross-signing and a key backup that receives her room key.
 */
/** Polls an asynchronous condition (the SDK backs keys up after a random delay of up to 10 s). */
async function eventually(what: string, condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('matrix-js-sdk end-to-end encryption against Bureau', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let baseUrl: string;
  const clients: MatrixClient[] = [];

  beforeEach(async () => {
    environment = await createTestEnvironment({ BUREAU_LOG_LEVEL: 'error', BUREAU_PUBLIC_URL: 'http://bureau.test' });
    app = await buildApp(environment.config);
    baseUrl = await app.listen();
    const directory = app.identity.directory;
    await directory.createOrganisation({ name: 'Ministère', domains: ['min.gouv.fr'] }, system);
    await directory.createUser({ email: 'alice@min.gouv.fr', password: testPassword, displayName: 'Alice' }, system);
    await directory.createUser({ email: 'bob@min.gouv.fr', password: testPassword, displayName: 'Bob' }, system);
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.stopClient();
    await app.close();
    await environment.destroy();
  });

  async function signInWithCrypto(email: string): Promise<MatrixClient> {
    const client = await loginWithSdk(baseUrl, email);
    clients.push(client);
    await client.initRustCrypto({ useIndexedDB: false });
    await startSynced(client);
    return client;
  }

  it('exchanges an encrypted message, then bootstraps cross-signing and a key backup', async () => {
    const alice = await signInWithCrypto('alice@min.gouv.fr');
    const bob = await signInWithCrypto('bob@min.gouv.fr');
    const aliceCrypto = alice.getCrypto();
    const bobCrypto = bob.getCrypto();
    if (!aliceCrypto || !bobCrypto) throw new Error('crypto not initialised');

    const { room_id: roomId } = await alice.createRoom({
      name: 'Confidentiel',
      invite: [bob.getSafeUserId()],
      initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
    });
    await waitFor('Bob sees the invitation', () => bob.getRoom(roomId)?.getMyMembership() === 'invite');
    await bob.joinRoom(roomId);
    await waitFor(
      'Alice sees Bob joined',
      () => alice.getRoom(roomId)?.getMember(bob.getSafeUserId())?.membership === 'join',
    );
    expect(await aliceCrypto.isEncryptionEnabledInRoom(roomId)).toBe(true);

    await alice.sendTextMessage(roomId, 'Le code est 4217');
    await waitFor(
      'Bob decrypts the message',
      () => timelineBodies(bob.getRoom(roomId)).includes('Le code est 4217'),
      60_000,
    );
    // What the server stored is ciphertext only.
    const stored = await bob.createMessagesRequest(roomId, null, 10, Direction.Backward);
    const encrypted = stored.chunk.filter((event) => event.type === 'm.room.encrypted');
    expect(encrypted.length).toBeGreaterThan(0);
    expect(JSON.stringify(encrypted)).not.toContain('4217');

    // And back: Bob answers with the session he already shares with Alice's device.
    await bob.sendTextMessage(roomId, 'Bien reçu');
    await waitFor(
      'Alice decrypts the answer',
      () => timelineBodies(alice.getRoom(roomId)).includes('Bien reçu'),
      60_000,
    );

    // A new device of Alice's appears in Bob's view of her devices (device_lists.changed), and goes once
    // deleted through user-interactive authentication.
    const phone = await signInWithCrypto('alice@min.gouv.fr');
    const phoneId = phone.getDeviceId() ?? '';
    const aliceDevices = async () =>
      (await bobCrypto.getUserDeviceInfo([alice.getSafeUserId()])).get(alice.getSafeUserId()) ?? new Map();
    await eventually('Bob sees Alice’s new device', async () => (await aliceDevices()).has(phoneId));
    const challenge = await alice.deleteDevice(phoneId).catch((error: unknown) => error);
    if (!(challenge instanceof MatrixError)) throw new Error('deleting a device without authentication succeeded');
    expect(challenge.httpStatus).toBe(401);
    await alice.deleteDevice(phoneId, {
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: alice.getSafeUserId() },
      password: testPassword,
      session: String(challenge.data['session']),
    });
    phone.stopClient();
    await eventually('Bob no longer sees the deleted device', async () => !(await aliceDevices()).has(phoneId));

    // Cross-signing: the first upload needs no user-interactive authentication.
    await aliceCrypto.bootstrapCrossSigning({
      authUploadDeviceSigningKeys: async (makeRequest) => {
        await makeRequest(null);
      },
    });
    // The client learns its own signed identity back through device_lists and /keys/query.
    await eventually('Alice’s cross-signing is ready', () => aliceCrypto.isCrossSigningReady());
    await eventually(
      'Alice’s device is signed by her self-signing key',
      async () =>
        (await aliceCrypto.getDeviceVerificationStatus(alice.getSafeUserId(), alice.getDeviceId() ?? ''))
          ?.crossSigningVerified === true,
    );
    // Bob downloads Alice's cross-signing identity.
    const identity = await bob.downloadKeysForUsers([alice.getSafeUserId()]);
    expect(identity.master_keys?.[alice.getSafeUserId()]).toBeDefined();

    // Key backup: a new version receives the room key of the conversation.
    await aliceCrypto.resetKeyBackup();
    const version = await aliceCrypto.getActiveSessionBackupVersion();
    expect(version).not.toBeNull();
    await eventually('the room key reaches the backup', async () => {
      const response = await fetch(`${baseUrl}/_matrix/client/v3/room_keys/version`, {
        headers: { authorization: `Bearer ${alice.getAccessToken() ?? ''}` },
      });
      const info = (await response.json()) as { version?: string; count?: number };
      return info.version === version && (info.count ?? 0) > 0;
    });
  }, 240_000);
});
