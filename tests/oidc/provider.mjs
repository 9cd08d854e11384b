// A real OpenID Connect provider for the integration tests: `oidc-provider` (OpenID Certified),
// with a login form for the test users and a first-party client that needs no consent screen.
//
//   node provider.mjs '<config JSON>'
//
// config: { port, kid, idTokenTtl?, nameClaim, idNumberClaim,
//           clients: [{ client_id, client_secret, redirect_uris, post_logout_redirect_uris }],
//           users: { "<accountId>": { "<claim>": value, ... } } }
//
// Besides the protocol it answers one route for the tests, `POST /test/sign`, which signs the
// claims it is given with this provider's key (`"key": "provider"`) or with a key nobody
// published (`"key": "other"`): the tests feed such tokens to the client's validation.
// It prints `listening <issuer>` once it accepts connections.

import Provider from 'oidc-provider';
import { generateKeyPair, exportJWK, importJWK, SignJWT } from 'jose';

const config = JSON.parse(process.argv[2]);
const issuer = `http://127.0.0.1:${config.port}`;

async function signingKey(kid) {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid, alg: 'RS256', use: 'sig' };
}

const providerKey = await signingKey(config.kid);
const otherKey = await signingKey(config.kid);

const users = config.users;
const provider = new Provider(issuer, {
  clients: config.clients.map((c) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...c,
  })),
  jwks: { keys: [providerKey] },
  cookies: { keys: ['hunyin-test-provider-cookie-key'] },
  claims: { openid: ['sub'], profile: [config.nameClaim, config.idNumberClaim] },
  // The claims of the granted scopes go into the ID token itself.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  ttl: { IdToken: config.idTokenTtl ?? 3600 },
  async findAccount(ctx, id) {
    if (!users[id]) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...users[id] }; } };
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // The test clients are first-party: grant what they ask without a consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile');
    grant.addOIDCClaims(['sub', config.nameClaim, config.idNumberClaim]);
    await grant.save();
    return grant;
  },
});

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

provider.use(async (ctx, next) => {
  const login = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (login) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (!login[2] && ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = `<form method="post" action="/interaction/${details.uid}/login">`
        + '<input name="login"><button>Sign in</button></form>';
      return;
    }
    if (login[2] && ctx.method === 'POST') {
      const form = new URLSearchParams(await readBody(ctx.req));
      const accountId = form.get('login');
      const result = users[accountId]
        ? { login: { accountId } }
        : { error: 'access_denied', error_description: 'unknown user' };
      ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, {
        mergeWithLastSubmission: false,
      }));
      return;
    }
  }
  if (ctx.path === '/test/sign' && ctx.method === 'POST') {
    const job = JSON.parse(await readBody(ctx.req));
    const jwk = job.key === 'other' ? otherKey : providerKey;
    const key = await importJWK(jwk, 'RS256');
    ctx.type = 'json';
    ctx.body = {
      token: await new SignJWT(job.claims)
        .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
        .sign(key),
    };
    return;
  }
  await next();
});

const server = provider.listen(config.port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
