import { Menu } from "electron";
import type { MenuItemConstructorOptions } from "electron";
import type { RecentProjectDto } from "../../shared/api.js";

/** What the menu's items do; main.ts supplies them. */
export interface MenuActions {
  readonly openProjectDialog: () => void;
  readonly openProject: (root: string) => void;
  readonly openDemo: () => void;
}

/** Builds the application menu: File (open, recent, demo), Edit, View (reload; devtools in development), Window. */
export function buildAppMenu(recent: readonly RecentProjectDto[], actions: MenuActions, development: boolean, platform: NodeJS.Platform = process.platform): Menu {
  const recentItems: MenuItemConstructorOptions[] =
    recent.length === 0 ? [{ label: "No recent projects", enabled: false }] : recent.map((p) => ({ label: `${p.name}  —  ${p.root}`, click: () => actions.openProject(p.root) }));
  const template: MenuItemConstructorOptions[] = [
    ...(platform === "darwin" ? [{ role: "appMenu" as const }] : []),
    {
      label: "&File",
      submenu: [
        { label: "Open Project…", accelerator: "CmdOrCtrl+O", click: actions.openProjectDialog },
        { label: "Open Recent", submenu: recentItems },
        { label: "Open Demo Project", click: actions.openDemo },
        { type: "separator" },
        platform === "darwin" ? { role: "close" } : { role: "quit" },
      ],
    },
    { role: "editMenu" },
    {
      label: "&View",
      submenu: [
        { role: "reload" },
        ...(development ? [{ role: "toggleDevTools" as const }] : []),
        { type: "separator" },
        { role: "resetZoom" },
        { role: "zoomIn" },
        { role: "zoomOut" },
        { type: "separator" },
        { role: "togglefullscreen" },
      ],
    },
    { role: "windowMenu" },
  ];
  return Menu.buildFromTemplate(template);
}
