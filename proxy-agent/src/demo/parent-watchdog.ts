// Preloaded (`node --import`) into every demo child: when the demo's process dies without stopping
// its children (kill -9), the IPC channel closes and the child stops itself instead of lingering.
if (typeof process.send === 'function') {
  process.on('disconnect', () => {
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.exit(1), 10_000).unref();
  });
}

export {};
