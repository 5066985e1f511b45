import type { GuestSettings } from "./protocol.js";

/** The `--guest` option text for a playground guest (what `parseGuestOptions` reads). */
export function guestOptionText(s: GuestSettings): string {
  return [`rate=${s.rate}`, `mix=${s.mix}`, `seed=${s.seed}`, `fill=${s.fill}`, ...(s.hot ? [`hot=${s.hot}`] : [])].join(",");
}
