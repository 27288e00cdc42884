// Live refresh: runs a task now and every interval while the tab is visible; paused while it is hidden, run again
// as soon as it shows. One task at a time: a slow answer delays the next run, never overlaps it.

export function live(task, intervalMs, onState = () => {}) {
  let timer = null;
  let stopped = false;
  let running = false;

  async function run() {
    clearTimeout(timer);
    timer = null;
    if (stopped || document.hidden || running) return;
    running = true;
    try {
      await task();
    } catch (e) {
      // The task shows its own errors; live refresh goes on.
    } finally {
      running = false;
    }
    if (!stopped && !document.hidden) timer = setTimeout(run, intervalMs);
  }

  function visibility() {
    if (document.hidden) {
      clearTimeout(timer);
      timer = null;
      onState('paused');
    } else {
      onState('live');
      run();
    }
  }

  document.addEventListener('visibilitychange', visibility);
  onState(document.hidden ? 'paused' : 'live');
  run();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', visibility);
    },
    now: run,
  };
}
