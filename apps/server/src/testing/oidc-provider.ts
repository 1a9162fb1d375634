import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, {
  type Adapter,
  type AdapterFactory,
  type AdapterPayload,
  type Configuration,
  type InteractionResults,
} from 'oidc-provider';

/** What the test provider says of a person, with ProConnect's claims. */
export interface TestAccount {
  sub: string;
  email: string;
  email_verified?: boolean;
  given_name?: string;
  usual_name?: string;
  siret?: string;
  uid?: string;
  idp_id?: string;
}

export interface TestOpenIdProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly provider: Provider;
  /** Requests that reached the authorization endpoint (`/auth`), to check that a loop does not. */
  readonly authorizationRequests: number;
  /** Back-channel logout calls made to the client, and whether it answered 200. */
  readonly backchannelLogouts: ReadonlyArray<{ ok: boolean; error?: string }>;
  /** The account that the next interactive sign-in at the provider signs in as. */
  signInNextAs(account: TestAccount): void;
  /**
   * The authentication level (`acr`) of the next sign-ins; by default the first of the client's
   * `acr_values`, as if the provider always met the level asked for.
   */
  authenticateWithAcr(acr: string | undefined): void;
  /** Changes what the provider says of an account (e.g. a new e-mail). */
  updateAccount(account: TestAccount): void;
  close(): Promise<void>;
}

/** The provider's storage (sessions, grants, codes...), in memory and private to one provider. */
function memoryAdapter(): AdapterFactory {
  const entries = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) entries.delete(key);
    return entries.get(key);
  };
  return (model: string): Adapter => {
    const keyOf = (id: string) => `${model}:${id}`;
    const findWhere = (test: (payload: AdapterPayload) => boolean) => {
      for (const [key, entry] of entries) {
        if (key.startsWith(`${model}:`) && live(key) && test(entry.payload)) return Promise.resolve(entry.payload);
      }
      return Promise.resolve(undefined);
    };
    return {
      upsert(id, payload, expiresIn) {
        entries.set(keyOf(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
        return Promise.resolve();
      },
      find: (id) => Promise.resolve(live(keyOf(id))?.payload),
      findByUid: (uid) => findWhere((payload) => payload.uid === uid),
      findByUserCode: (userCode) => findWhere((payload) => payload.userCode === userCode),
      consume(id) {
        const entry = live(keyOf(id));
        if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
        return Promise.resolve();
      },
      destroy(id) {
        entries.delete(keyOf(id));
        return Promise.resolve();
      },
      revokeByGrantId(grantId) {
        for (const [key, entry] of entries) {
          if (key.startsWith(`${model}:`) && entry.payload.grantId === grantId) entries.delete(key);
        }
        return Promise.resolve();
      },
    };
  };
}

export interface TestOpenIdProviderOptions {
  /** The client's `redirect_uris`. */
  redirectUri: string;
  postLogoutRedirectUri: string;
  backchannelLogoutUri: string;
}

/**
 * A real OpenID provider (`oidc-provider`, the library ProConnect is built on) on 127.0.0.1 and a
 * random port, with one confidential client (client_secret_basic, PKCE required), ProConnect's scopes
 * and claims (`given_name`, `usual_name`, `siret`, `uid`, `idp_id` are scopes of their own), signed
 * userinfo answers, RP-initiated and back-channel logout. Instead of a login page, the interaction URL
 * signs in the account chosen by the test with `signInNextAs` and grants what the client asked for,
 * so that browsers driven by the test go through the real protocol over HTTP.
 */
export async function startTestOpenIdProvider(options: TestOpenIdProviderOptions): Promise<TestOpenIdProvider> {
  let handler: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => {
    response.statusCode = 503;
    response.end();
  };
  const server = createServer((request, response) => handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const accounts = new Map<string, TestAccount>();
  let nextAccount: TestAccount | undefined;
  let acrOverride: string | undefined;
  let isClosed = false;
  let authorizationRequests = 0;
  const backchannelLogouts: Array<{ ok: boolean; error?: string }> = [];
  const clientId = 'bureau';
  const clientSecret = randomBytes(24).toString('base64url');

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };

  const configuration: Configuration = {
    adapter: memoryAdapter(),
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: [options.postLogoutRedirectUri],
        backchannel_logout_uri: options.backchannelLogoutUri,
        backchannel_logout_session_required: true,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        id_token_signed_response_alg: 'RS256',
        // Like ProConnect: userinfo answers a signed JWT.
        userinfo_signed_response_alg: 'RS256',
      },
    ],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      given_name: ['given_name'],
      usual_name: ['usual_name'],
      siret: ['siret'],
      uid: ['uid'],
      idp_id: ['idp_id'],
    },
    findAccount(_context, sub) {
      const account = accounts.get(sub);
      return Promise.resolve(account && { accountId: sub, claims: () => ({ ...account }) });
    },
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    pkce: { required: () => true },
    acrValues: ['eidas1', 'eidas2', 'eidas3'],
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      jwtUserinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(context, form) {
          context.body = `<!DOCTYPE html><title>Logout</title>${form}`;
        },
        postLogoutSuccessSource(context) {
          context.body = '<!DOCTYPE html><title>Signed out</title>';
        },
      },
    },
    interactions: { url: (_context, interaction) => `/interaction/${interaction.uid}` },
    renderError(context, out) {
      context.type = 'json';
      context.body = out;
    },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 12 * 3600,
      Grant: 12 * 3600,
    },
    // The client runs on 127.0.0.1: skip the provider's protection against calls to private addresses.
    fetch: (input, init) => {
      const rest: RequestInit & { dispatcher?: unknown } = { ...init };
      delete rest.dispatcher;
      return fetch(input, rest);
    },
  };
  const provider = new Provider(issuer, configuration);
  provider.on('backchannel.success', () => backchannelLogouts.push({ ok: true }));
  provider.on('backchannel.error', (_context, error: Error) =>
    backchannelLogouts.push({ ok: false, error: error.message }),
  );

  /** The provider's "login page": signs in the chosen account and grants what was asked for. */
  async function interact(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(request, response);
    const { prompt, params, session } = details;
    let accountId = session?.accountId;
    const result: InteractionResults = {};
    if (prompt.name === 'login') {
      if (!nextAccount) {
        await provider.interactionFinished(request, response, {
          error: 'access_denied',
          error_description: 'no account chosen by the test',
        });
        return;
      }
      accountId = nextAccount.sub;
      const acr = acrOverride ?? (typeof params.acr_values === 'string' ? params.acr_values.split(' ')[0] : undefined);
      result.login = { accountId, ...(acr === undefined ? {} : { acr }) };
    }
    if (!accountId) throw new Error('interaction without an account');
    const existing = details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId);
    // Another account signing in gets its own grant.
    const grant =
      existing?.accountId === accountId
        ? existing
        : new provider.Grant({ accountId, clientId: String(params.client_id) });
    grant.addOIDCScope(String(params.scope));
    result.consent = { grantId: await grant.save() };
    await provider.interactionFinished(request, response, result, { mergeWithLastSubmission: false });
  }

  const providerCallback = provider.callback();
  handler = (request, response) => {
    const path = new URL(request.url ?? '/', issuer).pathname;
    if (path === '/auth') authorizationRequests += 1;
    if (path.startsWith('/interaction/')) {
      interact(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(error instanceof Error ? error.message : String(error));
      });
      return;
    }
    void providerCallback(request, response);
  };

  return {
    issuer,
    clientId,
    clientSecret,
    provider,
    get authorizationRequests() {
      return authorizationRequests;
    },
    backchannelLogouts,
    authenticateWithAcr(acr) {
      acrOverride = acr;
    },
    signInNextAs(account) {
      accounts.set(account.sub, account);
      nextAccount = account;
    },
    updateAccount(account) {
      accounts.set(account.sub, account);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (isClosed) {
          resolve();
          return;
        }
        isClosed = true;
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
