/** Settings area: 2FA, passkeys, users/invitations, broker (Schwab), config overrides, notifications. */
import { useMutation, useQuery, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { queryKeys } from "../api/queryKeys";
import { GET, POST, type Schemas } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { usePolling } from "./live";

export type PasskeyRow = Schemas["PasskeyPublic"];
export type UserRow = Schemas["UserPublic"];
export type InvitationRow = Schemas["InvitationPublic"];
export type ConfigParameter = Schemas["ConfigParameter"];

export function useTwoFactorStatus() {
  return useQuery({ queryKey: queryKeys.twoFactor(), queryFn: () => GET("/api/2fa/status"), retry: false });
}

export function usePasskeys() {
  return useQuery({ queryKey: queryKeys.passkeys(), queryFn: () => GET("/api/passkey/list"), retry: false });
}

export function useUsers(enabled: boolean) {
  return useQuery({ queryKey: queryKeys.users(), enabled, queryFn: () => GET("/api/users"), retry: false });
}

export function useInvitations(enabled: boolean) {
  return useQuery({ queryKey: queryKeys.invitations(), enabled, queryFn: () => GET("/api/users/invitations"), retry: false });
}

export function useSchwabStatus() {
  const { can } = useAuth();
  const refetchInterval = usePolling(60000);
  return useQuery({
    queryKey: queryKeys.schwab(),
    enabled: can("broker:manage"),
    queryFn: () => GET("/api/schwab/status"),
    refetchInterval,
    retry: false,
  });
}

export function useConfig(strategyId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.config(strategyId),
    enabled: !!strategyId,
    queryFn: () => GET("/api/config", { query: { strategy_id: strategyId } }),
    retry: false,
  });
}

export type NotificationChannels = Schemas["ChannelsPublic"];
export type TestAlertResult = Schemas["TestAlertResult"];

/** Configured alert channels, secrets masked (`GET /api/notifications/channels`, admins). */
export function useNotificationChannels(enabled = true) {
  return useQuery({
    queryKey: queryKeys.notifications(),
    enabled,
    queryFn: () => GET("/api/notifications/channels"),
    retry: false,
  });
}

/** Send a test alert through every configured channel (`POST /api/notifications/test`). */
export function useTestNotification() {
  return useMutation({
    mutationFn: (message: string) => POST("/api/notifications/test", { body: { message } }),
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
