import { lockBehaviour, type Backend } from './lock-behaviour.js';
import { lockEdges } from './lock-edges.js';
import { lockFairness } from './lock-fairness.js';
import { lockFencing } from './lock-fencing.js';

/** Every shared suite of the lock, on one backend: what each implementation must do alike. */
export function lockSuites(name: string, backend: () => Backend): void {
  lockBehaviour(name, backend);
  lockEdges(name, backend);
  lockFairness(name, backend);
  lockFencing(name, backend);
}
