import { useEffect, useId, useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate, useSearchParams } from "react-router-dom";
import { GET, POST, type Schemas } from "../api/client";
import { ApiError } from "../api/http";
import { type SessionTokens, useAuth } from "../auth/AuthContext";
import { parseRequestOptions, passkeysSupported, serializeCredential } from "../lib/webauthn";

type Step = "password" | "totp" | "passkey";

function Shell({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="card w-full max-w-sm">
        <div className="mb-4 text-center">
          <div className="text-2xl font-bold">Jutsu Labs</div>
          <h1 className="mt-1 text-sm text-slate-500">{title}</h1>
        </div>
        {children}
      </div>
    </main>
  );
}

/** Password step, then TOTP (6 digits or a backup code) or a passkey when the account has them. */
export function LoginPage() {
  const { completeLogin, user } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const ids = { user: useId(), pass: useId(), code: useId() };
  const [step, setStep] = useState<Step>("password");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [ticket, setTicket] = useState<string | null>(null);
  const [passkeyOptions, setPasskeyOptions] = useState<string | null>(null);
  const [totpFallback, setTotpFallback] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? "/";

  useEffect(() => {
    if (user) navigate(from, { replace: true });
  }, [user, from, navigate]);

  const finish = async (res: SessionTokens) => {
    await completeLogin(res);
    navigate(from, { replace: true });
  };

  const runPasskey = async (optionsJson: string | null, loginTicket: string | null) => {
    setError(null);
    setBusy(true);
    try {
      if (!loginTicket) throw new Error("Sign in with your password first");
      let opts = optionsJson;
      if (!opts) {
        const r = await POST("/api/passkey/authenticate-options", { body: { login_ticket: loginTicket }, noRefresh: true });
        if (!r.options) throw new Error(r.message || "No passkey is registered for this account");
        opts = r.options;
      }
      const cred = (await navigator.credentials.get({ publicKey: parseRequestOptions(opts) })) as PublicKeyCredential | null;
      if (!cred) throw new Error("No passkey was selected");
      const res = await POST("/api/passkey/authenticate", {
        body: { login_ticket: loginTicket, credential: serializeCredential(cred) },
        noRefresh: true,
      });
      await finish(res);
    } catch (e) {
      setError(e instanceof Error ? e.message : "Passkey sign-in failed");
    } finally {
      setBusy(false);
    }
  };

  const onPassword = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const res = await POST("/api/auth/login", { form: { username, password }, noRefresh: true });
      setTicket(res.login_ticket ?? null);
      if (res.requires_passkey) {
        setPasskeyOptions(res.passkey_options ?? null);
        setTotpFallback(!!res.requires_2fa);
        setStep("passkey");
        if (passkeysSupported()) void runPasskey(res.passkey_options ?? null, res.login_ticket ?? null);
      } else if (res.requires_2fa) {
        setStep("totp");
      } else {
        await finish(res);
      }
    } catch (err) {
      setError(err instanceof ApiError ? err.detail : "Sign-in failed");
    } finally {
      setBusy(false);
    }
  };

  const onCode = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const body = ticket ? { login_ticket: ticket, totp_code: code.trim() } : { username, password, totp_code: code.trim() };
      const res = await POST("/api/auth/login-2fa", { body, noRefresh: true });
      await finish(res);
    } catch (err) {
      setError(err instanceof ApiError ? err.detail : "Verification failed");
    } finally {
      setBusy(false);
    }
  };

  const errorBox = error && (
    <p role="alert" className="mb-3 rounded bg-red-50 p-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-200">
      {error}
    </p>
  );

  if (step === "totp") {
    return (
      <Shell title="Two-factor authentication">
        {errorBox}
        <form onSubmit={onCode} className="space-y-3">
          <div>
            <label htmlFor={ids.code} className="label">
              Authenticator code (6 digits) or backup code (XXXX-XXXX)
            </label>
            <input id={ids.code} className="input" inputMode="text" autoComplete="one-time-code" autoFocus value={code} onChange={(e) => setCode(e.target.value)} required maxLength={9} />
          </div>
          <button type="submit" className="btn-primary w-full" disabled={busy}>
            Verify
          </button>
          <button type="button" className="btn-secondary w-full" onClick={() => setStep("password")}>
            Back
          </button>
        </form>
      </Shell>
    );
  }

  if (step === "passkey") {
    return (
      <Shell title="Confirm with your passkey">
        {errorBox}
        <div className="space-y-3">
          <button type="button" className="btn-primary w-full" disabled={busy || !passkeysSupported()} onClick={() => void runPasskey(passkeyOptions, ticket)}>
            Sign in with a passkey
          </button>
          {!passkeysSupported() && <p className="muted">This browser does not support passkeys.</p>}
          {totpFallback && (
            <button type="button" className="btn-secondary w-full" onClick={() => setStep("totp")}>
              Use authenticator code instead
            </button>
          )}
          <button type="button" className="btn-secondary w-full" onClick={() => setStep("password")}>
            Back
          </button>
        </div>
      </Shell>
    );
  }

  return (
    <Shell title="Sign in">
      {errorBox}
      <form onSubmit={onPassword} className="space-y-3">
        <div>
          <label htmlFor={ids.user} className="label">
            Username
          </label>
          <input id={ids.user} className="input" autoComplete="username" autoFocus value={username} onChange={(e) => setUsername(e.target.value)} required />
        </div>
        <div>
          <label htmlFor={ids.pass} className="label">
            Password
          </label>
          <input id={ids.pass} className="input" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </div>
        <button type="submit" className="btn-primary w-full" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <p className="text-center text-xs text-slate-500">Passkeys are offered after the password step when your account has one.</p>
      </form>
    </Shell>
  );
}

type InvitationInfo = Schemas["InvitationCheck"];

/** `/accept-invitation?token=…`: show the invitation, create the account, then go to /login. */
export function AcceptInvitationPage() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const navigate = useNavigate();
  const ids = { user: useId(), pass: useId(), confirm: useId(), email: useId() };
  const [info, setInfo] = useState<InvitationInfo | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [email, setEmail] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  useEffect(() => {
    if (!token) {
      setLoadError("This invitation link has no token.");
      return;
    }
    GET("/api/invitations/{token}", { path: { token }, noRefresh: true })
      .then((i) => {
        setInfo(i);
        setEmail(i.email ?? "");
      })
      .catch((e) => setLoadError(e instanceof ApiError ? e.detail : "Invitation could not be checked"));
  }, [token]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (password !== confirm) return setError("Passwords do not match");
    if (password.length < 8) return setError("Password must be at least 8 characters");
    if (!/^[A-Za-z0-9_]{3,50}$/.test(username)) return setError("Username: 3–50 letters, digits or underscore");
    try {
      await POST("/api/invitations/{token}/accept", { path: { token }, body: { username, password, email: email || undefined }, noRefresh: true });
      setDone(true);
      setTimeout(() => navigate("/login"), 1500);
    } catch (err) {
      setError(err instanceof ApiError ? err.detail : "Could not create the account");
    }
  };

  return (
    <Shell title="Accept invitation">
      {loadError && (
        <p role="alert" className="text-sm text-red-600">
          {loadError}
        </p>
      )}
      {done && <p role="status">Account created. Redirecting to sign in…</p>}
      {info && !done && (
        <form onSubmit={submit} className="space-y-3">
          <p className="text-sm">
            You are invited as <strong>{info.role}</strong>
            {info.email ? ` (${info.email})` : ""}.
          </p>
          {error && (
            <p role="alert" className="text-sm text-red-600">
              {error}
            </p>
          )}
          <div>
            <label htmlFor={ids.user} className="label">Username</label>
            <input id={ids.user} className="input" value={username} onChange={(e) => setUsername(e.target.value)} required autoComplete="username" />
          </div>
          <div>
            <label htmlFor={ids.email} className="label">Email (optional)</label>
            <input id={ids.email} className="input" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
          <div>
            <label htmlFor={ids.pass} className="label">Password</label>
            <input id={ids.pass} className="input" type="password" value={password} onChange={(e) => setPassword(e.target.value)} required autoComplete="new-password" />
          </div>
          <div>
            <label htmlFor={ids.confirm} className="label">Confirm password</label>
            <input id={ids.confirm} className="input" type="password" value={confirm} onChange={(e) => setConfirm(e.target.value)} required autoComplete="new-password" />
          </div>
          <button type="submit" className="btn-primary w-full">Create account</button>
        </form>
      )}
      <p className="mt-3 text-center text-sm">
        <Link className="underline" to="/login">Back to sign in</Link>
      </p>
    </Shell>
  );
}
