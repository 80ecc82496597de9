import { useId, useState, type FormEvent } from "react";
import { DELETE, POST, PUT, type Schemas } from "../api/client";
import { ApiError } from "../api/http";
import { queryKeys } from "../api/queryKeys";
import { Can, useAuth } from "../auth/AuthContext";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { NotificationsCard } from "../components/NotificationsCard";
import { Card, NotAvailable, QueryState } from "../components/States";
import { StrategySelect } from "../components/StrategySelect";
import { useToast } from "../components/Toasts";
import { TokenBanner } from "../components/TokenBanner";
import { useApiMutation, useConfig, useInvitations, usePasskeys, useSchwabStatus, useTwoFactorStatus, useUsers } from "../hooks/settings";
import { useSelectedStrategy } from "../hooks/strategies";
import { formatInstant, formatNumber } from "../lib/format";
import { parseCreationOptions, passkeysSupported, serializeCredential } from "../lib/webauthn";
import { EngineCard, SchedulerCard } from "./Dashboard";

function useRun() {
  const toast = useToast();
  return async <T,>(p: Promise<T>, ok?: string): Promise<T | undefined> => {
    try {
      const r = await p;
      if (ok) toast("success", ok);
      return r;
    } catch (e) {
      toast("error", e instanceof ApiError ? e.detail : e instanceof Error ? e.message : "Failed");
      return undefined;
    }
  };
}

function Profile() {
  const { user } = useAuth();
  const run = useRun();
  const ids = { cur: useId(), next: useId(), confirm: useId() };
  const [cur, setCur] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [err, setErr] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErr(null);
    if (next.length < 8) return setErr("The new password needs at least 8 characters");
    if (next !== confirm) return setErr("The new passwords do not match");
    const ok = await run(PUT("/api/users/me/password", { body: { current_password: cur, new_password: next } }), "Password changed");
    if (ok !== undefined) {
      setCur("");
      setNext("");
      setConfirm("");
    }
  };
  return (
    <Card title="Profile">
      <dl className="mb-3 grid grid-cols-2 gap-1 text-sm">
        <dt className="text-slate-500">Username</dt>
        <dd>{user?.username}</dd>
        <dt className="text-slate-500">Role</dt>
        <dd data-testid="profile-role">{user?.role}</dd>
        <dt className="text-slate-500">Email</dt>
        <dd>{user?.email ?? "—"}</dd>
      </dl>
      <form onSubmit={submit} className="grid max-w-md gap-2" aria-label="Change password">
        <h3 className="text-sm font-semibold">Change password</h3>
        {err && <p role="alert" className="text-sm text-red-600">{err}</p>}
        <label htmlFor={ids.cur} className="label">Current password</label>
        <input id={ids.cur} type="password" className="input" value={cur} onChange={(e) => setCur(e.target.value)} autoComplete="current-password" required />
        <label htmlFor={ids.next} className="label">New password</label>
        <input id={ids.next} type="password" className="input" value={next} onChange={(e) => setNext(e.target.value)} autoComplete="new-password" required />
        <label htmlFor={ids.confirm} className="label">Confirm new password</label>
        <input id={ids.confirm} type="password" className="input" value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="new-password" required />
        <button type="submit" className="btn-primary w-fit">Change password</button>
      </form>
    </Card>
  );
}

function TwoFactor() {
  const status = useTwoFactorStatus();
  const run = useRun();
  const [setup, setSetup] = useState<Schemas["SetupResponse"] | null>(null);
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [codes, setCodes] = useState<string[] | null>(null);
  const ids = { code: useId(), pw: useId() };
  const mut = useApiMutation((p: Promise<unknown>) => p, [queryKeys.twoFactor()]);
  const enabled = status.data?.enabled === true;

  return (
    <Card title="Two-factor authentication" testId="twofa-card">
      <QueryState what="2FA" isLoading={status.isLoading} error={status.error}>
        <p className="mb-2 text-sm">
          Status: <strong>{enabled ? "enabled" : "disabled"}</strong>
        </p>
        {codes && (
          <div className="mb-3 rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100" role="status">
            <p className="font-semibold">Backup codes — shown once, store them safely:</p>
            <ul className="mt-1 grid grid-cols-2 gap-1 font-mono" data-testid="backup-codes">
              {codes.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
            <button type="button" className="btn-secondary mt-2" onClick={() => void navigator.clipboard?.writeText(codes.join("\n"))}>
              Copy
            </button>
          </div>
        )}
        {!enabled && !setup && (
          <button type="button" className="btn-primary" onClick={async () => setSetup((await run(POST("/api/2fa/setup"))) ?? null)}>
            Set up 2FA
          </button>
        )}
        {!enabled && setup && (
          <div className="space-y-2">
            {setup.qr_code && <img src={setup.qr_code} alt="QR code for your authenticator app" className="h-40 w-40 bg-white p-1" />}
            <p className="text-sm">
              Or enter this secret manually: <code className="break-all">{setup.secret}</code>
            </p>
            <label htmlFor={ids.code} className="label">Code from the app</label>
            <input id={ids.code} className="input w-40" inputMode="numeric" value={code} onChange={(e) => setCode(e.target.value)} />
            <button
              type="button"
              className="btn-primary"
              onClick={async () => {
                const r = (await run(mut.mutateAsync(POST("/api/2fa/verify", { body: { code } })), "2FA enabled")) as Schemas["VerifyResponse"] | undefined;
                if (r) {
                  setCodes(r.backup_codes);
                  setSetup(null);
                  setCode("");
                }
              }}
            >
              Verify and enable
            </button>
          </div>
        )}
        {enabled && (
          <div className="flex flex-wrap items-end gap-2">
            <div>
              <label htmlFor={ids.code} className="label">Current code</label>
              <input id={ids.code} className="input w-32" value={code} onChange={(e) => setCode(e.target.value)} />
            </div>
            <div>
              <label htmlFor={ids.pw} className="label">Password (to disable)</label>
              <input id={ids.pw} type="password" className="input w-40" value={password} onChange={(e) => setPassword(e.target.value)} />
            </div>
            <button
              type="button"
              className="btn-secondary"
              onClick={async () => {
                const r = await run(POST("/api/2fa/backup-codes", { body: { code } }), "New backup codes issued");
                if (r) setCodes(r.backup_codes);
              }}
            >
              Regenerate backup codes
            </button>
            <button type="button" className="btn-danger" onClick={() => void run(mut.mutateAsync(POST("/api/2fa/disable", { body: { password, code } })), "2FA disabled")}>
              Disable 2FA
            </button>
          </div>
        )}
      </QueryState>
    </Card>
  );
}

function Passkeys() {
  const list = usePasskeys();
  const run = useRun();
  const [name, setName] = useState("");
  const [removing, setRemoving] = useState<string | number | null>(null);
  const refresh = useApiMutation((p: Promise<unknown>) => p, [queryKeys.passkeys()]);
  const nameId = useId();
  const add = async () => {
    const opts = await run(POST("/api/passkey/register-options", { body: { device_name: name || undefined } }));
    if (!opts) return;
    try {
      const cred = (await navigator.credentials.create({ publicKey: parseCreationOptions(opts.options) })) as PublicKeyCredential | null;
      if (!cred) return;
      await run(refresh.mutateAsync(POST("/api/passkey/register", { body: { credential: serializeCredential(cred), device_name: name || undefined } })), "Passkey added");
    } catch (e) {
      await run(Promise.reject(e));
    }
  };
  return (
    <Card title="Passkeys">
      <QueryState what="Passkeys" isLoading={list.isLoading} error={list.error}>
        {list.data && list.data.passkeys.length === 0 && <p className="muted">No passkeys yet.</p>}
        <ul className="mb-3 space-y-1 text-sm">
          {list.data?.passkeys.map((p) => (
            <li key={String(p.id)} className="flex items-center justify-between gap-2">
              <span>
                {p.device_name ?? "Passkey"} · added {formatInstant(p.created_at)} · last used {formatInstant(p.last_used_at)}
              </span>
              <button type="button" className="btn-secondary" onClick={() => setRemoving(p.id)}>
                Remove
              </button>
            </li>
          ))}
        </ul>
        <div className="flex flex-wrap items-end gap-2">
          <div>
            <label htmlFor={nameId} className="label">Device name</label>
            <input id={nameId} className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder="Laptop" />
          </div>
          <button type="button" className="btn-primary" disabled={!passkeysSupported()} onClick={() => void add()}>
            Add a passkey
          </button>
        </div>
        <ConfirmDialog
          open={removing !== null}
          title="Remove this passkey?"
          danger
          onCancel={() => setRemoving(null)}
          onConfirm={() => {
            const id = removing;
            setRemoving(null);
            void run(refresh.mutateAsync(DELETE("/api/passkey/{passkey_id}", { path: { passkey_id: Number(id) } })), "Passkey removed");
          }}
        />
      </QueryState>
    </Card>
  );
}

function Users() {
  const users = useUsers(true);
  const invitations = useInvitations(true);
  const run = useRun();
  const mut = useApiMutation((p: Promise<unknown>) => p, [queryKeys.users(), queryKeys.invitations()]);
  const [confirm, setConfirm] = useState<null | { title: string; action: () => Promise<unknown> }>(null);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Schemas["InvitationCreate"]["role"]>("viewer");
  const [link, setLink] = useState<string | null>(null);
  const ids = { email: useId(), role: useId() };
  return (
    <Card title="Users and invitations" testId="users-card">
      <QueryState what="Users" isLoading={users.isLoading} error={users.error}>
        <p className="mb-2 text-sm">
          {users.data?.total ?? 0} / {users.data?.limit ?? 20} users
        </p>
        <div className="overflow-x-auto">
          <table className="table-basic">
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Active</th>
                <th scope="col">2FA</th>
                <th scope="col">Last login</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {users.data?.users.map((u) => (
                <tr key={String(u.id)}>
                  <td>{u.username}</td>
                  <td>{u.email ?? "—"}</td>
                  <td>{u.role}</td>
                  <td>{u.is_active ? "yes" : "no"}</td>
                  <td>{u.totp_enabled ? "on" : "off"}</td>
                  <td>{formatInstant(u.last_login)}</td>
                  <td className="space-x-1 whitespace-nowrap">
                    <button type="button" className="btn-secondary" onClick={() => setConfirm({ title: `Make ${u.username} ${u.role === "admin" ? "a viewer" : "an admin"}?`, action: () => PUT("/api/users/{user_id}", { path: { user_id: u.id }, body: { role: u.role === "admin" ? "viewer" : "admin" } }) })}>
                      {u.role === "admin" ? "Make viewer" : "Make admin"}
                    </button>
                    <button type="button" className="btn-secondary" onClick={() => setConfirm({ title: `${u.is_active ? "Deactivate" : "Activate"} ${u.username}?`, action: () => PUT("/api/users/{user_id}", { path: { user_id: u.id }, body: { is_active: !u.is_active } }) })}>
                      {u.is_active ? "Deactivate" : "Activate"}
                    </button>
                    <button type="button" className="btn-danger" onClick={() => setConfirm({ title: `Delete ${u.username}?`, action: () => DELETE("/api/users/{user_id}", { path: { user_id: u.id } }) })}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </QueryState>
      <h3 className="mt-4 text-sm font-semibold">Invite a user</h3>
      <div className="flex flex-wrap items-end gap-2">
        <div>
          <label htmlFor={ids.email} className="label">Email (optional)</label>
          <input id={ids.email} className="input" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div>
          <label htmlFor={ids.role} className="label">Role</label>
          <select id={ids.role} className="input" value={role} onChange={(e) => setRole(e.target.value as typeof role)}>
            <option value="viewer">Viewer</option>
            <option value="admin">Admin</option>
          </select>
        </div>
        <button
          type="button"
          className="btn-primary"
          onClick={() =>
            setConfirm({
              title: `Invite a new ${role}?`,
              action: async () => {
                const r = await POST("/api/users/invite", { body: { email: email || undefined, role } });
                setLink(r.invite_url);
              },
            })
          }
        >
          Create invitation
        </button>
      </div>
      {link && (
        <p className="mt-2 text-sm" role="status">
          Invitation link (shown once): <code className="break-all">{link}</code>
        </p>
      )}
      <QueryState what="Invitations" isLoading={invitations.isLoading} error={invitations.error}>
        <ul className="mt-3 space-y-1 text-sm">
          {invitations.data?.invitations.map((i) => (
            <li key={String(i.id)} className="flex items-center justify-between gap-2">
              <span>
                {i.email ?? "(no email)"} · {i.role} · {i.status} · expires {formatInstant(i.expires_at)}
              </span>
              {i.status === "pending" && (
                <button type="button" className="btn-secondary" onClick={() => setConfirm({ title: "Revoke this invitation?", action: () => DELETE("/api/users/invitations/{invitation_id}", { path: { invitation_id: i.id } }) })}>
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      </QueryState>
      <ConfirmDialog
        open={confirm !== null}
        title={confirm?.title ?? ""}
        onCancel={() => setConfirm(null)}
        onConfirm={() => {
          const c = confirm;
          setConfirm(null);
          if (c) void run(mut.mutateAsync(c.action()), "Done");
        }}
      />
    </Card>
  );
}

function Broker() {
  const status = useSchwabStatus();
  const run = useRun();
  const refresh = useApiMutation((p: Promise<unknown>) => p, [queryKeys.schwab()]);
  const [auth, setAuth] = useState<{ authorization_url: string; instructions?: string } | null>(null);
  const [callback, setCallback] = useState("");
  const [dialog, setDialog] = useState<null | "start" | "delete">(null);
  const cbId = useId();
  return (
    <Card title="Broker connection (Schwab)" testId="broker-card">
      <div id="broker" />
      <QueryState what="Schwab token status" isLoading={status.isLoading} error={status.error}>
        <TokenBanner status={status.data} />
        <dl className="mt-2 grid grid-cols-2 gap-1 text-sm">
          <dt className="text-slate-500">Token</dt>
          <dd>{status.data?.token_exists ? (status.data.token_valid ? "valid" : "expired") : "none"}</dd>
          <dt className="text-slate-500">Expires in</dt>
          <dd>{status.data?.expires_in_days !== undefined && status.data?.expires_in_days !== null ? `${formatNumber(status.data.expires_in_days, 1)} days` : "—"}</dd>
          <dt className="text-slate-500">Callback URL</dt>
          <dd className="break-all">{status.data?.callback_url ?? "—"}</dd>
        </dl>
      </QueryState>
      <div className="mt-3 flex flex-wrap gap-2">
        <button type="button" className="btn-primary" onClick={() => setDialog("start")}>
          {status.data?.token_exists ? "Re-authenticate" : "Connect"}
        </button>
        <button type="button" className="btn-danger" onClick={() => setDialog("delete")} disabled={!status.data?.token_exists}>
          Delete token
        </button>
      </div>
      {auth && (
        <div className="mt-3 space-y-2 text-sm">
          <p>
            1. Open{" "}
            <a className="break-all underline" href={auth.authorization_url} target="_blank" rel="noreferrer">
              the Schwab authorization page
            </a>{" "}
            and approve. 2. Paste the full address you land on:
          </p>
          <label htmlFor={cbId} className="label">Callback URL</label>
          <input id={cbId} className="input" value={callback} onChange={(e) => setCallback(e.target.value)} placeholder="https://127.0.0.1:8182/?code=…&state=…" />
          <button
            type="button"
            className="btn-primary"
            onClick={async () => {
              const ok = await run(refresh.mutateAsync(POST("/api/schwab/callback", { body: { callback_url: callback } })), "Schwab connected");
              if (ok !== undefined) setAuth(null);
            }}
          >
            Submit
          </button>
        </div>
      )}
      <ConfirmDialog
        open={dialog === "start"}
        title="Start the Schwab authorization?"
        onCancel={() => setDialog(null)}
        onConfirm={async () => {
          setDialog(null);
          setAuth((await run(POST("/api/schwab/initiate"))) ?? null);
        }}
      />
      <ConfirmDialog
        open={dialog === "delete"}
        title="Delete the stored Schwab token?"
        danger
        onCancel={() => setDialog(null)}
        onConfirm={() => {
          setDialog(null);
          void run(refresh.mutateAsync(DELETE("/api/schwab/token")), "Token deleted");
        }}
      >
        Live trading stops until you connect again.
      </ConfirmDialog>
    </Card>
  );
}

function ConfigOverrides() {
  const [strategyId, setStrategyId] = useSelectedStrategy();
  const cfg = useConfig(strategyId);
  const run = useRun();
  const mut = useApiMutation((p: Promise<unknown>) => p, [queryKeys.config(strategyId)]);
  const [edit, setEdit] = useState<{ name: string; value: string; reason: string; expires: string } | null>(null);
  const [confirm, setConfirm] = useState<null | { title: string; action: () => Promise<unknown> }>(null);
  const ids = { value: useId(), reason: useId(), expires: useId() };
  return (
    <Card title="Configuration overrides" testId="config-card" actions={<StrategySelect value={strategyId} onChange={setStrategyId} />}>
      <QueryState what="Configuration" isLoading={cfg.isLoading} error={cfg.error}>
        <div className="max-h-96 overflow-auto">
          <table className="table-basic">
            <thead className="sticky top-0 bg-white dark:bg-slate-900">
              <tr>
                <th scope="col">Parameter</th>
                <th scope="col">Value</th>
                <th scope="col">File value</th>
                <th scope="col">Constraints</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {cfg.data?.parameters.map((p) => (
                <tr key={p.name}>
                  <td>
                    {p.name}
                    {p.is_overridden && <span className="ml-1 rounded bg-amber-200 px-1 text-xs text-amber-900">Modified</span>}
                  </td>
                  <td className="tabular-nums">{String(p.value)}</td>
                  <td className="tabular-nums">{p.is_overridden ? String(p.original_value) : "—"}</td>
                  <td className="text-xs">
                    {[p.constraints?.min_value !== null && p.constraints?.min_value !== undefined ? `≥ ${p.constraints.min_value}` : null, p.constraints?.max_value !== null && p.constraints?.max_value !== undefined ? `≤ ${p.constraints.max_value}` : null, p.constraints?.allowed_values?.join(" | ")]
                      .filter(Boolean)
                      .join(", ") || "—"}
                  </td>
                  <td className="space-x-1 whitespace-nowrap">
                    <button type="button" className="btn-secondary" onClick={() => setEdit({ name: p.name, value: String(p.value), reason: "", expires: "" })}>
                      Override
                    </button>
                    {p.is_overridden && (
                      <button type="button" className="btn-secondary" onClick={() => setConfirm({ title: `Reset ${p.name} to the file value?`, action: () => DELETE("/api/config/{parameter_name}", { path: { parameter_name: p.name }, query: { strategy_id: strategyId } }) })}>
                        Reset
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </QueryState>
      {edit && (
        <form
          className="mt-3 grid gap-2 sm:grid-cols-4"
          aria-label={`Override ${edit.name}`}
          onSubmit={(e) => {
            e.preventDefault();
            const body = { parameter_name: edit.name, new_value: edit.value, reason: edit.reason, strategy_id: strategyId, expires_at: new Date(edit.expires).toISOString() };
            setConfirm({ title: `Override ${edit.name} = ${edit.value} until ${edit.expires}?`, action: async () => {
              await PUT("/api/config", { body });
              setEdit(null);
            } });
          }}
        >
          <div>
            <label htmlFor={ids.value} className="label">New value for {edit.name}</label>
            <input id={ids.value} className="input" value={edit.value} onChange={(e) => setEdit({ ...edit, value: e.target.value })} required />
          </div>
          <div>
            <label htmlFor={ids.reason} className="label">Reason</label>
            <input id={ids.reason} className="input" value={edit.reason} onChange={(e) => setEdit({ ...edit, reason: e.target.value })} required minLength={3} />
          </div>
          <div>
            <label htmlFor={ids.expires} className="label">Expires at</label>
            <input id={ids.expires} type="datetime-local" className="input" value={edit.expires} onChange={(e) => setEdit({ ...edit, expires: e.target.value })} required />
          </div>
          <div className="flex items-end gap-2">
            <button type="submit" className="btn-primary">Save</button>
            <button type="button" className="btn-secondary" onClick={() => setEdit(null)}>Cancel</button>
          </div>
        </form>
      )}
      <ConfirmDialog
        open={confirm !== null}
        title={confirm?.title ?? ""}
        onCancel={() => setConfirm(null)}
        onConfirm={() => {
          const c = confirm;
          setConfirm(null);
          if (c) void run(mut.mutateAsync(c.action()), "Configuration updated");
        }}
      />
    </Card>
  );
}

export function SettingsPage() {
  const { authRequired, can } = useAuth();
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Settings</h1>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <Profile />
        {authRequired ? <TwoFactor /> : <NotAvailable what="Two-factor authentication">Authentication is disabled on this server.</NotAvailable>}
        <Passkeys />
        <Can perm="config:write">
          <NotificationsCard />
        </Can>
      </div>
      {!can("users:manage") && !can("engine:control") && <p className="muted">Administration settings are available to admins only.</p>}
      <Can perm="users:manage">
        <Users />
      </Can>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <Can perm="engine:control">
          <EngineCard strategyId={undefined} />
        </Can>
        <Can perm="scheduler:control">
          <SchedulerCard />
        </Can>
      </div>
      <Can perm="broker:manage">
        <Broker />
      </Can>
      <Can perm="config:write">
        <ConfigOverrides />
      </Can>
    </div>
  );
}
