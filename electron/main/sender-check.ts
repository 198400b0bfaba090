/** What an IPC event says about who sent it (Electron's IpcMainInvokeEvent, narrowed). */
export interface IpcSender {
  readonly sender: { readonly id: number };
  readonly senderFrame: { readonly url: string; readonly parent?: unknown } | null;
}

/**
 * True when the call comes from the app's own page in the main window's top frame: not from a
 * navigated-away page, an iframe, or another window (Electron security checklist, item 17).
 */
export function isTrustedSender(event: IpcSender, mainWebContentsId: number | null, appOrigin: string): boolean {
  if (mainWebContentsId === null || event.sender.id !== mainWebContentsId) return false;
  const frame = event.senderFrame;
  if (!frame || (frame.parent !== null && frame.parent !== undefined)) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  return url.origin === appOrigin || `${url.protocol}//${url.host}` === appOrigin;
}
