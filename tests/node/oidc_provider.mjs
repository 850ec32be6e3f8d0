// A real OAuth 2.1 authorization server for the OAuth tests: node-oidc-provider (OpenID
// Certified) on a free loopback port, with the client credentials grant and resource indicators
// (RFC 8707) minting RS256 JWT access tokens (RFC 9068) for the MCP server's public URL.
//
// Usage: node oidc_provider.mjs <mcp public url>
// Run it from a folder whose node_modules holds oidc-provider (it is ESM: NODE_PATH does not
// apply). On start it prints one JSON line: the issuer, the clients and their secrets, and an
// expired token signed with the provider's own key (a real signature that only `exp` makes
// invalid; oidc-provider never mints one). It serves until killed.
//
// Clients (all client_secret_basic), with the scopes the MCP server grants each (what an
// administrator configures at a real authorization server):
// - prefect-reader: prefect:read
// - prefect-writer: prefect:read prefect:write
// - prefect-opaque: prefect:read, opaque tokens (checked through introspection)
// - mcp-introspector: no grant; the MCP server's own credentials for the introspection endpoint
//
// The MCP server's 401 asks for every scope it offers. oidc-provider answers `invalid_scope`
// when a client asks for a scope outside its client-level `scope`, so every client may ask for
// both there; the resource server (`getResourceServerInfo`) then grants each client only its own
// scopes, and the token carries the intersection (a reader asking for both gets prefect:read).

import { createServer } from 'node:http';
import { generateKeyPairSync, createSign, randomUUID } from 'node:crypto';

import Provider from 'oidc-provider';

const audience = process.argv[2];
if (!audience) {
  console.error('usage: node oidc_provider.mjs <mcp public url>');
  process.exit(2);
}

const SCOPES = 'prefect:read prefect:write';
const clients = {
  'prefect-reader': { secret: 'reader-secret', scope: 'prefect:read' },
  'prefect-writer': { secret: 'writer-secret', scope: SCOPES },
  'prefect-opaque': { secret: 'opaque-secret', scope: 'prefect:read' },
  'mcp-introspector': { secret: 'introspector-secret', scope: '' },
};

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = randomUUID();
const jwk = { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: Object.entries(clients).map(([id, c]) => ({
    client_id: id,
    client_secret: c.secret,
    grant_types: id === 'mcp-introspector' ? [] : ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    ...(c.scope ? { scope: SCOPES } : {}),
  })),
  jwks: { keys: [jwk] },
  scopes: SCOPES.split(' '),
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      // Any resource may be asked for (the tests ask for another audience on purpose); the
      // token's audience is the resource asked for. The scopes are the client's own.
      getResourceServerInfo: (ctx, resource, client) => ({
        scope: clients[client.clientId]?.scope || 'prefect:read',
        audience: resource,
        accessTokenFormat: client.clientId === 'prefect-opaque' ? 'opaque' : 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
});
provider.on('server_error', (ctx, error) => console.error('oidc-provider error:', error));
server.on('request', provider.callback());

// An access token that expired an hour ago, signed with the provider's key, as a JWT access
// token (RFC 9068) for the MCP server would be.
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const unsigned = `${b64({ alg: 'RS256', typ: 'at+jwt', kid })}.${b64({
  iss: issuer,
  sub: 'prefect-writer',
  client_id: 'prefect-writer',
  aud: audience,
  scope: SCOPES,
  iat: now - 7200,
  exp: now - 3600,
  jti: randomUUID(),
})}`;
const signature = createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url');

console.log(JSON.stringify({
  issuer,
  clients: Object.fromEntries(Object.entries(clients).map(([id, c]) => [id, c.secret])),
  expired_token: `${unsigned}.${signature}`,
}));
