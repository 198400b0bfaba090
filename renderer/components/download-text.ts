/** Saves text as a file through the browser's download (a Blob URL on a temporary link): no Node, in Electron and in a browser alike. */
export function downloadText(fileName: string, text: string, mimeType: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${mimeType};charset=utf-8` }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked after the click has been handled: revoking at once can cancel the download in Chromium.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
