/**
 * WebAuthn glue: the server sends options as JSON strings with base64url byte fields (py_webauthn's
 * `options_to_json`); the browser API wants ArrayBuffers; the server wants the credential back as JSON
 * with base64url fields.
 */

export function b64urlToBytes(s: string): Uint8Array<ArrayBuffer> {
  const pad = "=".repeat((4 - (s.length % 4)) % 4);
  const bin = atob((s + pad).replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToB64url(buf: ArrayBuffer | Uint8Array): string {
  const bytes = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

interface JsonCred {
  id: string;
  type: string;
  transports?: string[];
}

export function parseRequestOptions(json: string): PublicKeyCredentialRequestOptions {
  const o = JSON.parse(json) as Record<string, unknown> & { challenge: string; allowCredentials?: JsonCred[] };
  return {
    ...(o as object),
    challenge: b64urlToBytes(o.challenge),
    allowCredentials: (o.allowCredentials ?? []).map((c) => ({ type: "public-key", id: b64urlToBytes(c.id), transports: c.transports as AuthenticatorTransport[] | undefined })),
  } as PublicKeyCredentialRequestOptions;
}

export function parseCreationOptions(json: string): PublicKeyCredentialCreationOptions {
  const o = JSON.parse(json) as Record<string, unknown> & { challenge: string; user: { id: string; name: string; displayName: string }; excludeCredentials?: JsonCred[] };
  return {
    ...(o as object),
    challenge: b64urlToBytes(o.challenge),
    user: { ...o.user, id: b64urlToBytes(o.user.id) },
    excludeCredentials: (o.excludeCredentials ?? []).map((c) => ({ type: "public-key", id: b64urlToBytes(c.id) })),
  } as unknown as PublicKeyCredentialCreationOptions;
}

export function serializeCredential(cred: PublicKeyCredential): string {
  const r = cred.response as AuthenticatorAttestationResponse & AuthenticatorAssertionResponse;
  const response: Record<string, string | null> = { clientDataJSON: bytesToB64url(r.clientDataJSON) };
  if ("attestationObject" in r && r.attestationObject) response.attestationObject = bytesToB64url(r.attestationObject);
  if ("authenticatorData" in r && r.authenticatorData) response.authenticatorData = bytesToB64url(r.authenticatorData);
  if ("signature" in r && r.signature) response.signature = bytesToB64url(r.signature);
  if ("userHandle" in r) response.userHandle = r.userHandle ? bytesToB64url(r.userHandle) : null;
  return JSON.stringify({ id: cred.id, rawId: bytesToB64url(cred.rawId), type: cred.type, response, clientExtensionResults: {} });
}

export function passkeysSupported(): boolean {
  return typeof window !== "undefined" && !!window.PublicKeyCredential && !!navigator.credentials;
}
