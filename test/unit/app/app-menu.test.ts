import { describe, expect, it, vi } from "vitest";

interface Item {
  label?: string;
  role?: string;
  enabled?: boolean;
  type?: string;
  click?: () => void;
  submenu?: Item[];
}

vi.mock("electron", () => ({ Menu: { buildFromTemplate: (template: Item[]) => ({ items: template }) } }));
const { buildAppMenu } = await import("../../../electron/main/app-menu.js");

function flatten(items: readonly Item[]): Item[] {
  return items.flatMap((i) => [i, ...flatten(i.submenu ?? [])]);
}

const actions = () => ({ openProjectDialog: vi.fn(), openProject: vi.fn(), openDemo: vi.fn() });

describe("the application menu", () => {
  it("offers open project, the recent projects and reload; devtools only in development", () => {
    const a = actions();
    const recent = [{ root: "/work/shop", name: "shop", openedAt: "2026-11-25T10:00:00Z" }];
    const dev = flatten((buildAppMenu(recent, a, true, "linux") as unknown as { items: Item[] }).items);
    const labels = dev.map((i) => i.label ?? i.role);
    expect(labels).toEqual(expect.arrayContaining(["Open Project…", "Open Recent", "Open Demo Project", "reload", "toggleDevTools", "quit"]));
    dev.find((i) => i.label?.startsWith("shop"))!.click!();
    expect(a.openProject).toHaveBeenCalledWith("/work/shop");
    const packaged = flatten((buildAppMenu(recent, a, false, "linux") as unknown as { items: Item[] }).items);
    expect(packaged.map((i) => i.role)).not.toContain("toggleDevTools");
    expect(packaged.map((i) => i.role)).toContain("reload");
  });

  it("says so when there are no recent projects", () => {
    const items = flatten((buildAppMenu([], actions(), false, "linux") as unknown as { items: Item[] }).items);
    expect(items.find((i) => i.label === "No recent projects")).toMatchObject({ enabled: false });
  });
});
