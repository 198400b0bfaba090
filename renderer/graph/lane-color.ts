/** Lane 0 (the trunk) has a colour no other lane takes, so the trunk reads as one line (issue 19). */
export const laneColor = (lane: number): string => `var(--lane-${lane === 0 ? 0 : 1 + ((lane - 1) % 5)})`;
