import { describe, expect, it } from "vitest";
import { checkRemoteAddress, isLoopbackAddress } from "../../../electron/server/request-guard.js";

const from = (remoteAddress: string | undefined) => ({ socket: { remoteAddress } }) as never;

describe("the remote address check of strata serve", () => {
  it("lets this machine in: 127.0.0.0/8, ::1 and IPv4-mapped 127.x", () => {
    for (const a of ["127.0.0.1", "127.0.0.2", "127.255.255.254", "::1", "::ffff:127.0.0.1", "::FFFF:127.0.0.9"]) {
      expect(isLoopbackAddress(a), a).toBe(true);
      expect(checkRemoteAddress(from(a)), a).toBeNull();
    }
  });

  it("refuses anyone else with 403 FORBIDDEN, and a socket with no address", () => {
    for (const a of ["10.0.0.5", "192.168.1.2", "203.0.113.7", "::ffff:10.0.0.5", "fe80::1", "::", "0.0.0.0", "1127.0.0.1", "127.0.0.1.evil", undefined]) {
      expect(isLoopbackAddress(a), String(a)).toBe(false);
      const r = checkRemoteAddress(from(a));
      expect(r, String(a)).toMatchObject({ status: 403, error: { code: "FORBIDDEN" } });
      expect(r!.error.message).toMatch(/loopback/);
    }
  });
});
