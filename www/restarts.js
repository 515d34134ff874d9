// How often a page restarts a worker that died: at most three times within a minute, so a
// fault that recurs at once cannot loop forever. Every mode's page asks the same budget.

const MAX_RESTARTS = 3;
const WINDOW_MS = 60_000;

export class RestartBudget {
  constructor() {
    this.times = [];
  }

  /** True (and counted) when one more restart is allowed now; false once three fell within a minute. */
  allow(now = Date.now()) {
    this.times = this.times.filter((at) => now - at < WINDOW_MS);
    if (this.times.length >= MAX_RESTARTS) return false;
    this.times.push(now);
    return true;
  }
}
