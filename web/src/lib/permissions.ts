/**
 * The role → permission map of spec §4.5, mirrored so the UI can hide controls a user cannot use.
 * The server stays the authority; this only decides what is shown.
 */

export const VIEWER_PERMISSIONS = [
  "dashboard:read",
  "performance:read",
  "trades:read",
  "config:read",
  "indicators:read",
  "regime:read",
  "status:read",
  "self:password",
  "self:2fa",
  "self:passkey",
] as const;

export const ADMIN_ONLY_PERMISSIONS = [
  "trades:execute",
  "engine:control",
  "scheduler:control",
  "config:write",
  "users:manage",
  "broker:manage",
  "data:write",
  "backtest:run",
  "security:read",
] as const;

export type Permission = (typeof VIEWER_PERMISSIONS)[number] | (typeof ADMIN_ONLY_PERMISSIONS)[number];

export interface PermissionSubject {
  role?: string | null;
  is_admin?: boolean | null;
  permissions?: readonly string[] | null;
}

/**
 * Whether a user holds a permission. The server's `permissions[]` from `/api/auth/me` wins when present;
 * otherwise the role map decides. Unknown roles get nothing.
 */
export function hasPermission(user: PermissionSubject | null | undefined, perm: Permission): boolean {
  if (!user) return false;
  if (user.permissions && user.permissions.length > 0) {
    return user.permissions.includes("*") || user.permissions.includes(perm);
  }
  if (user.role === "admin" || user.is_admin === true) return true;
  if (user.role === "viewer") return (VIEWER_PERMISSIONS as readonly string[]).includes(perm);
  return false;
}
