/** Settings area: 2FA, passkeys, users/invitations, broker (Schwab), config overrides, notifications. */
import { useMutation, useQuery, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { api } from "../api/http";
import { queryKeys } from "../api/queryKeys";
import type { SchwabStatus } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { usePolling } from "./live";

export function useTwoFactorStatus() {
  return useQuery({ queryKey: queryKeys.twoFactor(), queryFn: () => api<{ enabled: boolean; available?: boolean; message?: string }>("/2fa/status"), retry: false });
}

export interface PasskeyRow {
  id: number | string;
  device_name?: string | null;
  created_at?: string | null;
  last_used_at?: string | null;
}

export function usePasskeys() {
  return useQuery({ queryKey: queryKeys.passkeys(), queryFn: () => api<{ passkeys: PasskeyRow[]; count: number }>("/passkey/list"), retry: false });
}

export interface UserRow {
  id: number | string;
  username: string;
  email?: string | null;
  role: string;
  is_active: boolean;
  last_login?: string | null;
  totp_enabled?: boolean;
}

export function useUsers(enabled: boolean) {
  return useQuery({ queryKey: queryKeys.users(), enabled, queryFn: () => api<{ users: UserRow[]; total: number; limit?: number }>("/users"), retry: false });
}

export interface InvitationRow {
  id: number | string;
  email?: string | null;
  role: string;
  expires_at?: string | null;
  status?: string;
  invited_by_username?: string | null;
}

export function useInvitations(enabled: boolean) {
  return useQuery({ queryKey: queryKeys.invitations(), enabled, queryFn: () => api<{ invitations: InvitationRow[]; total: number }>("/users/invitations"), retry: false });
}

export function useSchwabStatus() {
  const { can } = useAuth();
  const refetchInterval = usePolling(60000);
  return useQuery({
    queryKey: queryKeys.schwab(),
    enabled: can("broker:manage"),
    queryFn: () => api<SchwabStatus>("/schwab/status"),
    refetchInterval,
    retry: false,
  });
}

export interface ConfigParameter {
  name: string;
  value: unknown;
  original_value?: unknown;
  is_overridden?: boolean;
  constraints?: { min_value?: number | null; max_value?: number | null; allowed_values?: unknown[] | null; value_type?: string | null };
  description?: string | null;
  expires_at?: string | null;
}

export function useConfig(strategyId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.config(strategyId),
    enabled: !!strategyId,
    queryFn: () => api<{ strategy_id: string; parameters: ConfigParameter[]; active_overrides?: unknown }>("/config", { query: { strategy_id: strategyId } }),
    retry: false,
  });
}

export interface NotificationChannel {
  name: string;
  type?: string;
  enabled?: boolean;
  target?: string | null;
}

export function useNotificationChannels() {
  return useQuery({
    queryKey: queryKeys.notifications(),
    queryFn: () => api<{ channels: NotificationChannel[] } | NotificationChannel[]>("/notifications/channels"),
    select: (d) => (Array.isArray(d) ? d : d.channels),
    retry: false,
  });
}

/** A mutation that invalidates the given keys when it settles. */
export function useApiMutation<TBody, TResult = Record<string, unknown>>(
  fn: (body: TBody) => Promise<TResult>,
  invalidate: QueryKey[] = [],
) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: async () => {
      for (const k of invalidate) await qc.invalidateQueries({ queryKey: k });
    },
  });
}
