/** What the rebuild is asked (the part of @electron/rebuild's RebuildOptions this step sets). */
export interface NativeRebuildOptions {
  readonly buildPath: string;
  readonly electronVersion: string;
  readonly onlyModules: readonly string[];
  readonly force: boolean;
  readonly mode: "sequential";
}
export type NativeRebuild = (options: NativeRebuildOptions) => Promise<void>;
export function electronBinary(): string | null;
export function electronVersion(root: string): string;
export function electronNativeFile(root: string, electronVersion: string): string;
export const rebuildWithElectronRebuild: NativeRebuild;
export function prepareElectronNative(options: {
  readonly root: string;
  readonly electronVersion: string;
  readonly rebuild?: NativeRebuild;
  readonly log?: (line: string) => void;
}): Promise<{ readonly file: string; readonly built: boolean }>;
