/**
 * Broker (Schwab) token banner level from the token status (spec §5.9 table):
 * hidden above 5 days, blue info 2–5 days, yellow warning 1–2 days, red at 1 day or less,
 * red with hours below 12 h, red when expired or missing.
 */

export type BannerLevel = "hidden" | "info" | "warning" | "danger";

export interface TokenStatusLike {
  token_exists?: boolean | null;
  token_valid?: boolean | null;
  expires_in_days?: number | null;
}

export interface BannerState {
  level: BannerLevel;
  title: string;
  action: string | null;
}

export function tokenBanner(status: TokenStatusLike | null | undefined): BannerState {
  if (!status) return { level: "hidden", title: "", action: null };
  if (!status.token_exists) {
    return { level: "danger", title: "Schwab Not Connected", action: "Connect" };
  }
  const days = status.expires_in_days;
  if (days === null || days === undefined || status.token_valid === false || days <= 0) {
    return { level: "danger", title: "Schwab Token Expired", action: "Re-authenticate" };
  }
  if (days < 0.5) {
    const hours = Math.max(0, Math.floor(days * 24));
    return { level: "danger", title: `Schwab token expires in ${hours} h`, action: "Refresh Token" };
  }
  if (days <= 1) return { level: "danger", title: "Token Expiring Today", action: "Refresh Token" };
  if (days <= 2) {
    return { level: "warning", title: `Schwab token expires in ${days.toFixed(1)} days`, action: "Refresh Token" };
  }
  if (days <= 5) {
    return { level: "info", title: `Schwab token expires in ${days.toFixed(1)} days`, action: "Refresh Early" };
  }
  return { level: "hidden", title: "Schwab Connected", action: null };
}
