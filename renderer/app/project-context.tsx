import { createContext, useContext } from "react";
import type { EnvironmentMatrixDto, EnvironmentStateDto, ProjectSummaryDto } from "../../shared/api.js";
import type { Load } from "../hooks/use-load.js";

/** What every screen knows about the open project; held by the App container. */
export interface ProjectState {
  readonly summary: ProjectSummaryDto;
  /** The environments matrix without drift (cheap), refreshed after every change. */
  readonly matrix: Load<EnvironmentMatrixDto>;
  /** The matrix with drift (slower, asked for once `matrix` is in), refreshed after every change: the environments screen's. */
  readonly driftMatrix: Load<EnvironmentMatrixDto>;
  /** Each environment's freshest known state, drift included once checked: what chips and graph badges draw. */
  readonly states: readonly EnvironmentStateDto[];
  /**
   * Counts the host's changes (project-changed events: a run, a repair, files changed on disk);
   * a container puts it in its loads' deps so it reloads with everyone else.
   */
  readonly changes: number;
  /** The environment the graph dims pending revisions for and the screens default to. */
  readonly activeEnvironment: string | null;
  readonly setActiveEnvironment: (name: string) => void;
  /** Counts clicks on the environments' chips: the graph jumps to where the clicked (now active) one stands. */
  readonly chipClicks: number;
  /** Reloads the summary and the matrix (after a run, a new revision, a profile change). */
  readonly refresh: () => void;
  /** Asks for driftMatrix on a project too big to check drift for every screen (the environments screen, once drawn). */
  readonly askDrift?: () => void;
}

/** The open project's shared state. */
export const ProjectContext = createContext<ProjectState | null>(null);

/** The open project's state; containers only. */
export function useProject(): ProjectState {
  const p = useContext(ProjectContext);
  if (!p) throw new Error("useProject outside <ProjectContext.Provider>");
  return p;
}
